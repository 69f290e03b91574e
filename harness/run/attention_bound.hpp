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
#pragma once

#include <string>

#include "harness/configs/attention_config.hpp"
#include "harness/problem/attention_desc.hpp"

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
  // The part of `relative` from the P·V sums, the normalisation and the split sums: all a
  // kernel with another P rounding (same scores, P and l, bit for bit) does differently.
  double accumulation = 0;
};

// `score_magnitude`: a bound on σ Σ_d |q̂_id k̂_jd| over the row's keys in log2 units
// (σ = s · log2 e), e.g. σ ||q̂_i|| max_j ||k̂_j|| (Cauchy-Schwarz).
AttentionErrorTerms attention_error_terms(const AttentionDesc& problem, const AttentionConfig& config,
                                          double score_magnitude);

// One line for the check's detail: what the bound is made of.
std::string attention_bound_derivation(const AttentionDesc& problem, const AttentionConfig& config);

}  // namespace fp8check
