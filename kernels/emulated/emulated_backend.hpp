// fp8check's CPU models of device numerics as a backend: the emulated GEMM
// (docs/accumulation.md), the emulated attention (docs/attention.md) and the reference
// quantizer. Always available and deterministic: goldens hold their bits.
//
// Options (BackendOptions): kernel_model = the accumulation model to emulate ("" = fp32;
// accumulation_model.hpp), fault = an injected bug of the GEMM or attention kernel
// (gemm_fault.hpp, attention_fault.hpp; "none"), threads = workers per case.
#pragma once

#include <memory>

#include "harness/backend/backend.hpp"

namespace fp8check {

// Throws InputError for an unknown kernel model or fault name, or threads < 0.
std::unique_ptr<Backend> make_emulated_backend(const BackendOptions& options);

}  // namespace fp8check
