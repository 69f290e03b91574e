// The inner kernels of the emulated GEMM: one micro-tile of kTileRows x kTileLanes
// outputs over a list of runs (gemm_schedule.hpp). Each lane is one output element with
// its own sequential k order, so vectorising across lanes changes no bit: the avx2
// kernels (gemm_tile_avx2.cpp, the only file built with -mavx2) and the scalar ones
// (gemm_tile_scalar.cpp) give identical results, which tests/gemm_emulated_test.cpp checks.
//
// The avx2 translation unit must not emit inline functions shared with other units
// (the linker could keep its AVX2 copy for all), so this interface is plain data and
// free functions.
#pragma once

#include <cstdint>

#include "kernels/emulated/gemm_schedule.hpp"

namespace fp8check::detail {

inline constexpr int kTileRows = 4;    // output rows per micro-tile
inline constexpr int kTileLanes = 24;  // output columns per micro-tile (three 8-float vectors)

struct TileArgs {
  const float* a_rows[kTileRows];    // packed A rows, indexed by k (a missing row points at zeros)
  const float* a_scales[kTileRows];  // K-blocked recipes: packed A scales of each row, by K group
  const float* b_panel;              // packed B: the lanes of k at b_panel + k * kTileLanes
  const float* b_scales;             // K-blocked recipes: group g's lane scales at b_scales + g * kTileLanes
  const KRun* runs;
  std::int64_t run_count;
  bool k_blocked;                    // scale each run (segment) by scale_a * scale_b
  std::int64_t state_ld;             // elements between rows of the state arrays
  float* acc_f32 = nullptr;          // fp32: slice accumulator
  double* acc_f64 = nullptr;         // exact
  std::int64_t* acc_i64 = nullptr;   // integer operands, outer recipes
};

// fp32 on float elements: run sums in FP32, folded into acc_f32.
void tile_fp32_scalar(const TileArgs& t);
// exact on float elements: everything in FP64, folded into acc_f64.
void tile_exact_scalar(const TileArgs& t);
// Integer elements: exact int64 run sums; outer recipes add them into acc_i64, K-blocked
// recipes convert each run sum (RNE) and fold it scaled into acc_f32, or acc_f64 when set.
void tile_integer_scalar(const TileArgs& t);

#if defined(__x86_64__)
#define FP8C_HAVE_GEMM_AVX2 1
void tile_fp32_avx2(const TileArgs& t);
#else
#define FP8C_HAVE_GEMM_AVX2 0
#endif

}  // namespace fp8check::detail
