// The program of one thread block of fp8check's own FP8 attention forward kernel, written
// once for two machines (the GPU: kernels/cuda/own/device_machine.cuh; the CPU twin:
// kernels/cuda/twin/twin_machine.hpp), as gemm_program.hpp is for the GEMM. Its bits are
// those of the emulated attention under the kernel model `sm89-mma` on sm_89
// (docs/attention.md, steps 2-6 with "Kernel models"): the products through mma.sync, the
// softmax through the same host+device numerics (attention_numerics.hpp).
//
// Block (x, y, z) = (query tile of 64 rows + q_tiles · kv split, query head, batch); the kv
// head is head / (q_heads / kv_heads) (GQA, MQA). Q's tile is copied once; the kv blocks of
// the split that the tile's rows see are visited from the last to the first (as
// FlashAttention iterates and the emulated attention defines), K and V of `stages` blocks
// in flight with cp.async (zero-filled past seq_q and seq_kv). Per kv block (FlashAttention-2, Dao 2023, Algorithm 1;
// FlashAttention-3's order of the two products, docs/attention.md):
//  1. S = Q·Kᵀ: per warp 16 rows x block_kv keys, a chain of head_dim/32 m16n8k32 FP8
//     mma.sync from +0 along the head dim (PTX ISA 9.7.14.5.14), S to shared memory;
//  2. one thread per query row (row-wise, so that the row sum has the emulated order: keys
//     in ascending order, one FP32 addition each): scale, causal mask, the block max, the
//     online-softmax step (running max m, sum l, factor alpha), P = exp2(s - m)·scale
//     added to l unrounded, rounded to the P format (round_p: cvt.rn.satfinite) and stored
//     as codes; masked keys, keys past seq_kv and rows that see no key get P = +0, and
//     such a row's alpha is kRowSeesNoKey;
//  3. O ← O·alpha (only where alpha ≠ 1, an FP32 multiply of the accumulator registers as
//     FlashAttention-3's rescale_o), then O += P·V: block_kv/k mma.sync in key order with
//     c = O — m16n8k32 FP8 (P and V codes), or m16n8k16 bf16 for a bf16 P (V's codes
//     widened to bf16 exactly). O stays in the accumulator registers across blocks.
// Finally O·((1/l)·v_descale) in the output type, the natural-log LSE and the P
// statistics; with kv splits O_s in FP32 and lse_s to a workspace, and a second kernel
// (AttentionCombineProgram) merges each row's splits by their LSEs (attention_combine.hpp,
// flash-decoding). A row that sees no key of a block runs its P·V with P = +0 (the mma is
// warp-wide) and then sets its O back to +0, which it was before (blocks are visited from
// the last and a row sees a prefix of the keys): the emulated attention skips such rows, and
// where V holds inf or NaN codes 0·inf would otherwise make their O NaN.
#pragma once

#include <cstdint>
#include <type_traits>

#include "harness/core/convert.hpp"
#include "kernels/cuda/index/attention_tiling.hpp"
#include "kernels/cuda/index/cp_async_pipeline.hpp"
#include "kernels/cuda/index/gemm_block_map.hpp"  // swizzled_offset, tile_chunk
#include "kernels/cuda/index/gemm_program.hpp"    // FP8C_UNROLL, FP8C_HD_NOINLINE, widen_pair_to_bf16
#include "kernels/cuda/index/mma_fragments.hpp"
#include "kernels/emulated/attention_combine.hpp"
#include "kernels/emulated/attention_numerics.hpp"

