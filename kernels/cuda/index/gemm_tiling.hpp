// The shape of one thread block of fp8check's own GEMM kernel and where its operands live
// in shared memory. Host and device code, all constexpr: the CUDA kernel sizes its
// buffers from these, the CPU twin simulates the same buffers, and the tests hold the
// layout's size to the config selector's shared-memory model (harness/configs/
// gemm_selector.cpp) for every instantiated config.
//
// A block computes a block_m x block_n tile of D with `warps` warps arranged warps_m x
// warps_n; each warp owns a (block_m / warps_m) x (block_n / warps_n) piece made of
// m16n8 instruction tiles (mma_m x mma_n of them).
#pragma once

#include <cstdint>

#include "harness/core/host_device.hpp"

namespace fp8check::cuda_index {

// Which shared-memory model of the selector a kernel's layout follows (gemm_selector.cpp,
// shared_memory_bytes): mma_sync (sm_80..sm_89 profiles): the epilogue tile reuses the
// pipeline buffers, total = max(pipeline, epilogue); wgmma (sm_90+ profiles): the epilogue
// tile is a buffer of its own and the total is rounded up to 1024 bytes.
enum class SmemFamily : std::uint8_t { mma_sync, wgmma };

struct WarpLayout {
  int warps_m = 1, warps_n = 1;
  FP8C_HD constexpr int warps() const { return warps_m * warps_n; }
};

// Threads per block: 256 for tiles of 128 x 128 and larger, else 128 (the selector's
// register model assumes the same), fewer when the tile has fewer m16n8 pieces than
// warps. Warps are added along the longer side of the warp piece, as long as each warp
// keeps a whole number of 16-row and 8-column instruction tiles.
FP8C_HD_INLINE constexpr WarpLayout gemm_warp_layout(int block_m, int block_n) {
  const int wanted = block_m * block_n >= 128 * 128 ? 8 : 4;
  WarpLayout w;
  while (w.warps() < wanted) {
    const int piece_m = block_m / w.warps_m, piece_n = block_n / w.warps_n;
    const bool can_m = piece_m % 32 == 0;                     // halves stay multiples of 16
    const bool can_n = piece_n % 16 == 0;                     // halves stay multiples of 8
    if (can_m && (piece_m >= piece_n || !can_n)) w.warps_m *= 2;
    else if (can_n) w.warps_n *= 2;
    else break;
  }
  return w;
}

// Bytes of the selector's per-stage barrier allowance (full/empty barriers). This kernel
// synchronises its pipeline with cp.async groups and __syncthreads instead; it keeps the
// 16 bytes per stage so that its shared memory is exactly what the selector ranks configs by.
inline constexpr int kStageBarrierBytes = 16;

// Offsets (bytes) of one kernel instantiation's shared memory. Stage s's A tile (block_m x
// block_k codes), B tile (block_n x block_k codes), A scales and B scales (fp32) are
// grouped by kind, so every tile starts 16-byte aligned for cp.async whatever the scale
// counts: [A_0 .. A_{S-1}][B_0 .. B_{S-1}][scales A_0..][scales B_0..][barriers].
struct GemmSmemLayout {
  int stages = 1;
  int a_tile = 0, b_tile = 0;                   // bytes per stage
  int a_scale_count = 0, b_scale_count = 0;     // fp32 scales per stage
  int pipeline = 0;                             // bytes of every stage's buffers
  int epilogue_offset = 0, epilogue = 0;        // the block's output tile (block_m x block_n)
  int total = 0;                                // what the kernel allocates

  FP8C_HD constexpr int a_offset(int s) const { return s * a_tile; }
  FP8C_HD constexpr int b_offset(int s) const { return stages * a_tile + s * b_tile; }
  FP8C_HD constexpr int a_scale_offset(int s) const { return stages * (a_tile + b_tile) + s * a_scale_count * 4; }
  FP8C_HD constexpr int b_scale_offset(int s) const {
    return stages * (a_tile + b_tile + a_scale_count * 4) + s * b_scale_count * 4;
  }
};

// a_scale_count: A's K-blocked scales one k-tile reads (block_m / A's scale block rows,
// 0 when A is not K-blocked); b_scale_count likewise for B. out_bytes: bytes of one D element.
FP8C_HD_INLINE constexpr GemmSmemLayout gemm_smem_layout(SmemFamily family, int block_m, int block_n, int block_k,
                                                          int stages, int out_bytes, int a_scale_count,
                                                          int b_scale_count) {
  GemmSmemLayout l;
  l.stages = stages;
  l.a_tile = block_m * block_k;  // 8-bit codes
  l.b_tile = block_n * block_k;
  l.a_scale_count = a_scale_count;
  l.b_scale_count = b_scale_count;
  l.pipeline = stages * (l.a_tile + l.b_tile + 4 * (a_scale_count + b_scale_count) + kStageBarrierBytes);
  l.epilogue = block_m * block_n * out_bytes;
  if (family == SmemFamily::mma_sync) {
    l.epilogue_offset = 0;  // after the K loop the stages are dead: the output tile reuses them
    l.total = l.pipeline > l.epilogue ? l.pipeline : l.epilogue;
  } else {
    l.epilogue_offset = l.pipeline;
    l.total = (l.pipeline + l.epilogue + 1023) / 1024 * 1024;
  }
  return l;
}

// The largest static shared memory a kernel may declare (ptxas: 0xc000 bytes); beyond it
// the kernel takes dynamic shared memory (cudaFuncAttributeMaxDynamicSharedMemorySize).
inline constexpr int kStaticSmemLimit = 48 * 1024;

// One instantiation of the kernel: its tile, pipeline depth and the buffers it allocates.
template <int BlockM, int BlockN, int BlockK, int Stages, SmemFamily Family, int OutBytes, int AScales, int BScales>
struct GemmTile {
  static constexpr int block_m = BlockM, block_n = BlockN, block_k = BlockK, stages = Stages;
  static constexpr SmemFamily family = Family;
  static constexpr int out_bytes = OutBytes;
  static constexpr int a_scales = AScales, b_scales = BScales;  // fp32 scales per stage
  static constexpr WarpLayout warp_layout = gemm_warp_layout(BlockM, BlockN);
  static constexpr int warps_m = warp_layout.warps_m, warps_n = warp_layout.warps_n;
  static constexpr int threads = 32 * warp_layout.warps();
  static constexpr int warp_m = BlockM / warps_m, warp_n = BlockN / warps_n;  // a warp's piece
  static constexpr int mma_m = warp_m / 16, mma_n = warp_n / 8;               // m16n8 tiles per warp
  // A function, not a static member: device code may not odr-use a class-type constexpr
  // variable; each use is folded to constants.
  FP8C_HD static constexpr GemmSmemLayout smem() {
    return gemm_smem_layout(Family, BlockM, BlockN, BlockK, Stages, OutBytes, AScales, BScales);
  }
  static constexpr int smem_bytes = smem().total;
  static constexpr bool static_smem = smem_bytes <= kStaticSmemLimit;

  static_assert(BlockM % 16 == 0 && BlockN % 8 == 0 && BlockK % 32 == 0, "tile must hold whole m16n8k32 instructions");
  static_assert(warp_m % 16 == 0 && warp_n % 8 == 0, "every warp owns whole instruction tiles");
  static_assert(Stages >= 1, "at least one pipeline stage");
};

}  // namespace fp8check::cuda_index
