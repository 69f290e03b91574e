// The a-priori error bound of the emulated attention (tolerance model (a); the derivation
// is in docs/attention.md, "A-priori bound"). For output element (i, c) of one head,
// against the FP64 reference from the dequantized inputs,
//
//   |O_kernel - O_ref| <= relative_i · W_ic + absolute · A_ic + u_out (|O_ref| + that) + eta_out
//
// with W = softmax(S) |V̂| (the reference softmax applied to |V̂|) and A_ic = Σ over the keys
// row i sees of |V̂_jc|. relative_i collects P's rounding (u_P), the score error of the FP32
// dot products, the exponentials, the rescales, the FP32 sums and the split combine;
// absolute collects P's underflow (half P's smallest quantum over the P scale, and exp2's
// flush below 2^-126). It holds only while P·scale stays within the P format (no
// saturation: a separate check), and only for a fault-free kernel.
//
// Under a tensor-core kernel model (attention_model.hpp) the FP32 sums of Q·Kᵀ and P·V are
// replaced by the instruction model's: every step of k products and the accumulator c
// aligns them to the largest exponent 2^E and truncates each below 2^(E - F), then
// truncates its d to D bits. A step loses less than (k + 1)·2^(E - F) + 2^-D·|d|; 2^E is
// at most max(|c|, max m(a)m(b)) with m(x) = max(|x|, 2^emin) (a subnormal or zero operand
// aligns at its format's smallest normal exponent, zero at -126), and truncation toward
// zero never grows |c| or |d| beyond the sum of the terms' magnitudes. Summed over the
// steps this adds to the score error (in log2 units, with `score_aligned`), to `relative`
// (P·V: steps · ((k + 1)·2^-F + 2^-D), the first step's c being +0, times the P weights'
// factor), to
// `absolute` (P's subnormal floor) and to `offset` (V's subnormal floor, masked keys, c and
// d below 2^-126). The score term grows with σ ||q̂|| ||k̂||: for all-positive Q and K at
// large logit scales it makes the bound vacuous, and `magnitude` takes over.
#pragma once

#include <string>

#include "harness/configs/attention_config.hpp"
#include "harness/problem/attention_desc.hpp"
#include "kernels/emulated/attention_model.hpp"

namespace fp8check {

// Measured bounds of the portable functions (kernels/emulated/attention_numerics.hpp),
// checked by tests/attention_numerics_test.cpp: relative error of exp2_portable, and
// |log2_portable(x) - log2 x| <= kLog2Relative · |log2 x| + kLog2Absolute.
inline constexpr double kExp2RelativeError = 1.2 * 0x1p-23;
inline constexpr double kLog2Relative = 0x1p-22;
inline constexpr double kLog2Absolute = 0x1p-24;

// How P is rounded: |round(P·scale)/scale - P| <= u · P + eta (unit-P terms, no saturation).
struct PRoundingError {
  double u = 0;
  double eta = 0;  // half the format's smallest subnormal, over the P scale
};
PRoundingError p_rounding_error(const PHandling& p);

struct AttentionErrorTerms {
  double relative = 0;  // times W_ic
  double absolute = 0;  // times A_ic
  double offset = 0;    // added to every element of the row (tensor-core models; 0 for fp32)
  // The part of `relative` from the P·V sums, the normalisation and the split sums: all a
  // kernel with another P rounding (same scores, P and l, bit for bit) does differently;
  // and the parts of `absolute` and `offset` from the P·V sums (0 for fp32).
  double accumulation = 0;
  double accumulation_absolute = 0;
  double accumulation_offset = 0;
  // Tensor-core models (0 for fp32): |O_kernel| <= magnitude · max_j |V̂_jc|, whatever the score
  // errors. Every P enters O and l with the same perturbation, so O is a weighted average
  // of V's rows (P's rounding, the FP32 rescales, normalisation and combine aside), and
  // truncation toward zero never grows a sum. Where the terms above are vacuous (a score
  // error so large that l's relative error reaches 1: relative is +inf) the judge falls
  // back to |O - O_ref| <= magnitude · max_j |V̂_jc| + |O_ref| (j over the keys row i sees).
  double magnitude = 0;
};

// `score_magnitude`: a bound on σ Σ_d |q̂_id k̂_jd| over the row's keys in log2 units
// (σ = s · log2 e), e.g. σ ||q̂_i|| max_j ||k̂_j|| (Cauchy-Schwarz). The fp32 model.
AttentionErrorTerms attention_error_terms(const AttentionDesc& problem, const AttentionConfig& config,
                                          double score_magnitude);

// What the bound of a tensor-core model needs of one row besides `score`.
struct AttentionRowMagnitudes {
  double score = 0;  // as score_magnitude above
  // σ Σ_d m(q̂_id) m(k̂_jd) bound over the row's keys (log2 units), m(x̂) = max(|x̂|,
  // 2^emin · descale) with emin of the score instruction's operand format.
  double score_aligned = 0;
  double score_unit = 0;  // σ · q_descale · k_descale: log2 units per unit of the raw S
  double v_descale = 0;
};

// The bound's terms under `model` (fp32: the function above, with magnitudes.score).
AttentionErrorTerms attention_error_terms(const AttentionDesc& problem, const AttentionConfig& config,
                                          const AttentionKernelModel& model, const AttentionRowMagnitudes& magnitudes);

// One line for the check's detail: what the bound is made of.
std::string attention_bound_derivation(const AttentionDesc& problem, const AttentionConfig& config,
                                       const AttentionKernelModel& model = {});

}  // namespace fp8check
