// From AttentionArguments to fp8check's own FP8 attention kernel (attention_program.hpp):
// which instantiation runs, why none does (can_implement's reasons), the kernel
// parameters, the grid, and the AttentionOutput the kernel's buffers make. Plain C++: the
// cuda backend launches the plan, the CPU twin runs it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "harness/backend/attention_arguments.hpp"
#include "kernels/cuda/index/attention_tiling.hpp"

namespace fp8check::cuda_index {

// X(head_dim, block_kv, stages): the instantiations, each with an FP8 P (m16n8k32) and a
// bf16 P (m16n8k16). Stages: 2, or 1 where two would not fit sm_89's 99 KiB of shared memory.
#define FP8CHECK_OWN_ATTENTION_TILES(X) \
  X(64, 32, 2)                          \
  X(64, 64, 2)                          \
  X(64, 128, 2)                         \
  X(128, 32, 2)                         \
  X(128, 64, 2)                         \
  X(128, 128, 1)

// The head dims of the combine pass (kv splits): every head dim of the table.
#define FP8CHECK_OWN_ATTENTION_COMBINE(X) \
  X(64)                                   \
  X(128)

struct OwnAttentionKernel {
  int head_dim = 0, block_kv = 0, stages = 0;
  bool p_bf16 = false;

  // The kernel's symbol (extern "C"), e.g. fp8check_attention_d128_bkv64_s2_pe4m3 / _pbf16.
  std::string symbol() const;
  std::string combine_symbol() const;  // fp8check_attention_combine_d128: the kv splits' second pass
  int threads() const;
  int smem_bytes() const;  // AttentionTile's layout, all dynamic shared memory
  friend bool operator==(const OwnAttentionKernel&, const OwnAttentionKernel&) = default;
};

// Every instantiated kernel, in table order (tiles x P format).
std::span<const OwnAttentionKernel> own_attention_kernels();

// Empty when a kernel runs the arguments on a device of compute capability `sm` (86, 89,
// 90, ...); otherwise the reason: device below sm_89, Q not FP8, head dims, P format,
// block_kv, operands missing.
std::string why_no_own_attention(const AttentionArguments& args, int sm);

struct AttentionPlan {
  OwnAttentionKernel kernel;
  AttentionKernelParams params;  // q, k, v and descales point into the arguments; outputs and workspace unset
  std::int64_t grid_x = 0, grid_y = 0, grid_z = 0;  // query tiles x kv splits, query heads, batch
  std::int64_t combine_blocks = 0;                  // the combine kernel (kv splits only): blocks of 128 rows
  std::int64_t workspace_elements = 0;              // floats (kv splits only)
  std::int64_t q_codes = 0, kv_codes = 0, q_descales = 0, kv_descales = 0;
  std::int64_t o_elements = 0, rows = 0;
  std::int64_t stats_words() const { return grid_x * grid_y * grid_z * kAttentionStatsWords; }
};

// InputError with why_no_own_attention's reason when no kernel runs the arguments.
AttentionPlan plan_own_attention(const AttentionArguments& args, int sm);

// O, the LSE and the P statistics of a run, as AttentionOutput holds them.
void unpack_attention_output(const AttentionPlan& plan, const std::uint32_t* o, const float* lse,
                             const std::uint32_t* block_stats, AttentionOutput& out);

}  // namespace fp8check::cuda_index
