// From QuantizeArguments to fp8check's own quantize kernels (quantize_program.hpp): the
// checks quantize() makes, the kernel parameters, and the QuantizedMatrix the outputs make.
// Plain C++; run_quantize_twin runs the three steps on the CPU over the same plan.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/backend/quantize_arguments.hpp"
#include "kernels/cuda/index/quantize_program.hpp"

namespace fp8check::cuda_index {

struct QuantizePlan {
  QuantizeKernelParams params;  // x and random_bits point into the arguments; outputs unset
  ScaleLayout layout;
  ScaleType scale_type = ScaleType::fp32;
  std::int64_t elements = 0;
  std::int64_t blocks = 0;
};

// Empty when the own quantize kernels run these arguments; otherwise the reason.
std::string why_no_own_quantize(const QuantizeArguments& args);

// InputError for what quantize() rejects (check_quantize_arguments) and what no kernel runs.
QuantizePlan plan_own_quantize(const QuantizeArguments& args);

// The outputs of a run, assembled as quantize() returns them.
QuantizedMatrix assemble_quantized(const QuantizeArguments& args, const QuantizePlan& plan,
                                   std::vector<std::uint8_t> codes, std::vector<float> scale_values,
                                   std::vector<std::uint8_t> scale_codes, float tensor_scale);

// The three steps on the CPU, index by index (the twin of the CUDA kernels).
QuantizedMatrix run_quantize_twin(const QuantizeArguments& args);

}  // namespace fp8check::cuda_index
