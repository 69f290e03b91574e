// The inner loops of the emulated attention (attention_emulated.cpp): the score tile
// S = Q Kᵀ, the probabilities of one row of a block, and the P·V accumulation. Each output
// element has its own sequential order of operations (scores: d = 0, 1, ...; P·V: keys
// j = j0, j0 + 1, ...), so vectorising across elements changes no bit. The loops are
// compiled for AVX2 and for the baseline x86-64, picked at run time (target_clones), so
// the default build needs no -march flag and both give the same bits.
#pragma once

#include <cstdint>

#include "kernels/emulated/attention_numerics.hpp"

namespace fp8check::detail {

// s[r * ld_s + c] = sum_d q[r * ld_q + d] * kt[d * ld_kt + c], summed in FP32 from +0 in
// order d = 0 .. depth-1 (products of FP8/bf16 values are exact in FP32), for r < rows,
// c < cols.
void attention_score_tile(const float* q, std::int64_t ld_q, std::int64_t rows, std::int64_t depth, const float* kt,
                          std::int64_t ld_kt, std::int64_t cols, float* s, std::int64_t ld_s);

// acc[r * ld_acc + c] += p[r * ld_p + j] * v[j * ld_v + c], one FP32 addition per key, in
// order j = 0 .. keys-1, for r < rows, c < cols.
void attention_pv_tile(const float* p, std::int64_t ld_p, std::int64_t rows, std::int64_t keys, const float* v,
                       std::int64_t ld_v, std::int64_t cols, float* acc, std::int64_t ld_acc);

// s[j] <- s[j] * scale_log2 for j < count; returns the max over the first `visible`
// (>= 1) of them (NaN scores never win).
float attention_scale_scores(float* s, std::int64_t count, std::int64_t visible, float scale_log2);

// What one row's probabilities of one block did.
struct ProbabilityStats {
  float p_max = 0.0f;            // max P·scale (NaN ignored)
  std::int64_t saturated = 0;    // P·scale > the P format's largest finite value
};

// For j < visible: ps = exp2(s[j] - m) * p_scale; *l += ps (FP32, in order j = 0, 1, ...);
// p[j] = round_p(ps). For visible <= j < count: p[j] = 0 (masked keys; *l is unchanged).
ProbabilityStats attention_row_probabilities(const float* s, std::int64_t count, std::int64_t visible, float m,
                                             float p_scale, const attention::PRounding& rounding, float* p,
                                             float* l);

}  // namespace fp8check::detail
