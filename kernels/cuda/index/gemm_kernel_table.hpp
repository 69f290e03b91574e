// The instantiations of fp8check's own GEMM kernel, as data: one table read by the CUDA
// file that instantiates them (kernels/cuda/own/gemm_kernels.cu), by the host code that
// picks one for a problem (gemm_plan.hpp), by the static check that holds each one's
// shared memory (ptxas) to the selector's model (tests/cuda/own_kernels_static_check.sh)
// and by the CPU twin. Plain C++.
//
// A kernel is (path, tile config, output bytes, scale variant):
//   path     native (mma.sync m16n8k32 FP8, sm_89+) or software (FP8 widened to bf16,
//            mma.sync m16n8k16, sm_80+);
//   tile     block_m, block_n, block_k, stages and the shared-memory model it follows:
//            mma_sync for the sm_80..sm_89 profiles, wgmma for sm_90+ (gemm_tiling.hpp);
//   output   bytes of one D element: 1 (e4m3fn), 2 (bf16, fp16), 4 (fp32);
//   scales   outer (per-tensor, per-row, per-column: applied in the epilogue) or
//            blocked (A 1 x 128 and B 128 x 128 along K, DeepSeek-V3: applied at promotion).
// Compiled bodies: native kernels for sm_89+, software ones everywhere; mma_sync-model
// kernels below sm_90, wgmma-model ones from sm_90 (elsewhere the kernel traps).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "harness/configs/gemm_config.hpp"
#include "kernels/cuda/index/gemm_tiling.hpp"

namespace fp8check::cuda_index {

// X(family, block_m, block_n, block_k, stages, software): the tile configs; `software` says
// whether the software path is instantiated for it too. (wgmma 128 x 128 x 128 with 3 stages
// is not here: ptxas for sm_90a gave it 255 registers and a stack frame.)
#define FP8CHECK_OWN_GEMM_TILES(X)        \
  X(mma_sync, 16, 32, 64, 4, true)        \
  X(mma_sync, 64, 64, 64, 4, true)        \
  X(mma_sync, 128, 128, 32, 4, true)      \
  X(wgmma, 64, 64, 128, 2, false)         \
  X(wgmma, 64, 128, 128, 4, false)

enum class GemmPath : std::uint8_t { native, software };
enum class ScaleVariant : std::uint8_t { outer, blocked };

inline constexpr int kBlockedScaleK = 128;  // the K group of the blocked variant

struct OwnGemmKernel {
  GemmPath path = GemmPath::native;
  SmemFamily family = SmemFamily::mma_sync;
  int block_m = 0, block_n = 0, block_k = 0, stages = 0;
  int out_bytes = 4;
  ScaleVariant scales = ScaleVariant::outer;

  // Scales one stage holds (gemm_tiling.hpp): A 1 x 128 -> one per tile row, B 128 x 128 ->
  // one per 128 columns (block_n divides 128 or is a multiple of it: a tile never
  // straddles more blocks than that).
  int a_scale_count() const { return scales == ScaleVariant::blocked ? block_m : 0; }
  int b_scale_count() const { return scales == ScaleVariant::blocked ? (block_n + kBlockedScaleK - 1) / kBlockedScaleK : 0; }
  GemmSmemLayout smem() const {
    return gemm_smem_layout(family, block_m, block_n, block_k, stages, out_bytes, a_scale_count(), b_scale_count());
  }
  bool static_smem() const { return smem().total <= kStaticSmemLimit; }
  int threads() const { return 32 * gemm_warp_layout(block_m, block_n).warps(); }
  // The kernel's symbol (extern "C"), e.g. fp8check_gemm_native_mma_sync_bm64_bn64_bk64_s4_o2_blocked.
  std::string symbol() const;
  // The tile as the selector's config, split_k 1 (a kernel runs any split): id()
  // "bm64.bn64.bk64.s4".
  GemmConfig config() const;
  friend bool operator==(const OwnGemmKernel&, const OwnGemmKernel&) = default;
};

// Every instantiated kernel, in table order (paths x tiles x output bytes x scale variants).
std::span<const OwnGemmKernel> own_gemm_kernels();

std::string_view smem_family_name(SmemFamily f);  // "mma_sync", "wgmma"
std::string_view gemm_path_name(GemmPath p);      // "native", "software"

}  // namespace fp8check::cuda_index
