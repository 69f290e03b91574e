// The emulated attention, one (batch, query head, query block) at a time. The numbered
// steps follow docs/attention.md, "The kernel, step by step".
#include "kernels/emulated/attention_emulated.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <thread>

#include "harness/core/convert.hpp"
#include "harness/core/convert_bulk.hpp"
#include "harness/core/error.hpp"
#include "kernels/emulated/attention_combine.hpp"
#include "kernels/emulated/attention_mma.hpp"
#include "kernels/emulated/attention_numerics.hpp"
#include "kernels/emulated/attention_tiles.hpp"
#include "kernels/emulated/parallel_for.hpp"

namespace fp8check {
namespace {

constexpr double kLog2e = 1.4426950408889634074;  // M_LOG2E
// The stale-max budget of the p_scale_overflow fault (FlashAttention-4's rescale_threshold).
constexpr float kFaultyLazyThreshold = 4.0f;

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

// Everything fixed for the whole launch.
struct Launch {
  Launch(const AttentionDesc& problem, const AttentionOperand& q_operand, const AttentionConfig& c, AttentionFault f)
      : p(problem), q(q_operand), config(c), fault(f) {}
  const AttentionDesc& p;
  const AttentionOperand& q;
  const AttentionConfig& config;
  AttentionFault fault;
  float scale_log2 = 0;  // s · log2 e, rounded once to float
  float p_scale = 0;
  int p_offset = 0;      // log2 of p_scale
  attention::PRounding rounding;
  std::int64_t blocks = 0, blocks_per_split = 0;
  const float* kt = nullptr;  // per (b, kv head): K transposed, head_dim_qk x seq_kv
  const float* v = nullptr;   // per (b, kv head): seq_kv x head_dim_v
  const float* k_descales = nullptr;
  const float* v_descales = nullptr;
  // A tensor-core kernel model (attention_mma.hpp): its operands and implementation; nullptr: fp32.
  const detail::AttentionMmaOperands* mma = nullptr;
  ChainGemmPath tile_path = ChainGemmPath::fastest;
};

struct Scratch {
  std::vector<float> q, s, p, acc, m, l, o_split, lse_split, row, row_split_lse, weights, terms;
  std::vector<std::uint32_t> acc_bits;  // O of a tensor-core model: the wgmma accumulator registers
  detail::AttentionMmaScratch mma;
};

struct ItemStats {
  float p_max = 0;
  std::int64_t saturated = 0;
};

void require(bool ok, const std::string& what) {
  if (!ok) throw InputError("attention_emulated: " + what);
}

void check_operand(const char* name, const AttentionOperand& o, ElementType type, std::int64_t descales) {
  const bool wide = type == ElementType::of(Format::bf16);
  require(wide ? o.wide_codes != nullptr : o.codes != nullptr,
          std::string(name) + " needs " + (wide ? "16-bit codes (wide_codes)" : "8-bit codes (codes)") + " for " +
              type.name());
  require(static_cast<std::int64_t>(o.descales.size()) == descales,
          std::string(name) + " has " + std::to_string(o.descales.size()) + " descales: expected " +
              std::to_string(descales) + " (one per batch x head)");
}

// Decodes `count` elements of an operand starting at element `first` into float (exact).
void decode(const AttentionOperand& o, ElementType type, std::int64_t first, std::int64_t count, float* out) {
  if (o.wide_codes != nullptr && type == ElementType::of(Format::bf16)) {
    for (std::int64_t i = 0; i < count; ++i)
      out[i] = attention::float_from_bits(std::uint32_t{o.wide_codes[at(first + i)]} << 16);
    return;
  }
  decode_array(type.format, std::span(o.codes + first, at(count)), std::span(out, at(count)));
}

std::uint32_t output_bits(OutputType t, float x) {
  switch (t) {
    case OutputType::fp32: return attention::float_bits(x);
    case OutputType::bf16: return encode(Format::bf16, static_cast<double>(x));
    case OutputType::fp16: return encode(Format::fp16, static_cast<double>(x));
    case OutputType::e4m3fn: break;
  }
  throw InternalError("attention output type e4m3fn passed validation");
}

// One query block of one (batch, head): steps 2-6.
ItemStats run_item(const Launch& L, std::int64_t b, std::int64_t h, std::int64_t i0, std::int64_t i1, Scratch& w,
                   AttentionOutput& out) {
  const AttentionDesc& p = L.p;
  const std::int64_t n = i1 - i0, dqk = p.head_dim_qk, dv = p.head_dim_v, bkv = L.config.block_kv;
  const std::int64_t g = p.kv_head_of(h), kv_pair = b * p.kv_heads + g;
  const int splits = L.config.splits;
  const float* kt = L.mma ? nullptr : L.kt + kv_pair * dqk * p.seq_kv;
  const float* v = L.mma ? nullptr : L.v + kv_pair * p.seq_kv * dv;
  if (L.mma) {
    detail::attention_mma_load_q(*L.mma, p, L.q, b * p.q_heads + h, i0, n, w.mma);
  } else {
    w.q.resize(at(n * dqk));
    decode(L.q, p.q_type, ((b * p.q_heads + h) * p.seq_q + i0) * dqk, n * dqk, w.q.data());
  }
  // Step 2: the score multiplier, descales folded in (the fault forgets k_descale on the FP8-Q path).
  const float q_descale = L.q.descales[at(b * p.q_heads + h)], k_descale = L.k_descales[at(kv_pair)];
  const bool fp8_q = p.q_type != ElementType::of(Format::bf16);
  const float scale = L.fault == AttentionFault::q_fast_path_no_kv_descale && fp8_q
                          ? L.scale_log2 * q_descale
                          : attention::score_scale_log2(L.scale_log2, q_descale, k_descale);
  const float lazy = L.fault == AttentionFault::p_scale_overflow ? kFaultyLazyThreshold : 0.0f;
  const bool drop_v_descale = L.fault == AttentionFault::kv_descale_dropped && splits > 1;
  const float v_descale = L.v_descales[at(kv_pair)];

  w.s.resize(at(n * bkv));
  w.p.resize(at(n * bkv));
  w.o_split.resize(at(splits * n * dv));
  w.lse_split.resize(at(splits * n));
  ItemStats stats;
  for (int split = 0; split < splits; ++split) {
    w.m.assign(at(n), attention::kNegativeInfinity);
    w.l.assign(at(n), 0.0f);
    if (L.mma) w.acc_bits.assign(at(n * dv), 0u);
    else w.acc.assign(at(n * dv), 0.0f);
    const std::int64_t first = split * L.blocks_per_split;
    const std::int64_t last = std::min(L.blocks, first + L.blocks_per_split);
    // Step 3: key blocks from the last to the first, as FlashAttention iterates.
    for (std::int64_t blk = last - 1; blk >= first; --blk) {
      const std::int64_t j0 = blk * bkv, count = std::min(bkv, p.seq_kv - j0);
      std::int64_t r_first = 0;  // rows that see no key of this block skip it (causal)
      while (r_first < n && p.visible_keys(i0 + r_first) <= j0) ++r_first;
      if (r_first == n) continue;
      const std::int64_t rows = n - r_first;
      if (L.mma)
        detail::attention_mma_scores(*L.mma, kv_pair, r_first, rows, j0, count, w.s.data() + r_first * bkv, bkv, w.mma,
                                     L.tile_path);
      else
        detail::attention_score_tile(w.q.data() + r_first * dqk, dqk, rows, dqk, kt + j0, p.seq_kv, count,
                                     w.s.data() + r_first * bkv, bkv);
      for (std::int64_t r = r_first; r < n; ++r) {
        float* s = w.s.data() + r * bkv;
        const std::int64_t visible = std::min(p.visible_keys(i0 + r), j0 + count) - j0;
        const float block_max = detail::attention_scale_scores(s, count, visible, scale);
        // Step 4: online softmax update; rescale l and O when the max moved.
        const attention::OnlineSoftmaxStep step = attention::online_softmax_step(w.m[at(r)], block_max, lazy);
        if (step.alpha != 1.0f) {
          w.l[at(r)] = w.l[at(r)] * step.alpha;
          if (L.mma)  // FlashAttention-3's rescale_o: an FP32 multiply of the accumulator registers
            for (std::int64_t c = 0; c < dv; ++c)
              w.acc_bits[at(r * dv + c)] =
                  attention::float_bits(attention::float_from_bits(w.acc_bits[at(r * dv + c)]) * step.alpha);
          else
            for (std::int64_t c = 0; c < dv; ++c) w.acc[at(r * dv + c)] = w.acc[at(r * dv + c)] * step.alpha;
        }
        w.m[at(r)] = step.m;
        const detail::ProbabilityStats ps = detail::attention_row_probabilities(
            s, count, visible, step.m, L.p_scale, L.rounding, w.p.data() + r * bkv, &w.l[at(r)]);
        stats.p_max = std::max(stats.p_max, ps.p_max);
        stats.saturated += ps.saturated;
      }
      // Step 5: O += P V over the block's keys (masked keys carry P = 0; a tensor-core model
      // runs the whole block, keys past seq_kv with P = 0 and V = 0).
      if (L.mma)
        detail::attention_mma_pv(*L.mma, kv_pair, w.p.data() + r_first * bkv, bkv, rows, count, j0, bkv,
                                 w.acc_bits.data() + r_first * dv, dv, w.mma, L.tile_path);
      else
        detail::attention_pv_tile(w.p.data() + r_first * bkv, bkv, rows, count, v + j0 * dv, dv, dv,
                                  w.acc.data() + r_first * dv, dv);
    }
    // Step 6: normalise the split's rows and keep their LSE.
    for (std::int64_t r = 0; r < n; ++r) {
      const float factor = attention::output_factor(w.l[at(r)], drop_v_descale ? 1.0f : v_descale);
      float* o = w.o_split.data() + (split * n + r) * dv;
      for (std::int64_t c = 0; c < dv; ++c) {
        const float acc = L.mma ? attention::float_from_bits(w.acc_bits[at(r * dv + c)]) : w.acc[at(r * dv + c)];
        o[c] = acc * factor;
      }
      w.lse_split[at(split * n + r)] = attention::row_lse_log2(w.m[at(r)], w.l[at(r)], L.p_offset);
    }
  }
  // Step 7: combine the splits by their LSEs; write O and the natural-log LSE.
  w.row.resize(at(dv));
  w.weights.resize(at(splits));
  w.terms.resize(at(splits));
  w.row_split_lse.resize(at(splits));
  for (std::int64_t r = 0; r < n; ++r) {
    float row_lse = w.lse_split[at(r)];
    const float* o = w.o_split.data() + r * dv;
    if (splits > 1) {
      for (int s = 0; s < splits; ++s) w.row_split_lse[at(s)] = w.lse_split[at(s * n + r)];
      row_lse = attention::combine_splits(splits, w.row_split_lse.data(), o, n * dv, static_cast<int>(dv),
                                          L.config.combine == SplitCombine::tree, w.row.data(), w.weights.data(),
                                          w.terms.data());
      o = w.row.data();
    }
    const std::int64_t row = (b * p.q_heads + h) * p.seq_q + i0 + r;
    for (std::int64_t c = 0; c < dv; ++c) out.bits[at(row * dv + c)] = output_bits(p.o_type, o[c]);
    out.lse[at(row)] = row_lse * attention::kLn2;
  }
  return stats;
}

}  // namespace

void attention_emulated(const AttentionDesc& p, const AttentionOperand& q, const AttentionOperand& k,
                        const AttentionOperand& v, const AttentionConfig& config, AttentionOutput& out, int threads,
                        AttentionFault fault, const AttentionKernelModel& model, ChainGemmPath tile_path) {
  p.validate();
  config.validate();
  if (const std::string why = model.why_unsupported(p, config); !why.empty()) require(false, why);
  require(threads >= 0, "threads = " + std::to_string(threads) + ": expected >= 0 (0 = one per hardware thread)");
  check_operand("Q", q, p.q_type, p.batch * p.q_heads);
  check_operand("K", k, p.k_type, p.batch * p.kv_heads);
  check_operand("V", v, p.v_type, p.batch * p.kv_heads);
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // Step 1: K and V of every (batch, kv head) decoded to float once, K transposed (a
  // tensor-core model keeps them as codes of its instructions instead).
  const std::int64_t pairs = p.batch * p.kv_heads, dqk = p.head_dim_qk, dv = p.head_dim_v, skv = p.seq_kv;
  std::optional<detail::AttentionMmaOperands> mma;
  if (!model.is_fp32()) mma.emplace(detail::prepare_attention_mma(p, model, config, k, v, threads));
  std::vector<float> kt(mma ? 0 : at(pairs * dqk * skv)), vf(mma ? 0 : at(pairs * skv * dv));
  detail::parallel_for(mma ? 0 : pairs, threads, [&](std::int64_t pair, int) {
    std::vector<float> rows(at(skv * dqk));
    decode(k, p.k_type, pair * skv * dqk, skv * dqk, rows.data());
    float* t = kt.data() + pair * dqk * skv;
    for (std::int64_t j = 0; j < skv; ++j)
      for (std::int64_t d = 0; d < dqk; ++d) t[d * skv + j] = rows[at(j * dqk + d)];
    decode(v, p.v_type, pair * skv * dv, skv * dv, vf.data() + pair * skv * dv);
  });

  Launch L(p, q, config, fault);
  L.scale_log2 = static_cast<float>(static_cast<double>(static_cast<float>(p.softmax_scale)) * kLog2e);
  L.p_scale = static_cast<float>(p.p.scale);
  L.p_offset = std::ilogb(p.p.scale);
  L.rounding = attention::p_rounding(p.p.format);
  L.blocks = (skv + config.block_kv - 1) / config.block_kv;
  L.blocks_per_split = (L.blocks + config.splits - 1) / config.splits;
  L.kt = kt.data();
  L.v = vf.data();
  L.k_descales = k.descales.data();
  L.v_descales = v.descales.data();
  L.mma = mma ? &*mma : nullptr;
  L.tile_path = tile_path;

  out.type = p.o_type;
  out.batch = p.batch;
  out.heads = p.q_heads;
  out.rows = p.seq_q;
  out.cols = dv;
  out.bits.assign(at(p.batch * p.q_heads * p.seq_q * dv), 0);
  out.lse.assign(at(p.batch * p.q_heads * p.seq_q), 0.0f);
  const std::int64_t q_blocks = (p.seq_q + config.block_q - 1) / config.block_q;
  const std::int64_t items = p.batch * p.q_heads * q_blocks;
  std::vector<Scratch> scratch(at(std::min<std::int64_t>(threads, std::max<std::int64_t>(items, 1))));
  std::vector<ItemStats> stats(at(items));
  detail::parallel_for(items, threads, [&](std::int64_t item, int worker) {
    const std::int64_t qb = item % q_blocks, bh = item / q_blocks;
    const std::int64_t i0 = qb * config.block_q, i1 = std::min(p.seq_q, i0 + config.block_q);
    stats[at(item)] = run_item(L, bh / p.q_heads, bh % p.q_heads, i0, i1, scratch[at(worker)], out);
  });
  out.p_max = 0;
  out.p_saturated = 0;
  for (const ItemStats& s : stats) {
    out.p_max = std::max(out.p_max, s.p_max);
    out.p_saturated += s.saturated;
  }
}

}  // namespace fp8check