namespace fp8check::cuda_index {

// The FP8 code of a rounded P·scale value (exact: round_p rounded it already).
FP8C_HD_NOINLINE inline std::uint32_t p_code(Format f, float rounded) { return encode(f, static_cast<double>(rounded)); }

// O's word: attention_emulated.cpp's output_bits (fp32 bits, bf16/fp16 codes by the codec).
FP8C_HD_NOINLINE inline std::uint32_t attention_output_code(OutputType t, float x) {
  if (t == OutputType::bf16) return encode(Format::bf16, static_cast<double>(x));
  if (t == OutputType::fp16) return encode(Format::fp16, static_cast<double>(x));
  return attention::float_bits(x);
}

// A row's alpha in shared memory when it sees no key of the kv block (alpha is never
// negative otherwise: 1, or exp2 of a difference).
inline constexpr float kRowSeesNoKey = -1.0f;

template <class Tile>
struct AttentionProgram {
  static constexpr int D = Tile::head_dim, BQ = Tile::block_q, BKV = Tile::block_kv, S = Tile::stages;
  static constexpr int THREADS = Tile::threads, PB = Tile::p_bytes;
  static constexpr int NS = BKV / 8, NO = D / 8;  // m16n8 tiles of S and of O per warp
  using ScoreMma = M16N8K32;
  using PvMma = std::conditional_t<Tile::p_bf16, M16N8K16, M16N8K32>;
  using Params = AttentionKernelParams;

  struct Regs {
    std::uint32_t a[4];  // A: Q (scores) or P (P·V)
    std::uint32_t b[2];  // B: K or V, one n8 tile at a time
    float s[NS][4];      // S accumulators of the current kv block
    float o[NO][4];      // O accumulators, across kv blocks
    float m, l, p_max;   // thread tid < BQ: the running max and sum of row tid, its max P·scale
    std::uint32_t saturated;
  };

  FP8C_HD static int warp_row0(int tid) { return tid / 32 * 16; }
  FP8C_HD static int s_at(int row, int key) { return Tile::s_offset + (row * BKV + key) * 4; }
  FP8C_HD static int v_at(int stage, int key, int col) { return Tile::v_offset(stage) + swizzled_offset(key, col, D); }

  template <class M>
  FP8C_HD static void copy_q(M& m, const Params& p, std::int64_t bh, std::int64_t i0, int tid) {
    for (int c = tid; c < BQ * D / 16; c += THREADS) {
      const TileChunk ch = tile_chunk(c, D);
      const std::int64_t row = i0 + ch.row;
      const bool valid = row < p.seq_q;
      m.cp_async(tid, Tile::q_offset + swizzled_offset(ch.row, ch.k, D), valid ? p.q + (bh * p.seq_q + row) * D + ch.k : p.q,
                 16, valid);
    }
  }

  // Thread tid's share of K and V of kv block `block` (keys block·BKV ..) into `stage`.
  template <class M>
  FP8C_HD static void copy_kv(M& m, const Params& p, std::int64_t pair, std::int64_t block, int stage, int tid) {
    for (int c = tid; c < BKV * D / 16; c += THREADS) {
      const TileChunk ch = tile_chunk(c, D);
      const std::int64_t key = block * BKV + ch.row;
      const bool valid = key < p.seq_kv;
      const std::int64_t at = (pair * p.seq_kv + key) * D + ch.k;
      const int off = swizzled_offset(ch.row, ch.k, D);
      m.cp_async(tid, Tile::k_offset(stage) + off, valid ? p.k + at : p.k, 16, valid);
      m.cp_async(tid, Tile::v_offset(stage) + off, valid ? p.v + at : p.v, 16, valid);
    }
  }

