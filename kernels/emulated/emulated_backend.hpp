// fp8check's CPU models of device numerics as a backend: the emulated GEMM
// (docs/accumulation.md), the emulated attention (docs/attention.md) and the reference
// quantizer. Always available and deterministic: goldens hold their bits.
//
// Options (BackendOptions): kernel_model = the arithmetic to emulate ("" = fp32): a GEMM
// accumulation model (accumulation_model.hpp) or an attention kernel model
// (attention_model.hpp: fp32, sm90-wgmma[.fN]); an op that has no model of that name
// skips with the reason (can_implement). fault = an injected bug of the GEMM, attention or quantize
// kernel (gemm_fault.hpp, attention_fault.hpp, quantize_fault.hpp; "none"), threads =
// workers per case.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "harness/backend/backend.hpp"

namespace fp8check {

// Throws InputError for a kernel model neither op knows, an unknown fault name, or threads < 0.
std::unique_ptr<Backend> make_emulated_backend(const BackendOptions& options);

// A kernel bug the emulated backend can inject: the op whose `fault` axis names it.
struct InjectableFault {
  std::string_view op;    // "gemm", "attention", "quantize"
  std::string_view name;  // "padding_rows_read", ...
};
// Every one, "none" excluded, GEMM first, each op's in its enum's order.
std::vector<InjectableFault> injectable_faults();

}  // namespace fp8check
