#include "kernels/emulated/attention_mma.hpp"

#include <algorithm>
#include <span>

#include "harness/core/convert_bulk.hpp"
#include "kernels/emulated/attention_numerics.hpp"
#include "kernels/emulated/parallel_for.hpp"

namespace fp8check::detail {
namespace {

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

// Code of an 8-bit format `from` -> code of the instruction operand format `to`: the same
// code, or the bf16 code of the same value (every FP8 value, inf and NaN is one: the widening
// a kernel does in shared memory is exact).
std::array<std::uint16_t, 256> code_map(Format from, Format to) {
  std::array<std::uint16_t, 256> map{};
  for (std::uint32_t code = 0; code < 256; ++code)
    map[code] = static_cast<std::uint16_t>(to == from ? code : attention::float_bits(decode_f32(from, code)) >> 16);
  return map;
}

}  // namespace

AttentionMmaOperands prepare_attention_mma(const AttentionDesc& p, const AttentionKernelModel& model,
                                           const AttentionConfig& config, const AttentionOperand& k,
                                           const AttentionOperand& v, int threads) {
  AttentionMmaOperands m;
  m.score = model.score_instruction(p);
  m.pv = model.pv_instruction(p);
  const std::int64_t dqk = p.head_dim_qk, dv = p.head_dim_v, skv = p.seq_kv;
  m.depth_qk = (dqk + m.score.k - 1) / m.score.k * m.score.k;
  m.keys = (skv + config.block_kv - 1) / config.block_kv * config.block_kv;
  m.seq_kv = skv;
  m.head_dim_v = dv;
  if (p.q_type.format != Format::bf16) m.q_code = code_map(p.q_type.format, m.score.a);
  const auto k_code = code_map(p.k_type.format, m.score.b), v_code = code_map(p.v_type.format, m.pv.b);
  const std::int64_t pairs = p.batch * p.kv_heads;
  m.k.assign(at(pairs * skv * m.depth_qk), 0);
  m.v.assign(at(pairs * m.keys * dv), 0);
  parallel_for(pairs, threads, [&](std::int64_t pair, int) {
    for (std::int64_t j = 0; j < skv; ++j) {
      for (std::int64_t d = 0; d < dqk; ++d)
        m.k[at((pair * skv + j) * m.depth_qk + d)] = k_code[k.codes[at((pair * skv + j) * dqk + d)]];
      for (std::int64_t c = 0; c < dv; ++c)
        m.v[at((pair * m.keys + j) * dv + c)] = v_code[v.codes[at((pair * skv + j) * dv + c)]];
    }
  });
  return m;
}

void attention_mma_load_q(const AttentionMmaOperands& m, const AttentionDesc& p, const AttentionOperand& q,
                          std::int64_t bh, std::int64_t first_row, std::int64_t rows, AttentionMmaScratch& w) {
  const std::int64_t dqk = p.head_dim_qk;
  w.q.assign(at(rows * m.depth_qk), 0);
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t first = (bh * p.seq_q + first_row + r) * dqk;
    for (std::int64_t d = 0; d < dqk; ++d)
      w.q[at(r * m.depth_qk + d)] = q.wide_codes != nullptr && p.q_type.format == Format::bf16
                                        ? q.wide_codes[at(first + d)]
                                        : m.q_code[q.codes[at(first + d)]];
  }
}

void attention_mma_scores(const AttentionMmaOperands& m, std::int64_t kv_pair, std::int64_t row0, std::int64_t rows,
                          std::int64_t j0, std::int64_t count, float* s, std::int64_t ld_s, AttentionMmaScratch& w,
                          ChainGemmPath path) {
  w.s.assign(at(rows * count), 0u);  // zero_init: the first wgmma of S adds nothing to its products
  const MmaTileOperand q{w.q.data() + row0 * m.depth_qk, m.depth_qk, 1};
  const MmaTileOperand kt{m.k.data() + (kv_pair * m.seq_kv + j0) * m.depth_qk, 1, m.depth_qk};
  mma_chain_tile(m.score, q, kt, rows, count, m.depth_qk, w.s.data(), count, w.tile, path);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < count; ++c) s[r * ld_s + c] = attention::float_from_bits(w.s[at(r * count + c)]);
}

void attention_mma_pv(const AttentionMmaOperands& m, std::int64_t kv_pair, const float* p,
                      std::int64_t ld_p, std::int64_t rows, std::int64_t count, std::int64_t j0, std::int64_t block_kv,
                      std::uint32_t* acc, std::int64_t ld_acc, AttentionMmaScratch& w, ChainGemmPath path) {
  // P as codes of pv.a: the rounded values are exact in the P format (cvt.rn.satfinite
  // happened in attention_row_probabilities), so any exact conversion gives their codes.
  w.p.assign(at(rows * block_kv), 0);
  w.p_narrow.resize(at(count));
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = p + r * ld_p;
    std::uint16_t* codes = w.p.data() + r * block_kv;
    if (m.pv.a == Format::bf16) {
      for (std::int64_t j = 0; j < count; ++j) codes[j] = static_cast<std::uint16_t>(attention::float_bits(row[j]) >> 16);
      continue;
    }
    encode_array(m.pv.a, std::span(row, at(count)), std::span(w.p_narrow), EncodeOptions{});
    std::copy(w.p_narrow.begin(), w.p_narrow.end(), codes);
  }
  const MmaTileOperand pa{w.p.data(), block_kv, 1};
  const MmaTileOperand vb{m.v.data() + (kv_pair * m.keys + j0) * m.head_dim_v, m.head_dim_v, 1};
  mma_chain_tile(m.pv, pa, vb, rows, m.head_dim_v, block_kv, acc, ld_acc, w.tile, path);
}

}  // namespace fp8check::detail
