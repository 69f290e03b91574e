// AVX2 micro-tile kernels (gemm_tile_kernels.hpp): the scalar kernels' arithmetic, eight
// lanes at a time. Built with -mavx2 only — no -mfma, so every a*b is rounded before
// it is added, exactly as in the scalar kernels. Called only after a run-time CPU check.
// Uses no standard-library or shared inline code (see the header).
#include <immintrin.h>

#include "kernels/emulated/gemm_tile_kernels.hpp"

namespace fp8check::detail {
namespace {

constexpr int R = kTileRows;
constexpr int L = kTileLanes;
constexpr int V = L / 8;  // vectors per row
static_assert(R == 4 && V == 3, "the register blocking below is written for a 4 x 24 tile");

// sums[3i + v] = sum over k in [begin, end) of a_i[k] * b[k][8v..8v+7], in k order, starting
// at the first product. The sums live in twelve named registers: kept in an array, or
// inlined into a caller with more live values, gcc 12 spills them on every k step.
__attribute__((noinline)) void run_sums(const float* const* a_rows, const float* b_panel, std::int64_t begin,
                                        std::int64_t end, __m256* sums) {
  const float* a0 = a_rows[0] + begin;
  const float* a1 = a_rows[1] + begin;
  const float* a2 = a_rows[2] + begin;
  const float* a3 = a_rows[3] + begin;
  const float* b = b_panel + begin * L;
  __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), b2 = _mm256_loadu_ps(b + 16);
  __m256 a = _mm256_broadcast_ss(a0);
  __m256 s00 = _mm256_mul_ps(a, b0), s01 = _mm256_mul_ps(a, b1), s02 = _mm256_mul_ps(a, b2);
  a = _mm256_broadcast_ss(a1);
  __m256 s10 = _mm256_mul_ps(a, b0), s11 = _mm256_mul_ps(a, b1), s12 = _mm256_mul_ps(a, b2);
  a = _mm256_broadcast_ss(a2);
  __m256 s20 = _mm256_mul_ps(a, b0), s21 = _mm256_mul_ps(a, b1), s22 = _mm256_mul_ps(a, b2);
  a = _mm256_broadcast_ss(a3);
  __m256 s30 = _mm256_mul_ps(a, b0), s31 = _mm256_mul_ps(a, b1), s32 = _mm256_mul_ps(a, b2);
  const std::int64_t count = end - begin;
  for (std::int64_t k = 1; k < count; ++k) {
    b += L;
    b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), b2 = _mm256_loadu_ps(b + 16);
    a = _mm256_broadcast_ss(a0 + k);
    s00 = _mm256_add_ps(s00, _mm256_mul_ps(a, b0));
    s01 = _mm256_add_ps(s01, _mm256_mul_ps(a, b1));
    s02 = _mm256_add_ps(s02, _mm256_mul_ps(a, b2));
    a = _mm256_broadcast_ss(a1 + k);
    s10 = _mm256_add_ps(s10, _mm256_mul_ps(a, b0));
    s11 = _mm256_add_ps(s11, _mm256_mul_ps(a, b1));
    s12 = _mm256_add_ps(s12, _mm256_mul_ps(a, b2));
    a = _mm256_broadcast_ss(a2 + k);
    s20 = _mm256_add_ps(s20, _mm256_mul_ps(a, b0));
    s21 = _mm256_add_ps(s21, _mm256_mul_ps(a, b1));
    s22 = _mm256_add_ps(s22, _mm256_mul_ps(a, b2));
    a = _mm256_broadcast_ss(a3 + k);
    s30 = _mm256_add_ps(s30, _mm256_mul_ps(a, b0));
    s31 = _mm256_add_ps(s31, _mm256_mul_ps(a, b1));
    s32 = _mm256_add_ps(s32, _mm256_mul_ps(a, b2));
  }
  sums[0] = s00, sums[1] = s01, sums[2] = s02, sums[3] = s10, sums[4] = s11, sums[5] = s12;
  sums[6] = s20, sums[7] = s21, sums[8] = s22, sums[9] = s30, sums[10] = s31, sums[11] = s32;
}

// scale_a[i][group_a] * scale_b[group_b][lanes of v]: the product first, as the scalar kernel.
inline __attribute__((always_inline)) __m256 run_scale(const TileArgs& t, const KRun& run, int i, int v) {
  return _mm256_mul_ps(_mm256_broadcast_ss(t.a_scales[i] + run.group_a),
                       _mm256_loadu_ps(t.b_scales + run.group_b * L + 8 * v));
}

}  // namespace

void tile_fp32_avx2(const TileArgs& t) {
  __m256 sums[R * V];
  for (std::int64_t r = 0; r < t.run_count; ++r) {
    const KRun& run = t.runs[r];
    run_sums(t.a_rows, t.b_panel, run.begin, run.end, sums);
    for (int i = 0; i < R; ++i) {
      float* acc = t.acc_f32 + i * t.state_ld;
      for (int v = 0; v < V; ++v) {
        const __m256 sum = sums[i * V + v];
        const __m256 add = t.k_blocked ? _mm256_mul_ps(sum, run_scale(t, run, i, v)) : sum;
        _mm256_storeu_ps(acc + 8 * v, _mm256_add_ps(_mm256_loadu_ps(acc + 8 * v), add));
      }
    }
  }
}

}  // namespace fp8check::detail
