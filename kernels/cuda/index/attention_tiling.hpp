// What fp8check's own FP8 attention kernel receives, and the shape of one of its thread
// blocks: plain data and constexpr layouts, host and device code. The plan
// (attention_plan.hpp) builds the parameters from the backend-neutral AttentionArguments;
// the CUDA kernel (kernels/cuda/own/attention_kernels.cu) and the CPU twin
// (kernels/cuda/twin/attention_twin.hpp) run the same block program
// (attention_program.hpp) on them.
#pragma once

#include <cstdint>

#include "harness/core/format_spec.hpp"
#include "harness/core/host_device.hpp"
#include "harness/problem/gemm_desc.hpp"  // OutputType
#include "kernels/emulated/attention_numerics.hpp"

namespace fp8check::cuda_index {

// Pointers are device pointers on the GPU, host pointers in the twin. Operands are
// [batch][heads][seq][head_dim] codes as AttentionOperand holds them; descales one per
// (batch, head) of the operand.
struct AttentionKernelParams {
  const std::uint8_t* q = nullptr;  // FP8 codes, [batch][q_heads][seq_q][head_dim]
  const std::uint8_t* k = nullptr;  // FP8 codes, [batch][kv_heads][seq_kv][head_dim]
  const std::uint8_t* v = nullptr;
  const float* q_descale = nullptr;  // [batch * q_heads]
  const float* k_descale = nullptr;  // [batch * kv_heads]
  const float* v_descale = nullptr;
  std::uint32_t* o = nullptr;    // one 32-bit word per element: fp32 bits, bf16/fp16 codes
  float* lse = nullptr;          // natural-log LSE per row, [batch][q_heads][seq_q]
  std::uint32_t* block_stats = nullptr;  // per block: p_max bits, saturated (low, high word)
  std::int64_t batch = 0, q_heads = 0, kv_heads = 0, seq_q = 0, seq_kv = 0;
  bool causal = false;
  Format q_format = Format::e4m3fn, k_format = Format::e4m3fn, v_format = Format::e4m3fn, p_format = Format::e4m3fn;
  OutputType o_type = OutputType::bf16;
  float scale_log2 = 0;  // s · log2 e rounded once to float (attention_emulated.cpp, step 2)
  float p_scale = 1;
  int p_offset = 0;      // log2 of p_scale
  attention::PRounding rounding;
  std::int64_t q_tiles = 0;  // query tiles: grid x = q_tiles · splits
  std::int64_t head_dim = 0;
  // KV splits (flash-decoding): split s takes kv blocks [s·blocks_per_split, ..) of the
  // kv_blocks = ceil(seq_kv / block_kv), as the emulated attention divides them.
  int splits = 1;
  bool tree = false;  // the combine's sums: pairwise by levels, or sequential
  std::int64_t kv_blocks = 0, blocks_per_split = 0;
  // splits > 1: [rows][splits][head_dim] normalised O_s (fp32), [rows][splits] lse_s (log2),
  // then per row 2·splits + head_dim floats of the combine's scratch; rows = batch·q_heads·seq_q.
  float* workspace = nullptr;

  // Keys query row i sees: [0, visible_keys(i)), bottom-right aligned (AttentionDesc::visible_keys).
  FP8C_HD std::int64_t visible_keys(std::int64_t i) const {
    if (!causal) return seq_kv;
    const std::int64_t v = i + seq_kv - seq_q + 1;
    return v < 0 ? 0 : (v > seq_kv ? seq_kv : v);
  }
  FP8C_HD std::int64_t rows() const { return batch * q_heads * seq_q; }
  FP8C_HD float* split_o(std::int64_t row) const { return workspace + row * splits * head_dim; }
  FP8C_HD float* split_lse(std::int64_t row) const { return workspace + rows() * splits * head_dim + row * splits; }
  FP8C_HD float* combine_scratch(std::int64_t row) const {
    return workspace + rows() * splits * (head_dim + 1) + row * (2 * splits + head_dim);
  }
  FP8C_HD std::int64_t workspace_floats() const {
    return splits > 1 ? rows() * (splits * (head_dim + 1) + 2 * splits + head_dim) : 0;
  }
};

inline constexpr int kAttentionStatsWords = 3;  // per block: p_max bits, saturated low, high

// One instantiation: head dim D (Q, K and V), BKV keys per kv block (the config's
// block_kv: the online-softmax step, hence the bits), S stages of K/V in flight, P as bf16
// (m16n8k16 with V widened) or FP8 (m16n8k32). 64 query rows per block, one warp per 16
// rows: block_q changes no bit (docs/attention.md), so the kernel keeps its own.
template <int D, int BKV, int S, bool PBf16>
struct AttentionTile {
  static constexpr int head_dim = D, block_q = 64, block_kv = BKV, stages = S;
  static constexpr bool p_bf16 = PBf16;
  static constexpr int warps = block_q / 16, threads = warps * 32;
  static constexpr int p_bytes = PBf16 ? 2 : 1;
  static_assert(D % 32 == 0 && BKV % 32 == 0, "whole m16n8k32 steps along the head dim and the kv block");

  // Shared memory, bytes: [Q][K_0..K_{S-1}][V_0..V_{S-1}][S scores (fp32)][P codes]
  // [alpha (fp32)][factor (fp32)][row stats (p_max, saturated)][V code -> bf16 code (bf16 P)];
  // each part a multiple of 16.
  static constexpr int q_offset = 0;
  static constexpr int kv_tile = BKV * D;
  FP8C_HD static constexpr int k_offset(int stage) { return block_q * D + stage * kv_tile; }
  FP8C_HD static constexpr int v_offset(int stage) { return block_q * D + (S + stage) * kv_tile; }
  static constexpr int s_offset = block_q * D + 2 * S * kv_tile;
  static constexpr int p_offset = s_offset + block_q * BKV * 4;
  static constexpr int alpha_offset = p_offset + block_q * BKV * p_bytes;
  static constexpr int factor_offset = alpha_offset + block_q * 4;
  static constexpr int stats_offset = factor_offset + block_q * 4;
  static constexpr int widen_offset = stats_offset + block_q * 8;
  static constexpr int smem_bytes = widen_offset + (PBf16 ? 256 * 2 : 0);
};

}  // namespace fp8check::cuda_index
