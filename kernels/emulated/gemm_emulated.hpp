// The emulated GEMM: D = alpha * (A x B with scales) + beta * C + bias in the order a
// config and an accumulation model fix (docs/accumulation.md). Same inputs, config and
// model give the same bits on any thread count, SIMD path and compiler.
//
// The fast path packs the operands once (gemm_pack.hpp), follows the K schedule
// (gemm_schedule.hpp) with vectorised micro-tile kernels (gemm_tile_kernels.hpp), and
// parallelises over output tiles only: every output element is computed whole by one
// thread. gemm_emulated_reference.hpp is the same specification read literally.
#pragma once

#include "harness/configs/gemm_config.hpp"
#include "harness/core/convert_bulk.hpp"  // SimdPath
#include "kernels/emulated/accumulation_model.hpp"
#include "kernels/emulated/gemm_fault.hpp"
#include "harness/backend/gemm_operand.hpp"
#include "harness/backend/gemm_problem.hpp"

namespace fp8check {

// Writes D (and amax_D) into `out` (GemmOutput::prepare_for). `threads`: workers to use,
// 0 = one per hardware thread. The SIMD path is the process's (FP8CHECK_SIMD, as the bulk
// converter: scalar | avx2 | auto). Throws InputError for inconsistent inputs.
void gemm_emulated(const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                   const GemmConfig& config, const AccumulationModel& model, GemmOutput& out, int threads,
                   GemmFault fault = GemmFault::none);

namespace detail {

// The same on an explicit SIMD path (tests and benchmarks compare paths in one process).
// InputError when `path` is avx2 and the CPU lacks it.
void gemm_emulated_on(SimdPath path, const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                      const GemmConfig& config, const AccumulationModel& model, GemmOutput& out, int threads,
                      GemmFault fault);

// The argument checks both implementations share: problem, operand shapes against the
// problem, config, model, thread count. Throws InputError.
void validate_gemm_arguments(const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                             const GemmConfig& config, const AccumulationModel& model, int threads);

}  // namespace detail
}  // namespace fp8check
