// Portable micro-tile kernels (gemm_tile_kernels.hpp). Each lane's sum runs in k order;
// the loops over lanes are independent, so a compiler may vectorise them without
// changing a bit (no reassociation without -ffast-math, no contraction: -ffp-contract=off).
#include "kernels/emulated/gemm_tile_kernels.hpp"

namespace fp8check::detail {
namespace {

constexpr int R = kTileRows;
constexpr int L = kTileLanes;

// seg[i][j] = sum over the run of a_i[k] * b[k][j], in k order, starting at the first product.
template <typename Sum, typename Product>
void run_sums(const TileArgs& t, const KRun& run, Sum (&seg)[R][L], Product product) {
  const float* b = t.b_panel + run.begin * L;
  for (int i = 0; i < R; ++i) {
    const float a = t.a_rows[i][run.begin];
    for (int j = 0; j < L; ++j) seg[i][j] = product(a, b[j]);
  }
  for (std::int64_t k = run.begin + 1; k < run.end; ++k) {
    b += L;
    for (int i = 0; i < R; ++i) {
      const float a = t.a_rows[i][k];
      for (int j = 0; j < L; ++j) seg[i][j] = seg[i][j] + product(a, b[j]);
    }
  }
}

float scale_f32(const TileArgs& t, const KRun& run, int i, int j) {
  return t.a_scales[i][run.group_a] * t.b_scales[run.group_b * L + j];  // scale_a * scale_b first
}

double scale_f64(const TileArgs& t, const KRun& run, int i, int j) {
  return static_cast<double>(t.a_scales[i][run.group_a]) * static_cast<double>(t.b_scales[run.group_b * L + j]);
}

}  // namespace

void tile_fp32_scalar(const TileArgs& t) {
  float seg[R][L];
  for (std::int64_t r = 0; r < t.run_count; ++r) {
    const KRun& run = t.runs[r];
    run_sums(t, run, seg, [](float a, float b) { return a * b; });
    for (int i = 0; i < R; ++i) {
      float* acc = t.acc_f32 + i * t.state_ld;
      for (int j = 0; j < L; ++j) acc[j] = t.k_blocked ? acc[j] + seg[i][j] * scale_f32(t, run, i, j) : acc[j] + seg[i][j];
    }
  }
}

void tile_exact_scalar(const TileArgs& t) {
  double seg[R][L];
  for (std::int64_t r = 0; r < t.run_count; ++r) {
    const KRun& run = t.runs[r];
    run_sums(t, run, seg, [](float a, float b) { return static_cast<double>(a) * static_cast<double>(b); });
    for (int i = 0; i < R; ++i) {
      double* acc = t.acc_f64 + i * t.state_ld;
      for (int j = 0; j < L; ++j) acc[j] = t.k_blocked ? acc[j] + seg[i][j] * scale_f64(t, run, i, j) : acc[j] + seg[i][j];
    }
  }
}

void tile_integer_scalar(const TileArgs& t) {
  std::int64_t seg[R][L];
  for (std::int64_t r = 0; r < t.run_count; ++r) {
    const KRun& run = t.runs[r];
    // Packed integer elements are exact floats; their products and sums are exact in int64.
    run_sums(t, run, seg, [](float a, float b) {
      return static_cast<std::int64_t>(static_cast<std::int32_t>(a) * static_cast<std::int32_t>(b));
    });
    for (int i = 0; i < R; ++i) {
      for (int j = 0; j < L; ++j) {
        const std::int64_t at = i * t.state_ld + j;
        if (t.acc_i64 != nullptr) {
          t.acc_i64[at] += seg[i][j];
        } else if (t.acc_f64 != nullptr) {
          t.acc_f64[at] = t.acc_f64[at] + static_cast<double>(seg[i][j]) * scale_f64(t, run, i, j);
        } else {
          t.acc_f32[at] = t.acc_f32[at] + static_cast<float>(seg[i][j]) * scale_f32(t, run, i, j);
        }
      }
    }
  }
}

}  // namespace fp8check::detail
