#include "kernels/emulated/attention_tiles.hpp"

#include <cstring>

namespace fp8check::detail {
namespace {

// Eight floats, lane-wise IEEE arithmetic (GCC/Clang vector extension): on the baseline
// target a pair of SSE registers, on AVX2 one register. Used only inside function bodies.
typedef float F32x8 __attribute__((vector_size(32)));

constexpr int kRows = 4;   // rows per register tile
constexpr int kLanes = 16;  // columns per register tile (two F32x8)

// The reference form of both tiles, for the edges: one element at a time, same order.
void score_edge(const float* q, std::int64_t ld_q, std::int64_t r0, std::int64_t r1, std::int64_t depth,
                const float* kt, std::int64_t ld_kt, std::int64_t c0, std::int64_t c1, float* s, std::int64_t ld_s) {
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t c = c0; c < c1; ++c) {
      float sum = 0.0f;
      for (std::int64_t d = 0; d < depth; ++d) sum = sum + q[r * ld_q + d] * kt[d * ld_kt + c];
      s[r * ld_s + c] = sum;
    }
}

void pv_edge(const float* p, std::int64_t ld_p, std::int64_t r0, std::int64_t r1, std::int64_t keys, const float* v,
             std::int64_t ld_v, std::int64_t c0, std::int64_t c1, float* acc, std::int64_t ld_acc) {
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t c = c0; c < c1; ++c) {
      float sum = acc[r * ld_acc + c];
      for (std::int64_t j = 0; j < keys; ++j) sum = sum + p[r * ld_p + j] * v[j * ld_v + c];
      acc[r * ld_acc + c] = sum;
    }
}

}  // namespace

[[gnu::target_clones("avx2", "default")]] void attention_score_tile(const float* q, std::int64_t ld_q,
                                                                    std::int64_t rows, std::int64_t depth,
                                                                    const float* kt, std::int64_t ld_kt,
                                                                    std::int64_t cols, float* s, std::int64_t ld_s) {
  const std::int64_t full_rows = rows / kRows * kRows, full_cols = cols / kLanes * kLanes;
  for (std::int64_t r0 = 0; r0 < full_rows; r0 += kRows)
    for (std::int64_t c0 = 0; c0 < full_cols; c0 += kLanes) {
      F32x8 acc[kRows][2] = {};
      for (std::int64_t d = 0; d < depth; ++d) {
        F32x8 k0, k1;
        std::memcpy(&k0, kt + d * ld_kt + c0, sizeof k0);
        std::memcpy(&k1, kt + d * ld_kt + c0 + 8, sizeof k1);
        for (int r = 0; r < kRows; ++r) {
          const float qv = q[(r0 + r) * ld_q + d];
          acc[r][0] = acc[r][0] + qv * k0;
          acc[r][1] = acc[r][1] + qv * k1;
        }
      }
      for (int r = 0; r < kRows; ++r) {
        std::memcpy(s + (r0 + r) * ld_s + c0, &acc[r][0], sizeof acc[r][0]);
        std::memcpy(s + (r0 + r) * ld_s + c0 + 8, &acc[r][1], sizeof acc[r][1]);
      }
    }
  score_edge(q, ld_q, 0, full_rows, depth, kt, ld_kt, full_cols, cols, s, ld_s);
  score_edge(q, ld_q, full_rows, rows, depth, kt, ld_kt, 0, cols, s, ld_s);
}

[[gnu::target_clones("avx2", "default")]] void attention_pv_tile(const float* p, std::int64_t ld_p, std::int64_t rows,
                                                                 std::int64_t keys, const float* v, std::int64_t ld_v,
                                                                 std::int64_t cols, float* acc, std::int64_t ld_acc) {
  const std::int64_t full_rows = rows / kRows * kRows, full_cols = cols / kLanes * kLanes;
  for (std::int64_t r0 = 0; r0 < full_rows; r0 += kRows)
    for (std::int64_t c0 = 0; c0 < full_cols; c0 += kLanes) {
      F32x8 sum[kRows][2];
      for (int r = 0; r < kRows; ++r) {
        std::memcpy(&sum[r][0], acc + (r0 + r) * ld_acc + c0, sizeof sum[r][0]);
        std::memcpy(&sum[r][1], acc + (r0 + r) * ld_acc + c0 + 8, sizeof sum[r][1]);
      }
      for (std::int64_t j = 0; j < keys; ++j) {
        F32x8 v0, v1;
        std::memcpy(&v0, v + j * ld_v + c0, sizeof v0);
        std::memcpy(&v1, v + j * ld_v + c0 + 8, sizeof v1);
        for (int r = 0; r < kRows; ++r) {
          const float pv = p[(r0 + r) * ld_p + j];
          sum[r][0] = sum[r][0] + pv * v0;
          sum[r][1] = sum[r][1] + pv * v1;
        }
      }
      for (int r = 0; r < kRows; ++r) {
        std::memcpy(acc + (r0 + r) * ld_acc + c0, &sum[r][0], sizeof sum[r][0]);
        std::memcpy(acc + (r0 + r) * ld_acc + c0 + 8, &sum[r][1], sizeof sum[r][1]);
      }
    }
  pv_edge(p, ld_p, 0, full_rows, keys, v, ld_v, full_cols, cols, acc, ld_acc);
  pv_edge(p, ld_p, full_rows, rows, keys, v, ld_v, 0, cols, acc, ld_acc);
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