  // Step 1: S of the warp's 16 rows and the block's keys, from +0 along the head dim, to
  // shared memory. A register of Q (row, d..d+3) and of K (key, d..d+3) is one 32-bit load.
  template <class M>
  FP8C_HD static void scores(M& m, const Params& p, int stage) {
    m.each_thread([&](int, Regs& r) {
      FP8C_UNROLL
      for (int nt = 0; nt < NS; ++nt)
        FP8C_UNROLL
        for (int i = 0; i < 4; ++i) r.s[nt][i] = 0.0f;
    });
    for (int kk = 0; kk < D; kk += ScoreMma::k) {
      m.each_thread([&](int tid, Regs& r) {
        FP8C_UNROLL
        for (int j = 0; j < 4; ++j) {
          const FragmentCoord o = a_register_origin<ScoreMma>(tid % 32, j);
          r.a[j] = m.lds32(tid, Tile::q_offset + swizzled_offset(warp_row0(tid) + o.row, kk + o.col, D));
        }
      });
      FP8C_UNROLL
      for (int nt = 0; nt < NS; ++nt) {
        m.each_thread([&](int tid, Regs& r) {
          FP8C_UNROLL
          for (int j = 0; j < 2; ++j) {  // B (k = head dim, n = key)
            const FragmentCoord o = b_register_origin<ScoreMma>(tid % 32, j);
            r.b[j] = m.lds32(tid, Tile::k_offset(stage) + swizzled_offset(nt * 8 + o.col, kk + o.row, D));
          }
        });
        m.template mma_fragments<ScoreMma>(p.q_format, p.k_format,
                                           [&](Regs& r) { return MmaRegisters{r.a, r.b, r.s[nt]}; });
      }
    }
    m.each_thread([&](int tid, Regs& r) {
      FP8C_UNROLL
      for (int nt = 0; nt < NS; ++nt)
        FP8C_UNROLL
        for (int i = 0; i < 4; ++i) {
          const FragmentCoord c = ScoreMma::c(tid % 32, i);
          m.sts(tid, s_at(warp_row0(tid) + c.row, nt * 8 + c.col), attention::float_bits(r.s[nt][i]), 4);
        }
    });
  }

  // Step 2 for row tid (tid < BQ) of kv block j0: the online-softmax update and P's codes,
  // four (FP8) or two (bf16) to a 32-bit store; alpha of the row to shared memory.
  template <class M>
  FP8C_HD static void softmax_row(M& m, const Params& p, float scale, std::int64_t i0, std::int64_t j0, Regs& r, int tid) {
    const int row = tid;
    const std::int64_t count = p.seq_kv - j0 < BKV ? p.seq_kv - j0 : BKV;
    std::int64_t visible = 0;
    if (i0 + row < p.seq_q) {
      const std::int64_t seen = p.visible_keys(i0 + row);
      visible = (seen < j0 + count ? seen : j0 + count) - j0;
    }
    float alpha = kRowSeesNoKey;
    if (visible > 0) {  // a row that sees no key of the block skips the update (emulated: r_first)
      float block_max = attention::kNegativeInfinity;  // NaN scores never win
      for (int j = 0; j < visible; ++j) {
        const float s = m.ldsf(tid, s_at(row, j)) * scale;
        block_max = s > block_max ? s : block_max;
      }
      const attention::OnlineSoftmaxStep step = attention::online_softmax_step(r.m, block_max, 0.0f);
      alpha = step.alpha;
      if (step.alpha != 1.0f) r.l = r.l * step.alpha;
      r.m = step.m;
    }
    float sum = r.l;
    constexpr int per_word = 4 / PB;
    for (int w = 0; w < BKV / per_word; ++w) {
      std::uint32_t word = 0;
      for (int e = 0; e < per_word; ++e) {
        const int j = w * per_word + e;
        if (j >= visible) break;
        const float ps = attention::exp2_portable(m.ldsf(tid, s_at(row, j)) * scale - r.m) * p.p_scale;
        sum = sum + ps;  // the row sum keeps P unrounded
        r.p_max = ps > r.p_max ? ps : r.p_max;
        r.saturated += ps > p.rounding.max_finite ? 1u : 0u;
        const float rounded = attention::round_p(ps, p.rounding);
        if constexpr (Tile::p_bf16) word |= attention::float_bits(rounded) >> 16 << (16 * e);  // bf16: exact
        else word |= p_code(p.p_format, rounded) << (8 * e);
      }
      m.sts(tid, Tile::p_offset + row * BKV * PB + w * 4, word, 4);
    }
    r.l = sum;
    m.sts(tid, Tile::alpha_offset + 4 * row, attention::float_bits(alpha), 4);
  }

