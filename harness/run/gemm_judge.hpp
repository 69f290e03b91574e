// Stages "FP64 reference -> statistics -> verdict" of a GEMM case.
//  - references from the dequantized operands (isolates the kernel's own arithmetic)
//    and from the original operands (total error, quantization included);
//  - the a-priori bound of gemm_bound.hpp per element, reported as observed / bound;
//  - statistics of both errors; checks; the verdict and its one-line reason.
#pragma once

#include <optional>

#include "harness/compare/tolerance.hpp"
#include "harness/record/case_result.hpp"
#include "harness/run/gemm_bound.hpp"
#include "harness/run/gemm_inputs.hpp"
#include "harness/run/stage_timer.hpp"

namespace fp8check {

struct GemmReferences {
  MatrixD dequantized;  // stored rows x N; rows the case does not write are NaN
  MatrixD original;
  MatrixD magnitude;    // |alpha| |A_hat| |B_hat| + |beta C| + |bias|: what the bound scales
  MatrixD quantization; // |alpha| ((u_a |A| + Delta_A) |B_hat| + |A| (u_b |B| + Delta_B)): total-error term
  double output_scale = 1.0;  // e4m3fn output: the power of two mapping amax into range
};

// `threads`: the element-wise passes (|x|, the slack matrices) share the rows; the products
// use the BLAS's own threads. No bit depends on either.
GemmReferences compute_gemm_references(const GemmCase& c, const GemmInputs& in, int threads = 1);

// Fills kernel_error, total_error, checks, metrics, output, verdict and reason; laps the
// "statistics" stage once the error statistics are done.
// `baseline`: the same inputs through the plain FP32-accumulation model (check (b)), if run.
void judge_gemm(const GemmCase& c, const GemmInputs& in, const GemmReferences& ref, const GemmOutput& out,
                const AccumulationBound& bound, const ToleranceSettings& tol, const GemmOutput* baseline,
                CaseResult& result, StageTimer& timer);

}  // namespace fp8check
