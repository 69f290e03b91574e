// The fast path of mma_chain_gemm for FP8 kernel models whose steps fit 32-bit lanes
// (sm89-mma, sm90-wgmma with F <= 16): a panel of 32 output columns, a block of rows, the
// windows of one split-K slice (chain_gemm.hpp), computed with MMA-Sim's arithmetic
// (fused_dot_add.hpp) rearranged for SIMD:
// - an FP8 product p = a * b is exact in FP32, and its aligned, truncated term is
//   trunc(p * 2^(F - Emax)), a truncating conversion (cvttps2dq) of an exact product;
// - Emax, the largest exponent SUM e_a + e_b, comes from 8-bit exponents with saturating
//   adds: a sum below -128 (a zero operand's -126 plus a negative exponent) saturates, and
//   never matters, since c's exponent (at least -126) takes part in the maximum;
// - c is aligned in integers, and d (e8mN) is the exactly converted sum with its fraction
//   truncated and its exponent field moved;
// - a promotion is one FP32 add, or with scales one FMA (fl32(scale_a * scale_b) * partial
//   + sum, rounded once), for which the CPU must have FMA (the caller checks).
// A step the lanes do not cover (a NaN or inf code in the step, a NaN/inf c, a result
// that is subnormal or of 2^53 or more) goes to `scalar_step`, the scalar model, so every bit
// equals mma_chain_gemm's scalar path (tests/mma/mma_chain_test.cpp compares them).
//
// fp8_chain_kernel_avx2.cpp is the only file built with -mavx2 and calls nothing inline
// from shared headers (tests/check_avx2_object.cmake): this interface is plain data.
#pragma once

#include <cstdint>

namespace fp8check::detail {

inline constexpr int kFp8PanelLanes = 32;  // output columns per panel
inline constexpr int kFp8RowBlock = 16;    // rows advanced together, step by step
inline constexpr int kFp8MaxFractionBits = 16;

// A window in steps (k / step_k): steps [begin, end), then a promotion with the scales of
// groups (group_a, group_b).
struct Fp8Window {
  std::int64_t begin = 0, end = 0;
  std::int64_t group_a = 0, group_b = 0;
};

// A is packed by blocks of kFp8RowBlock rows, step-major inside a block, so that a block
// reads one sequential stream: element (row, k) of block g = row / kFp8RowBlock lies at
// ((g * steps + k / step_k) * kFp8RowBlock + row % kFp8RowBlock) * step_k + k % step_k
// (rows past M: +0, exponent -126); its special flag (NaN or inf in the row's step) at
// (g * steps + step) * kFp8RowBlock + row % kFp8RowBlock.
struct Fp8ChainPanel {
  const float* a_values;             // A packed as above: values
  const std::int8_t* a_exponents;    // MMA-Sim exponents (zero: -126)
  const std::uint8_t* a_special;     // 1 when the row's step holds a NaN or inf code
  const float* b_values;             // K x 32: this panel of B (missing lanes: +0)
  const std::int8_t* b_exponents;    // K x 32
  const std::uint8_t* b_special;     // per step: 1 when it holds a NaN or inf code of B
  std::int64_t k = 0;                // K
  std::int64_t m = 0;                // rows of A (rows past it are computed, not written)
  int step_k = 32;                   // products per fused step: 32, or 16 (sm_89's halves)
  int fraction_bits = 13;            // F <= kFp8MaxFractionBits
  int output_bits = 13;              // d keeps this many fraction bits (truncation)
  const Fp8Window* windows = nullptr;  // the slice's windows, in K order (none: the slice is +0)
  std::int64_t window_count = 0;
  // Scales at promotion (nullptr: plain adds): row r's group g at promote_a[r * promote_groups_a + g]
  // (rows of whole blocks), this panel's group g at promote_b[g * 32 + lane].
  const float* promote_a = nullptr;
  std::int64_t promote_groups_a = 0;
  const float* promote_b = nullptr;
  std::int64_t block_begin = 0, block_end = 0;  // row blocks to compute
  std::uint32_t* d = nullptr;        // the FP32 sums (or partials, no promotion): row r of the blocks at d + (r - block_begin * kFp8RowBlock) * 32
  // The accumulators the chains start from, laid out as d (rows < m only; may be d
  // itself); nullptr: +0 (a GEMM). Attention's P·V continues the running O this way.
  const std::uint32_t* c = nullptr;
  // false: no promotion at all; d receives the chain's last partial, bits as the instruction
  // left them (mma_chain_tile: one window, attention's per-block chains).
  bool promote = true;
  // The scalar model for one step of one row: partial[lane] = step(..., c = partial[lane]).
  void (*scalar_step)(const void* context, std::int64_t row, std::int64_t step, std::uint32_t* partial) = nullptr;
  const void* context = nullptr;
};

#if defined(__x86_64__)
#define FP8C_HAVE_FP8_CHAIN_AVX2 1
void fp8_chain_panel_avx2(const Fp8ChainPanel& panel);
#else
#define FP8C_HAVE_FP8_CHAIN_AVX2 0
#endif

}  // namespace fp8check::detail