  // V's B register: consecutive keys at one column (B is K-major, V's tile key-major), a
  // byte each; for a bf16 P each code widened to bf16 (exact for every FP8 value) through
  // the block's table of the 256 codes (a codec call per element would keep O's registers
  // across calls: ptxas spills them).
  template <class M>
  FP8C_HD static std::uint32_t v_register(M& m, int tid, int stage, int key, int col) {
    if constexpr (Tile::p_bf16) {
      const std::uint32_t lo = m.lds(tid, Tile::widen_offset + 2 * m.lds(tid, v_at(stage, key, col), 1), 2);
      const std::uint32_t hi = m.lds(tid, Tile::widen_offset + 2 * m.lds(tid, v_at(stage, key + 1, col), 1), 2);
      return lo | hi << 16;
    } else {
      std::uint32_t word = 0;
      FP8C_UNROLL
      for (int e = 0; e < 4; ++e) word |= m.lds(tid, v_at(stage, key + e, col), 1) << (8 * e);
      return word;
    }
  }

  FP8C_HD static int alpha_at(int tid, int i) { return Tile::alpha_offset + 4 * (warp_row0(tid) + PvMma::c(tid % 32, i).row); }

  // Step 3: O ← O·alpha where alpha ≠ 1, then O += P·V over the whole kv block in key order;
  // the rows that see no key of the block keep O = +0.
  template <class M>
  FP8C_HD static void accumulate_pv(M& m, const Params& p, int stage) {
    m.each_thread([&](int tid, Regs& r) {
      FP8C_UNROLL
      for (int i = 0; i < 4; ++i) {
        const float alpha = m.ldsf(tid, alpha_at(tid, i));
        if (alpha == 1.0f || alpha == kRowSeesNoKey) continue;
        FP8C_UNROLL
        for (int nt = 0; nt < NO; ++nt) r.o[nt][i] = r.o[nt][i] * alpha;
      }
    });
    for (int kk = 0; kk < BKV; kk += PvMma::k) {
      m.each_thread([&](int tid, Regs& r) {
        FP8C_UNROLL
        for (int j = 0; j < 4; ++j) {  // A (m = row, k = key): consecutive keys, one 32-bit load
          const FragmentCoord o = a_register_origin<PvMma>(tid % 32, j);
          r.a[j] = m.lds32(tid, Tile::p_offset + ((warp_row0(tid) + o.row) * BKV + kk + o.col) * PB);
        }
      });
      FP8C_UNROLL
      for (int nt = 0; nt < NO; ++nt) {
        m.each_thread([&](int tid, Regs& r) {
          FP8C_UNROLL
          for (int j = 0; j < 2; ++j) {  // B (k = key, n = column of V)
            const FragmentCoord o = b_register_origin<PvMma>(tid % 32, j);
            r.b[j] = v_register(m, tid, stage, kk + o.row, nt * 8 + o.col);
          }
        });
        m.template mma_fragments<PvMma>(p.p_format, p.v_format, [&](Regs& r) { return MmaRegisters{r.a, r.b, r.o[nt]}; });
      }
    }
    m.each_thread([&](int tid, Regs& r) {
      FP8C_UNROLL
      for (int i = 0; i < 4; ++i) {
        if (m.ldsf(tid, alpha_at(tid, i)) != kRowSeesNoKey) continue;
        FP8C_UNROLL
        for (int nt = 0; nt < NO; ++nt) r.o[nt][i] = 0.0f;
      }
    });
  }

