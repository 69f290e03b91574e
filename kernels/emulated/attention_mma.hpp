// The two products of the emulated attention under a tensor-core kernel model
// (attention_model.hpp), as FlashAttention-3's Hopper mainloop issues them per kv block
// (docs/attention.md, "Kernel models"): attention_emulated.cpp calls these where the fp32
// model calls attention_tiles.hpp. Operands are kept as codes of the instructions' formats
// (an FP8 operand next to a bf16 one is widened to bf16, exactly); the products are
// mma_chain_tile (kernels/emulated/mma/chain_tile.hpp), so every bit is the instruction
// model's.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "harness/backend/attention_operands.hpp"
#include "harness/configs/attention_config.hpp"
#include "kernels/emulated/attention_model.hpp"
#include "kernels/emulated/mma/chain_tile.hpp"

namespace fp8check::detail {

// Everything fixed for a launch: the instructions, and K and V of every (batch, kv head).
struct AttentionMmaOperands {
  MmaInstruction score, pv;   // S = Q·Kᵀ and P·V (attention_model.hpp)
  std::int64_t depth_qk = 0;  // head_dim_qk rounded up to score.k: the rest is zero codes (TMA's zero fill)
  std::int64_t keys = 0;      // seq_kv rounded up to whole kv blocks: V rows past seq_kv are zero codes
  std::int64_t seq_kv = 0, head_dim_v = 0;
  std::array<std::uint16_t, 256> q_code{};  // FP8 Q code -> code of score.a
  std::vector<std::uint16_t> k;  // per (batch, kv head): seq_kv x depth_qk codes of score.b
  std::vector<std::uint16_t> v;  // per (batch, kv head): keys x head_dim_v codes of pv.b
};

// Validated problem, config and operands; `model` is an mma model that supports them.
AttentionMmaOperands prepare_attention_mma(const AttentionDesc& problem, const AttentionKernelModel& model,
                                           const AttentionConfig& config, const AttentionOperand& k,
                                           const AttentionOperand& v, int threads);

// Per-thread buffers.
struct AttentionMmaScratch {
  std::vector<std::uint16_t> q, p;
  std::vector<std::uint8_t> p_narrow;
  std::vector<std::uint32_t> s;
  MmaTileScratch tile;
};

// The Q rows [first_row, first_row + rows) of (batch, q head) `bh` as codes of score.a,
// rows x depth_qk, into scratch.q.
void attention_mma_load_q(const AttentionMmaOperands& m, const AttentionDesc& problem, const AttentionOperand& q,
                          std::int64_t bh, std::int64_t first_row, std::int64_t rows, AttentionMmaScratch& scratch);

// s[r * ld_s + c] = S of Q row `row0 + r` (of scratch.q) and key j0 + c, from +0 along the head
// dim, for r < rows, c < count.
void attention_mma_scores(const AttentionMmaOperands& m, std::int64_t kv_pair, std::int64_t row0, std::int64_t rows,
                          std::int64_t j0, std::int64_t count, float* s, std::int64_t ld_s,
                          AttentionMmaScratch& scratch, ChainGemmPath path);

// acc[r * ld_acc + c] (FP32 bits) <- acc + P V over the whole block j0 .. j0 + block_kv, for
// r < rows, c < head_dim_v. p[r * ld_p + j] (j < count, the keys of the block before
// seq_kv) are the rounded P·scale values, 0 for masked keys; keys past them take P = 0.
void attention_mma_pv(const AttentionMmaOperands& m, std::int64_t kv_pair, const float* p,
                      std::int64_t ld_p, std::int64_t rows, std::int64_t count, std::int64_t j0, std::int64_t block_kv,
                      std::uint32_t* acc, std::int64_t ld_acc, AttentionMmaScratch& scratch, ChainGemmPath path);

}  // namespace fp8check::detail
