// The cuBLASLt backend: plan (cublaslt_plan.hpp, no GPU) + thin launch (this file's .cpp):
// copy operands and scales to the device, ask cublasLtMatmulAlgoGetHeuristic, run the case's
// algorithm, copy D and AMAX_D back, and time repeats with CUDA events. docs/gpu-validation.md.
#pragma once

#include <memory>
#include <string>

#include "harness/backend/backend.hpp"
#include "harness/configs/device_profile.hpp"

namespace fp8check::cublaslt {

// The backend for one case. InputError for options it cannot take at all (an unknown
// accumulation model name).
std::unique_ptr<Backend> make_cublaslt_backend(const BackendOptions& options);

// Registers "cublaslt" with make_cublaslt_backend, replacing the name the registry holds in
// every build (a backend whose cases skip: "not built"). Programs built with CUDA call it once
// at start (harness/cli/main.cpp); GPU tests call it themselves.
void register_cublaslt_backend();

// The kernel model (kernels/emulated/mma/kernel_model.hpp) cuBLASLt's FP8 matmul is expected
// to follow, or "" when fp8check claims none. With FAST_ACCUM the tensor-core accumulator runs
// through all of K without promotion: sm90-wgmma on sm_90 (sm89-mma on sm_89, sm100-tcgen05
// on sm_100). Without it, cuBLASLt promotes partial sums "periodically" (cublasLt.h,
// CUBLASLT_MATMUL_DESC_FAST_ACCUM) at an interval it does not document, so no model is
// claimed: the GPU test reports the agreement with each candidate interval instead.
std::string declared_kernel_model(bool fast_accum, ComputeCapability cc);

}  // namespace fp8check::cublaslt