  // O / l · v_descale in the output type and the LSE (with splits: O_s in FP32 and lse_s in
  // log2 units to the workspace), and the block's P statistics.
  template <class M>
  FP8C_HD static void finish(M& m, const Params& p, std::int64_t bh, std::int64_t pair, std::int64_t i0, int split,
                             std::int64_t block_index) {
    const float v_descale = m.ldg(p.v_descale + pair);
    m.each_thread([&](int tid, Regs& r) {
      if (tid >= BQ) return;
      m.sts(tid, Tile::factor_offset + 4 * tid, attention::float_bits(attention::output_factor(r.l, v_descale)), 4);
      m.sts(tid, Tile::stats_offset + 8 * tid, attention::float_bits(r.p_max), 4);
      m.sts(tid, Tile::stats_offset + 8 * tid + 4, r.saturated, 4);
      if (i0 + tid >= p.seq_q) return;
      const std::int64_t row = bh * p.seq_q + i0 + tid;
      const float lse = attention::row_lse_log2(r.m, r.l, p.p_offset);
      if (p.splits > 1) m.stg(p.split_lse(row), split, attention::float_bits(lse), 4);
      else m.stg(p.lse, row, attention::float_bits(lse * attention::kLn2), 4);
    });
    m.barrier();
    m.each_thread([&](int tid, Regs& r) {
      FP8C_UNROLL
      for (int i = 0; i < 4; ++i) {
        const FragmentCoord c = PvMma::c(tid % 32, i);
        const int row = warp_row0(tid) + c.row;
        if (i0 + row >= p.seq_q) continue;
        const float factor = m.ldsf(tid, Tile::factor_offset + 4 * row);
        const std::int64_t at = bh * p.seq_q + i0 + row;
        FP8C_UNROLL
        for (int nt = 0; nt < NO; ++nt) {
          const float o = r.o[nt][i] * factor;
          if (p.splits > 1) m.stg(p.split_o(at), split * D + nt * 8 + c.col, attention::float_bits(o), 4);
          else m.stg(p.o, at * D + nt * 8 + c.col, attention_output_code(p.o_type, o), 4);
        }
      }
      if (tid != 0) return;
      float p_max = 0.0f;  // P·scale >= 0: the maximum of the rows' maxima
      std::uint64_t saturated = 0;
      for (int row = 0; row < BQ; ++row) {
        const float x = m.ldsf(tid, Tile::stats_offset + 8 * row);
        p_max = x > p_max ? x : p_max;
        saturated += m.lds32(tid, Tile::stats_offset + 8 * row + 4);
      }
      std::uint32_t* out = p.block_stats + block_index * kAttentionStatsWords;
      m.stg(out, 0, attention::float_bits(p_max), 4);
      m.stg(out, 1, static_cast<std::uint32_t>(saturated), 4);
      m.stg(out, 2, static_cast<std::uint32_t>(saturated >> 32), 4);
    });
  }

