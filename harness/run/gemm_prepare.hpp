// Stages "config -> inputs -> quantize -> FP64 references" of a GEMM case, shared by the
// pipeline (run_gemm_case.cpp) and `fp8check export` (harness/exchange): both build the
// arguments a backend runs from the same (seed, case id), bit for bit, so an external
// kernel that ran on exported inputs is judged on exactly those inputs.
#pragma once

#include <cstdint>
#include <string>

#include "harness/configs/device_profile.hpp"
#include "harness/run/choose_config.hpp"
#include "harness/run/gemm_judge.hpp"

namespace fp8check {

// The config the case runs with on its device (the case's own, or `run_device` when the
// case says "suite"): skip or error reasons as choose_config.hpp says.
ConfigChoice<GemmConfig> choose_gemm_config(const GemmCase& c, const DeviceProfile& run_device);

struct PreparedGemm {
  GemmInputs in;  // in.args is complete: the config and the output scale are set, validated
  GemmReferences ref;
};

// Inputs, quantization and references; the output scale of an e4m3fn output comes from
// the reference amax (docs/accumulation.md), as a kernel with current scaling takes it.
// `timer` (optional) laps "inputs", "quantize" and "reference". `threads`: inputs and
// references may use that many threads (no bit of the inputs depends on it).
PreparedGemm prepare_gemm_case(const GemmCase& c, const GemmConfig& config, const std::string& case_id,
                               std::uint64_t seed, StageTimer* timer = nullptr, int threads = 1);

}  // namespace fp8check
