// The index arithmetic of fp8check's own GEMM kernel outside the instruction fragments:
// which K range a split-K slice covers, which bytes a thread copies into which shared-
// memory slot (with the bank swizzle), where a scale is read, when the tensor-core partial
// is promoted, and where an output element lands. Host and device code; the kernel
// (kernels/cuda/own/gemm_kernel.cuh) and the CPU twin (kernels/cuda/twin) both call it.
#pragma once

#include <cmath>
#include <cstdint>

#include "harness/core/host_device.hpp"
#include "kernels/cuda/index/gemm_params.hpp"

namespace fp8check::cuda_index {

// Promotion of the tensor-core partial into the FP32 register sum every 128 k, as
// DeepGEMM (deep_gemm/include/deep_gemm/fp8_gemm.cuh) and the kernel model sm89-mma.p128.
inline constexpr int kPromotionInterval = 128;

// Split-K (docs/accumulation.md, "Segments"): slice s covers k in [s * L, min(K, (s + 1) * L))
// with L = ceil(ceil(K / S) / block_k) * block_k, so every slice starts on a k-tile.
FP8C_HD_INLINE std::int64_t slice_length(std::int64_t k, int split_k, int block_k) {
  const std::int64_t per_slice = (k + split_k - 1) / split_k;
  return (per_slice + block_k - 1) / block_k * block_k;
}
struct KRange {
  std::int64_t begin = 0, end = 0;
};
FP8C_HD_INLINE KRange slice_range(const GemmKernelParams& p, int slice) {
  const std::int64_t begin = slice * p.slice_length, end = begin + p.slice_length;
  return {begin < p.k ? begin : p.k, end < p.k ? end : p.k};
}

// Byte offset of element (row, k) inside one block_x x block_k tile of 8-bit codes. The
// 16-byte chunks of a row are permuted by XOR with the row (mod the chunks per row, at most
// 8), so that the 8 rows a warp's fragment loads touch at once fall into different banks;
// whole chunks move, so every 16-byte cp.async stays one aligned 16-byte store.
FP8C_HD_INLINE int swizzled_offset(int row, int k, int block_k) {
  const int chunks = block_k / 16;
  const int mask = (chunks < 8 ? chunks : 8) - 1;
  return row * block_k + ((((k >> 4) ^ (row & mask)) << 4) | (k & 15));
}

// The copy of one k-tile: the tile's 16-byte chunks are numbered row by row, chunk c holds
// (row c / (block_k / 16), k (c % (block_k / 16)) * 16 ..); thread t copies chunks t,
// t + threads, ...
struct TileChunk {
  int row = 0;
  int k = 0;  // first k of the chunk, relative to the tile
};
FP8C_HD_INLINE TileChunk tile_chunk(int chunk, int block_k) { return {chunk / (block_k / 16), (chunk % (block_k / 16)) * 16}; }

// Global address of A's codes (unit row `row` of the tile row, absolute k).
FP8C_HD_INLINE const std::uint8_t* a_codes(const GemmKernelParams& p, const TileRow& t, std::int64_t row, std::int64_t k) {
  return p.a.codes + t.a_batch * p.a.batch_stride + (t.row_begin + row) * p.a.ld + k;
}
// Global address of B's codes (column n, absolute k); B is stored N x K (K-major).
FP8C_HD_INLINE const std::uint8_t* b_codes(const GemmKernelParams& p, const TileRow& t, std::int64_t n, std::int64_t k) {
  return p.b.codes + t.b_batch * p.b.batch_stride + n * p.b.ld + k;
}

// K-blocked scales read for the k-tile starting at k0 (its scale group is k0 / group: a
// k-tile never spans two groups, the selector makes block_k divide the group): A's scale
// of the tile's local row r, and B's scale of the j-th B scale block the tile touches.
FP8C_HD_INLINE const float* a_scale_address(const GemmKernelParams& p, const TileRow& t, std::int64_t row, std::int64_t k0) {
  const ScaleView& s = p.a.scales;
  return s.data + t.a_batch * s.batch_stride + (t.row_begin + row) / s.block_mn * s.stride_mn + k0 / s.block_k * s.stride_k;
}
FP8C_HD_INLINE const float* b_scale_address(const GemmKernelParams& p, const TileRow& t, std::int64_t n0, int j,
                                            std::int64_t k0) {
  const ScaleView& s = p.b.scales;
  return s.data + t.b_batch * s.batch_stride + (n0 / s.block_mn + j) * s.stride_mn + k0 / s.block_k * s.stride_k;
}
// Which of the tile's B scale slots holds column n (n0: the tile's first column).
FP8C_HD_INLINE int b_scale_slot(const GemmKernelParams& p, std::int64_t n0, std::int64_t n) {
  return static_cast<int>(n / p.b.scales.block_mn - n0 / p.b.scales.block_mn);
}

// Address of the single scale of an operand without K blocks for row/column mn (per-tensor,
// per-row, per-column): ScaleView::of_group(batch, mn, 0); nullptr without scales.
FP8C_HD_INLINE const float* outer_scale_address(const ScaleView& s, std::int64_t batch, std::int64_t mn) {
  if (s.data == nullptr) return nullptr;
  return s.data + batch * s.batch_stride + (s.block_mn > 0 ? mn / s.block_mn : 0) * s.stride_mn;
}

// The scale group K-blocked operands have (their common K block), 0 when neither is.
FP8C_HD_INLINE int k_scale_group(const GemmKernelParams& p) {
  return p.a.scales.k_blocked() ? p.a.scales.block_k : p.b.scales.k_blocked() ? p.b.scales.block_k : 0;
}

// Whether the partial is promoted after the instruction whose k range ends at k_end:
// every kPromotionInterval k counted from the slice start, at every K scale-group boundary
// (a partial cannot mix scales), and after the slice's last instruction.
FP8C_HD_INLINE bool promotes_after(std::int64_t k_end, KRange slice, int group_k) {
  return k_end >= slice.end || (k_end - slice.begin) % kPromotionInterval == 0 || (group_k > 0 && k_end % group_k == 0);
}

// The FP32 register sum after a promotion. K-blocked scales: DeepGEMM's
// `final_accum += scale_a * scale_b * accum`, which nvcc contracts to one FFMA:
// fma(fl32(scale_a * scale_b), partial, sum). Otherwise one FP32 add (the kernel model's
// fp32_promote; outer scales are applied in the epilogue).
FP8C_HD_INLINE float promote(float sum, float partial, bool k_blocked, float scale_a, float scale_b) {
#if defined(__CUDA_ARCH__)
  return k_blocked ? __fmaf_rn(__fmul_rn(scale_a, scale_b), partial, sum) : __fadd_rn(sum, partial);
#else
  return k_blocked ? std::fma(scale_a * scale_b, partial, sum) : sum + partial;
#endif
}

// D's linear index of (tile row, local row, column); rows past the unit and columns past N
// are not written.
FP8C_HD_INLINE std::int64_t d_index(const GemmKernelParams& p, const TileRow& t, std::int64_t local_row, std::int64_t col) {
  return (t.a_batch * p.rows_per_batch + t.row_begin + t.row0 + local_row) * p.n + col;
}
FP8C_HD_INLINE bool row_written(const TileRow& t, std::int64_t local_row) { return t.row0 + local_row < t.rows; }

}  // namespace fp8check::cuda_index