  // One block: query tile and split x, query head y, batch z.
  template <class M>
  FP8C_HD static void run(M& m, const Params& p, std::int64_t x, std::int64_t head, std::int64_t batch) {
    const std::int64_t q_tile = x % p.q_tiles, block_index = (batch * p.q_heads + head) * p.q_tiles * p.splits + x;
    const int split = static_cast<int>(x / p.q_tiles);
    const std::int64_t i0 = q_tile * BQ, last_row = (p.seq_q < i0 + BQ ? p.seq_q : i0 + BQ) - 1;
    const std::int64_t bh = batch * p.q_heads + head, pair = batch * p.kv_heads + head / (p.q_heads / p.kv_heads);
    // The split's kv blocks [first, end) that the rows see (they see a prefix of the keys).
    const std::int64_t first = split * p.blocks_per_split;
    const std::int64_t seen = (p.visible_keys(last_row) + BKV - 1) / BKV;
    const std::int64_t split_end = first + p.blocks_per_split < p.kv_blocks ? first + p.blocks_per_split : p.kv_blocks;
    const std::int64_t end = seen < split_end ? seen : split_end;
    const std::int64_t blocks = end > first ? end - first : 0;
    const float scale = attention::score_scale_log2(p.scale_log2, m.ldg(p.q_descale + bh), m.ldg(p.k_descale + pair));

    m.each_thread([&](int tid, Regs& r) {
      FP8C_UNROLL
      for (int nt = 0; nt < NO; ++nt)
        FP8C_UNROLL
        for (int i = 0; i < 4; ++i) r.o[nt][i] = 0.0f;
      r.m = attention::kNegativeInfinity;
      r.l = r.p_max = 0.0f;
      r.saturated = 0;
      copy_q(m, p, bh, i0, tid);  // lands with the first kv group
      if constexpr (Tile::p_bf16)  // read after the first kv block's barrier
        for (int code = tid; code < 256; code += THREADS)
          m.sts(tid, Tile::widen_offset + 2 * code, widen_pair_to_bf16(p.v_format, static_cast<std::uint32_t>(code)) & 0xFFFFu, 2);
    });
    // Pipeline tile `it` is kv block end - 1 - it: from the split's last block to its first.
    const auto copy = [&](int tid, std::int64_t it, int stage) { copy_kv(m, p, pair, end - 1 - it, stage, tid); };
    pipeline_prologue<S>(m, blocks, copy);
    for (std::int64_t it = 0; it < blocks; ++it) {
      const std::int64_t block = end - 1 - it;
      const int stage = static_cast<int>(it % S);
      pipeline_acquire<S>(m, it, blocks, copy);
      scores(m, p, stage);
      m.barrier();
      m.each_thread([&](int tid, Regs& r) {
        if (tid < BQ) softmax_row(m, p, scale, i0, block * BKV, r, tid);
      });
      m.barrier();
      accumulate_pv(m, p, stage);
      if constexpr (S == 1) m.barrier();  // the next copy overwrites the only stage
    }
    m.each_thread([&](int tid, Regs&) {  // nothing in flight at exit (Q's copies when no block is seen)
      m.commit(tid);
      m.template wait_pending<0>(tid);
    });
    m.barrier();
    finish(m, p, bh, pair, i0, split, block_index);
  }
};

// The second pass with kv splits (its own kernel, per head dim D), over blocks of 128 rows:
// each thread merges one row's splits as the emulated attention does (combine_splits, in
// the config's order), then writes O in the output type and the natural-log LSE. The
// combine reads its row's splits and scratches through plain pointers (combine_splits is
// the emulated attention's own code); each thread claims those ranges, which the twin holds
// inside the workspace and apart from every other thread's of the block.
template <int D>
struct AttentionCombineProgram {
  static constexpr int THREADS = 128;
  struct Regs {};

  template <class M>
  FP8C_HD static void run(M& m, const AttentionKernelParams& p, std::int64_t row_block) {
    m.each_thread([&](int tid, Regs&) {
      const std::int64_t row = row_block * THREADS + tid;
      if (row >= p.rows()) return;
      float* weights = p.combine_scratch(row);
      float* terms = weights + p.splits;
      float* out = terms + p.splits;
      const auto floats = [](std::int64_t n) { return static_cast<std::size_t>(n) * sizeof(float); };
      m.claim_global(tid, p.split_lse(row), floats(p.splits), "split LSEs");
      m.claim_global(tid, p.split_o(row), floats(p.splits * D), "split outputs");
      m.claim_global(tid, weights, floats(2 * p.splits + D), "combine scratch");
      const float lse =
          attention::combine_splits(p.splits, p.split_lse(row), p.split_o(row), D, D, p.tree, out, weights, terms);
      for (int c = 0; c < D; ++c) m.stg(p.o, row * D + c, attention_output_code(p.o_type, out[c]), 4);
      m.stg(p.lse, row, attention::float_bits(lse * attention::kLn2), 4);
    });
  }
};

}  // namespace fp8check::cuda_index
