// Stages "FP64 reference -> statistics -> verdict" of an attention case.
//  - references from the dequantized inputs (isolates the kernel's own arithmetic) and
//    from the original inputs (total error, quantization included; reported, no bound);
//  - the a-priori bound of attention_bound.hpp per element, reported as observed / bound;
//  - FlashAttention-3's relative check against the same kernel with bf16 P;
//  - P·scale against the P format's range; statistics; the verdict and its reason.
#pragma once

#include <vector>

#include "harness/compare/tolerance.hpp"
#include "harness/core/matrix.hpp"
#include "harness/run/attention_bound.hpp"
#include "harness/run/attention_inputs.hpp"
#include "harness/record/case_result.hpp"
#include "harness/run/stage_timer.hpp"

namespace fp8check {

struct AttentionReferences {
  references::AttentionResult dequantized;  // from Q̂, K̂, V̂
  references::AttentionResult original;     // from Q, K, V
  references::HeadMatrices weighted_abs_v;  // W = softmax(Ŝ) |V̂|, per (batch, q head)
  std::vector<MatrixD> abs_v_prefix;        // per (batch, kv head): row j = Σ_{j' < j} |V̂_j'|
  std::vector<MatrixD> abs_v_prefix_max;    // tensor-core models: row j = max_{j' < j} |V̂_j'| (0 for j = 0)
  // Per (batch, q head, row): score = σ ||q̂_i|| max_j ||k̂_j|| (log2 units); under a
  // tensor-core model also the aligned magnitudes of attention_bound.hpp.
  std::vector<AttentionRowMagnitudes> magnitudes;
};

AttentionReferences compute_attention_references(const AttentionCase& c, const AttentionInputs& in, int threads);

// |LSE - LSE_ref| over its bound for one row (natural log). LSE = log Σ_j exp(s_j): the
// kernel's sum of exponentials l moves by a relative b <= relative / (1 + relative) (the row's
// denominator perturbation: score errors, exponentials, rescales, sums and split combine,
// attention_bound.hpp), so its log by at most log1p(relative); 2^-18 (|LSE_ref| + 1) covers
// the FP32 m + log2 l, the log2 approximation and the ln 2 conversion. A row that sees no
// key has LSE -inf; anything else there, or a NaN, is +inf. A vacuous bound (relative = inf,
// tensor-core models at large scores) allows any finite value, never an infinite one.
double lse_over_bound(double got, double expect, double relative);

// Fills kernel_error, total_error, checks, metrics, output, verdict and reason; laps the
// "statistics" stage once the error statistics are done.
// `baseline`: the same inputs and config through the kernel with bf16 P, no fault (if run).
void judge_attention(const AttentionCase& c, const AttentionConfig& config, const AttentionReferences& ref,
                     const AttentionOutput& out, const ToleranceSettings& tol, const AttentionOutput* baseline,
                     CaseResult& result, StageTimer& timer);

}  // namespace fp8check
