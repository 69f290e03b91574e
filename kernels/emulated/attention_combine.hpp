// Combining the KV splits of one query row (flash-decoding), host+device. Each split s
// produced a normalised partial output O_s and its log-sum-exp lse_s (log2 units). As
// FlashAttention's combine kernel:
//   lse_max = max_s lse_s;   sum = Σ_s 2^(lse_s - lse_max);   lse = lse_max + log2(sum)
//   O = Σ_s 2^(lse_s - lse) · O_s
// in FP32 with exp2_portable / log2_portable, both sums over s in the config's order
// (sequential: s = 0, 1, ...; tree: pairwise, level by level). Splits that saw no key have
// lse_s = -inf and weight 0; if every split is empty the row is 0 with lse = -inf.
#pragma once

#include <cstdint>

#include "harness/core/host_device.hpp"
#include "kernels/emulated/attention_numerics.hpp"

namespace fp8check::attention {

// Sums t[0 .. n) in place: sequentially (t[0] + t[1]) + t[2] ..., or pairwise by levels
// ([a, b, c, d, e] -> [a+b, c+d, e] -> [(a+b)+(c+d), e] -> ...). Returns the sum; t is scratch.
FP8C_HD_INLINE float ordered_sum(float* t, int n, bool tree) {
  if (!tree) {
    float sum = t[0];
    for (int s = 1; s < n; ++s) sum = sum + t[s];
    return sum;
  }
  while (n > 1) {
    const int half = n / 2;
    for (int i = 0; i < half; ++i) t[i] = t[2 * i] + t[2 * i + 1];
    if (n % 2 != 0) t[half] = t[n - 1];
    n = half + n % 2;
  }
  return t[0];
}

// o_s[c] = o[s * o_stride + c]. Writes out[c] for c < cols and returns the row's lse (log2).
// `weights` and `terms` are scratch of `splits` floats each (splits >= 1).
FP8C_HD_INLINE float combine_splits(int splits, const float* lse, const float* o, std::int64_t o_stride, int cols,
                                    bool tree, float* out, float* weights, float* terms) {
  float lse_max = kNegativeInfinity;
  for (int s = 0; s < splits; ++s) lse_max = lse[s] > lse_max ? lse[s] : lse_max;
  if (lse_max == kNegativeInfinity) {
    for (int c = 0; c < cols; ++c) out[c] = 0.0f;
    return kNegativeInfinity;
  }
  for (int s = 0; s < splits; ++s) terms[s] = exp2_portable(lse[s] - lse_max);
  const float row_lse = lse_max + log2_portable(ordered_sum(terms, splits, tree));
  for (int s = 0; s < splits; ++s) weights[s] = exp2_portable(lse[s] - row_lse);
  for (int c = 0; c < cols; ++c) {
    for (int s = 0; s < splits; ++s) terms[s] = weights[s] * o[s * o_stride + c];
    out[c] = ordered_sum(terms, splits, tree);
  }
  return row_lse;
}

}  // namespace fp8check::attention
