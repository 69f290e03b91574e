#include "kernels/emulated/attention_tiles.hpp"

#include <cstring>

namespace fp8check::detail {
namespace {

// Eight floats, lane-wise IEEE arithmetic (GCC/Clang vector extension): on the baseline
// target a pair of SSE registers, on AVX2 one register. Used only inside function bodies.
typedef float F32x8 __attribute__((vector_size(32)));

constexpr int kRows = 4;   // rows per register tile
constexpr int kLanes = 16;  // columns per register tile (two F32x8)

// Both tiles are one product, C = (kAccumulate ? C : 0) + A * B over `depth` terms, each
// element summed in the order j = 0, 1, ..., depth - 1 (so the register tiles and the
// edges give the same bits).

// The reference form, for the edges: one element at a time.
template <bool kAccumulate>
void product_edge(const float* a, std::int64_t ld_a, std::int64_t r0, std::int64_t r1, std::int64_t depth,
                  const float* b, std::int64_t ld_b, std::int64_t c0, std::int64_t c1, float* c, std::int64_t ld_c) {
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t col = c0; col < c1; ++col) {
      float sum = kAccumulate ? c[r * ld_c + col] : 0.0f;
      for (std::int64_t j = 0; j < depth; ++j) sum = sum + a[r * ld_a + j] * b[j * ld_b + col];
      c[r * ld_c + col] = sum;
    }
}

// kRows x kLanes register tiles, then the edges. Always inlined, so that each target clone
// below compiles it for its own target.
template <bool kAccumulate>
[[gnu::always_inline]] inline void tile_product(const float* a, std::int64_t ld_a, std::int64_t rows,
                                                std::int64_t depth, const float* b, std::int64_t ld_b,
                                                std::int64_t cols, float* c, std::int64_t ld_c) {
  const std::int64_t full_rows = rows / kRows * kRows, full_cols = cols / kLanes * kLanes;
  for (std::int64_t r0 = 0; r0 < full_rows; r0 += kRows)
    for (std::int64_t c0 = 0; c0 < full_cols; c0 += kLanes) {
      F32x8 sum[kRows][2] = {};
      if constexpr (kAccumulate) {
        for (int r = 0; r < kRows; ++r) {
          std::memcpy(&sum[r][0], c + (r0 + r) * ld_c + c0, sizeof sum[r][0]);
          std::memcpy(&sum[r][1], c + (r0 + r) * ld_c + c0 + 8, sizeof sum[r][1]);
        }
      }
      for (std::int64_t j = 0; j < depth; ++j) {
        F32x8 b0, b1;
        std::memcpy(&b0, b + j * ld_b + c0, sizeof b0);
        std::memcpy(&b1, b + j * ld_b + c0 + 8, sizeof b1);
        for (int r = 0; r < kRows; ++r) {
          const float av = a[(r0 + r) * ld_a + j];
          sum[r][0] = sum[r][0] + av * b0;
          sum[r][1] = sum[r][1] + av * b1;
        }
      }
      for (int r = 0; r < kRows; ++r) {
        std::memcpy(c + (r0 + r) * ld_c + c0, &sum[r][0], sizeof sum[r][0]);
        std::memcpy(c + (r0 + r) * ld_c + c0 + 8, &sum[r][1], sizeof sum[r][1]);
      }
    }
  product_edge<kAccumulate>(a, ld_a, 0, full_rows, depth, b, ld_b, full_cols, cols, c, ld_c);
  product_edge<kAccumulate>(a, ld_a, full_rows, rows, depth, b, ld_b, 0, cols, c, ld_c);
}

}  // namespace

[[gnu::target_clones("avx2", "default")]] void attention_score_tile(const float* q, std::int64_t ld_q,
                                                                    std::int64_t rows, std::int64_t depth,
                                                                    const float* kt, std::int64_t ld_kt,
                                                                    std::int64_t cols, float* s, std::int64_t ld_s) {
  tile_product<false>(q, ld_q, rows, depth, kt, ld_kt, cols, s, ld_s);
}

[[gnu::target_clones("avx2", "default")]] void attention_pv_tile(const float* p, std::int64_t ld_p, std::int64_t rows,
                                                                 std::int64_t keys, const float* v, std::int64_t ld_v,
                                                                 std::int64_t cols, float* acc, std::int64_t ld_acc) {
  tile_product<true>(p, ld_p, rows, keys, v, ld_v, cols, acc, ld_acc);
}

[[gnu::target_clones("avx2", "default")]] float attention_scale_scores(float* s, std::int64_t count,
                                                                       std::int64_t visible, float scale_log2) {
  for (std::int64_t j = 0; j < count; ++j) s[j] = s[j] * scale_log2;
  float max = attention::kNegativeInfinity;
  for (std::int64_t j = 0; j < visible; ++j) max = s[j] > max ? s[j] : max;
  return max;
}

[[gnu::target_clones("avx2", "default")]] ProbabilityStats attention_row_probabilities(
    const float* s, std::int64_t count, std::int64_t visible, float m, float p_scale,
    const attention::PRounding& rounding, float* p, float* l) {
  ProbabilityStats stats;
  for (std::int64_t j = 0; j < visible; ++j) p[j] = attention::exp2_portable(s[j] - m) * p_scale;
  float sum = *l, max = 0.0f;
  std::int64_t saturated = 0;
  for (std::int64_t j = 0; j < visible; ++j) sum = sum + p[j];  // the row sum keeps P unrounded
  for (std::int64_t j = 0; j < visible; ++j) {
    max = p[j] > max ? p[j] : max;
    saturated += p[j] > rounding.max_finite ? 1 : 0;
  }
  for (std::int64_t j = 0; j < visible; ++j) p[j] = attention::round_p(p[j], rounding);
  for (std::int64_t j = visible; j < count; ++j) p[j] = 0.0f;
  *l = sum;
  stats.p_max = max;
  stats.saturated = saturated;
  return stats;
}

}  // namespace fp8check::detail
