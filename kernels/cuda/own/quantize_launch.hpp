// fp8check's own quantize kernels on the current CUDA device (quantize_kernels.cu). Plain
// C++ header: the cuda backend includes it without CUDA headers.
#pragma once

#include <string>

#include "harness/backend/quantize_arguments.hpp"
#include "kernels/cuda/index/quantize_plan.hpp"

namespace fp8check::cuda_own {

using cuda_index::why_no_own_quantize;

// Quantizes on the device. InputError for arguments quantize() rejects; a CUDA error is
// returned in `error` (name and text) and the result is then empty.
QuantizedMatrix run_own_quantize(const QuantizeArguments& args, std::string& error);

}  // namespace fp8check::cuda_own
