// Attention under the sm90-wgmma kernel model (kernels/emulated/attention_model.hpp,
// attention_mma.hpp): the tile products (mma_chain_tile) against a literal twin that calls
// mma_fused_dot_add once per instruction, on random tiles with NaN, inf, subnormal and zero
// operands and accumulators; the whole kernel against a literal per-row twin of
// docs/attention.md's steps; its bits across threads, block_q and tile paths; the model's
// names and instruction choice.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cmath>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/convert_bulk.hpp"
#include "harness/core/error.hpp"
#include "harness/generate/philox_stream.hpp"
#include "kernels/emulated/attention_combine.hpp"
#include "kernels/emulated/attention_numerics.hpp"
#include "kernels/emulated/mma/chain_tile.hpp"
#include "kernels/emulated/mma/fp8_chain_gemm.hpp"
#include "tests/attention_test_support.hpp"

namespace fp8check::test {
namespace {

// ---- the tile products -------------------------------------------------------------------

enum class Regime { ordinary, positive, zeros_subnormals, sparse_specials, any_code, kCount };
enum class CRegime { zero, ordinary, e8m13, huge, tiny, subnormal, special, kCount };

class Bits {
 public:
  explicit Bits(std::uint64_t key) : stream_(key) {}
  std::uint32_t operator()() { return stream_.bits32(next_++); }

 private:
  PhiloxStream stream_;
  std::uint64_t next_ = 0;
};

// A code of `f` (8 or 16 bits) drawn in `regime`.
std::uint16_t draw_code(Format f, Regime regime, Bits& bits) {
  const FormatSpec s = format_spec(f);
  const std::uint32_t r = bits(), r2 = bits();
  const std::uint32_t sign = (regime != Regime::positive && (r >> 31) != 0) ? s.sign_bit() : 0u;
  const std::uint32_t top = (1u << s.exp_bits) - (s.rule == SpecialRule::ieee ? 2u : 1u);
  auto finite = [&](std::uint32_t field, std::uint32_t mantissa) {
    std::uint32_t code = (std::min(field, top) << s.man_bits) | (mantissa & ((1u << s.man_bits) - 1u));
    if (s.rule == SpecialRule::fn && code == s.magnitude_mask()) --code;
    return static_cast<std::uint16_t>(sign | code);
  };
  switch (regime) {
    case Regime::any_code: return static_cast<std::uint16_t>(r & ((1u << s.bits) - 1u));
    case Regime::zeros_subnormals: return finite((r >> 4) % 4 == 0 ? 1 : 0, (r >> 8) % 3 == 0 ? 0 : r2);
    case Regime::sparse_specials:
      if (r2 % 97 == 0) {
        const std::uint32_t all_ones = ((1u << s.exp_bits) - 1u) << s.man_bits;
        if (s.rule == SpecialRule::fn) return static_cast<std::uint16_t>(sign | s.magnitude_mask());
        return static_cast<std::uint16_t>(sign | all_ones | ((r >> 8) % 2));  // inf or NaN
      }
      [[fallthrough]];
    default:
      if ((r >> 20) % 8 == 0) return static_cast<std::uint16_t>(sign);  // zeros are common (masked keys, P underflow)
      return finite(static_cast<std::uint32_t>(s.bias + static_cast<int>(r % 9) - 4), r2);
  }
}

std::uint32_t draw_c(CRegime regime, Bits& bits) {
  const std::uint32_t r = bits(), r2 = bits();
  const std::uint32_t sign = r & 0x80000000u, mantissa = r2 & 0x7FFFFFu;
  const auto with_exponent = [&](int e) { return sign | static_cast<std::uint32_t>(e + 127) << 23 | mantissa; };
  switch (regime) {
    case CRegime::zero: return (r & 1u) ? 0x80000000u : 0u;
    case CRegime::ordinary: return with_exponent(static_cast<int>(r % 21) - 10);
    case CRegime::e8m13: return with_exponent(static_cast<int>(r % 21) - 10) & ~0x3FFu;  // a previous FP8 d
    case CRegime::huge: return with_exponent(100 + static_cast<int>(r % 28));
    case CRegime::tiny: return with_exponent(-126 + static_cast<int>(r % 20));
    case CRegime::subnormal: return sign | (mantissa >> (r % 20));
    case CRegime::special: {
      const std::uint32_t specials[] = {0x7F800000u, 0xFF800000u, 0x7FC00000u, 0x7FFFFFFFu};
      return specials[r % 4];
    }
    case CRegime::kCount: break;
  }
  return 0;
}

// The literal twin: every element, one mma_fused_dot_add per fused step of the instruction.
std::vector<std::uint32_t> twin_tile(const MmaInstruction& ins, const std::vector<std::uint16_t>& a,
                                     MmaTileOperand b, std::int64_t rows, std::int64_t cols, std::int64_t depth,
                                     const std::vector<std::uint32_t>& c) {
  const MmaStep step = ins.step();
  std::vector<std::uint32_t> d = c;
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t col = 0; col < cols; ++col) {
      std::uint32_t acc = c[static_cast<std::size_t>(r * cols + col)];
      for (std::int64_t k0 = 0; k0 < depth; k0 += step.count)
        acc = mma_fused_dot_add(step, a.data() + r * depth + k0, 1, b.codes + k0 * b.row_stride + col * b.col_stride,
                                b.row_stride, acc);
      d[static_cast<std::size_t>(r * cols + col)] = acc;
    }
  return d;
}

TEST(MmaChainTile, EveryPathEqualsTheLiteralTwinOnRandomTiles) {
  const std::vector<MmaInstruction> instructions = {
      find_mma_instruction("sm90_wgmma_e4m3_f32"),       find_mma_instruction("sm90_wgmma_e5m2_f32"),
      find_mma_instruction("sm90_wgmma_e4m3xe5m2_f32"),  find_mma_instruction("sm90_wgmma_e5m2xe4m3_f32"),
      find_mma_instruction("sm90_wgmma_bf16_f32"),       find_mma_instruction("sm90_wgmma_e4m3_f32").with_fraction_bits(12),
      find_mma_instruction("sm90_wgmma_e4m3_f32").with_fraction_bits(20), find_mma_instruction("sm89_mma_e4m3_f32")};
  std::map<std::string, std::int64_t> seen;  // output classes, so that a generator that stops reaching one fails
  Bits bits(0x61747465'6e74696full);
  MmaTileScratch scratch;
  for (const MmaInstruction& ins : instructions) {
    if (ins.fraction_bits <= 16 && format_spec(ins.a).bits == 8 && cpu_has_avx2() &&
        active_simd_path() == SimdPath::avx2) {
      EXPECT_TRUE(detail::fp8_chain_gemm_applies(ins)) << ins.name << ": the AVX2 lanes must be under test";
    }
    for (int tile = 0; tile < 48; ++tile) {
      const auto a_regime = static_cast<Regime>(bits() % static_cast<std::uint32_t>(Regime::kCount));
      const auto b_regime = static_cast<Regime>(bits() % static_cast<std::uint32_t>(Regime::kCount));
      const std::int64_t rows = 1 + bits() % 24, cols = 1 + bits() % 40, depth = ins.k * (1 + bits() % 4);
      const bool b_transposed = bits() % 2 != 0;
      std::vector<std::uint16_t> a(static_cast<std::size_t>(rows * depth)), b(static_cast<std::size_t>(depth * cols));
      for (auto& x : a) x = draw_code(ins.a, a_regime, bits);
      for (auto& x : b) x = draw_code(ins.b, b_regime, bits);
      std::vector<std::uint32_t> c(static_cast<std::size_t>(rows * cols));
      for (auto& x : c) x = draw_c(static_cast<CRegime>(bits() % static_cast<std::uint32_t>(CRegime::kCount)), bits);
      const MmaTileOperand ao{a.data(), depth, 1};
      const MmaTileOperand bo = b_transposed ? MmaTileOperand{b.data(), 1, depth} : MmaTileOperand{b.data(), cols, 1};
      const std::vector<std::uint32_t> expected = twin_tile(ins, a, bo, rows, cols, depth, c);
      for (ChainGemmPath path : {ChainGemmPath::fastest, ChainGemmPath::scalar}) {
        std::vector<std::uint32_t> d = c;
        mma_chain_tile(ins, ao, bo, rows, cols, depth, d.data(), cols, scratch, path);
        std::int64_t differ = 0;
        for (std::size_t i = 0; i < d.size(); ++i) differ += d[i] != expected[i];
        EXPECT_EQ(differ, 0) << ins.name << " tile " << tile << " " << rows << "x" << cols << "x" << depth
                             << (path == ChainGemmPath::scalar ? " scalar" : " fastest");
      }
      for (std::uint32_t x : expected) {
        const std::uint32_t field = (x >> 23) & 0xFFu;
        seen[field == 0xFF ? ((x & 0x7FFFFFu) != 0 ? "nan" : "inf")
             : field == 0  ? ((x & 0x7FFFFFFFu) != 0 ? "subnormal" : "zero")
                           : "normal"]++;
      }
    }
  }
  for (const char* kind : {"nan", "inf", "subnormal", "zero", "normal"}) EXPECT_GT(seen[kind], 0) << kind;
}

TEST(MmaChainTile, RefusesWhatNoAttentionTileIssues) {
  MmaTileScratch scratch;
  std::vector<std::uint16_t> codes(64, 0);
  std::vector<std::uint32_t> d(4, 0);
  const MmaTileOperand o{codes.data(), 48, 1};
  EXPECT_THROW(mma_chain_tile(find_mma_instruction("sm90_wgmma_e4m3_f32"), o, o, 1, 1, 48, d.data(), 1, scratch),
               InternalError);
  EXPECT_THROW(mma_chain_tile(find_mma_instruction("sm90_wgmma_e4m3_f16"), o, o, 1, 1, 32, d.data(), 1, scratch),
               InternalError);
  EXPECT_THROW(mma_chain_tile(find_mma_instruction("sm100_mxf8_e4m3_e8m0"), o, o, 1, 1, 32, d.data(), 1, scratch),
               InternalError);
}

// ---- the model's names and instructions --------------------------------------------------

TEST(AttentionKernelModel, NamesInstructionsAndLimits) {
  EXPECT_TRUE(parse_attention_kernel_model("fp32").is_fp32());
  EXPECT_EQ(parse_attention_kernel_model("sm90-wgmma").id(), "sm90-wgmma");
  EXPECT_EQ(parse_attention_kernel_model("sm90-wgmma.f12").id(), "sm90-wgmma.f12");
  EXPECT_EQ(parse_attention_kernel_model("sm89-mma").id(), "sm89-mma");
  for (const char* bad : {"sm90-wgmma.p128", "sm89-mma.p128", "sm80-mma", "sm100-tcgen05", "tc14t.p128", "exact", ""}) {
    try {
      parse_attention_kernel_model(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("expected fp32, sm90-wgmma"), std::string::npos) << e.what();
    }
  }
  const AttentionKernelModel wgmma = parse_attention_kernel_model("sm90-wgmma");
  AttentionDesc d = AttentionCase::from_params({{"shape", "b1.h1.kv1.sq8.skv64.d64"}, {"formats", "e5m2.e4m3fn"}}).desc;
  EXPECT_STREQ(wgmma.score_instruction(d).name, "sm90_wgmma_e5m2xe4m3_f32");
  EXPECT_STREQ(wgmma.pv_instruction(d).name, "sm90_wgmma_e4m3_f32");
  d.p = parse_p_handling("e5m2");
  EXPECT_STREQ(wgmma.pv_instruction(d).name, "sm90_wgmma_e5m2xe4m3_f32");
  d.p = parse_p_handling("bf16");  // bf16 P: V widened to bf16, the bf16 wgmma (k = 16)
  EXPECT_STREQ(wgmma.pv_instruction(d).name, "sm90_wgmma_bf16_f32");
  EXPECT_EQ(wgmma.why_unsupported(d, parse_attention_config("bq64.bkv80.s1")), "");
  d.p = parse_p_handling("e4m3");
  EXPECT_NE(wgmma.why_unsupported(d, parse_attention_config("bq64.bkv80.s1")).find("not a multiple of 32"),
            std::string::npos);
  d.q_type = ElementType::of(Format::bf16);
  EXPECT_STREQ(wgmma.score_instruction(d).name, "sm90_wgmma_bf16_f32");
  EXPECT_EQ(parse_attention_kernel_model("sm90-wgmma.f12").score_instruction(d).fraction_bits, 12);
}

// ---- the whole kernel against a literal per-row twin -------------------------------------

constexpr double kLog2e = 1.4426950408889634074;

// Codes of an operand as an instruction operand of format `to` (FP8 widened to bf16 exactly).
std::uint16_t as_operand(Format from, Format to, std::uint16_t code) {
  if (from == to) return code;
  return static_cast<std::uint16_t>(attention::float_bits(static_cast<float>(decode(from, code))) >> 16);
}

// docs/attention.md's steps for one row at a time, each S and each O element as a chain of
// mma_fused_dot_add calls; fp32 output. Blocks from the last to the first per split, rows
// that see no key of a block skip it, masked keys and keys past seq_kv take P = 0 (and V = 0
// past seq_kv), head dims padded with zeros to whole instructions.
AttentionOutput twin_attention(const AttentionFixture& f, const AttentionConfig& config) {
  const AttentionDesc& p = f.c.desc;
  const MmaInstruction si = f.c.model.score_instruction(p), pi = f.c.model.pv_instruction(p);
  const MmaStep ss = si.step(), ps = pi.step();
  const std::int64_t dqk = p.head_dim_qk, dv = p.head_dim_v, skv = p.seq_kv, bkv = config.block_kv;
  const std::int64_t depth = (dqk + si.k - 1) / si.k * si.k, blocks = (skv + bkv - 1) / bkv;
  const std::int64_t per_split = (blocks + config.splits - 1) / config.splits;
  const float scale_log2 = static_cast<float>(static_cast<double>(static_cast<float>(p.softmax_scale)) * kLog2e);
  const float p_scale = static_cast<float>(p.p.scale);
  const attention::PRounding rounding = attention::p_rounding(p.p.format);
  AttentionOutput out;
  out.type = OutputType::fp32, out.batch = p.batch, out.heads = p.q_heads, out.rows = p.seq_q, out.cols = dv;
  for (std::int64_t b = 0; b < p.batch; ++b)
    for (std::int64_t h = 0; h < p.q_heads; ++h) {
      const std::int64_t pair = b * p.kv_heads + p.kv_head_of(h), bh = b * p.q_heads + h;
      std::vector<std::uint16_t> k(static_cast<std::size_t>(skv * depth), 0), v(static_cast<std::size_t>(blocks * bkv * dv), 0);
      for (std::int64_t j = 0; j < skv; ++j) {
        for (std::int64_t d = 0; d < dqk; ++d)
          k[static_cast<std::size_t>(j * depth + d)] = as_operand(p.k_type.format, si.b, f.codes[1][static_cast<std::size_t>((pair * skv + j) * dqk + d)]);
        for (std::int64_t c = 0; c < dv; ++c)
          v[static_cast<std::size_t>(j * dv + c)] = as_operand(p.v_type.format, pi.b, f.codes[2][static_cast<std::size_t>((pair * skv + j) * dv + c)]);
      }
      const float scale = attention::score_scale_log2(scale_log2, f.descales[0][static_cast<std::size_t>(bh)],
                                                      f.descales[1][static_cast<std::size_t>(pair)]);
      for (std::int64_t i = 0; i < p.seq_q; ++i) {
        std::vector<std::uint16_t> q(static_cast<std::size_t>(depth), 0);
        for (std::int64_t d = 0; d < dqk; ++d) {
          const auto e = static_cast<std::size_t>((bh * p.seq_q + i) * dqk + d);
          q[static_cast<std::size_t>(d)] = p.q_type.format == Format::bf16 ? f.q_wide_codes[e]
                                                                           : as_operand(p.q_type.format, si.a, f.codes[0][e]);
        }
        std::vector<float> o_split(static_cast<std::size_t>(config.splits * dv)), lse_split(static_cast<std::size_t>(config.splits));
        for (int split = 0; split < config.splits; ++split) {
          float m = attention::kNegativeInfinity, l = 0;
          std::vector<std::uint32_t> o(static_cast<std::size_t>(dv), 0u);
          for (std::int64_t blk = std::min(blocks, (split + 1) * per_split) - 1; blk >= split * per_split; --blk) {
            const std::int64_t j0 = blk * bkv, count = std::min(bkv, skv - j0);
            const std::int64_t visible = std::min(p.visible_keys(i), j0 + count) - j0;
            if (visible <= 0) continue;
            std::vector<float> s(static_cast<std::size_t>(count));
            float block_max = attention::kNegativeInfinity;
            for (std::int64_t j = 0; j < count; ++j) {
              std::uint32_t acc = 0;
              for (std::int64_t d0 = 0; d0 < depth; d0 += ss.count)
                acc = mma_fused_dot_add(ss, q.data() + d0, 1, k.data() + (j0 + j) * depth + d0, 1, acc);
              s[static_cast<std::size_t>(j)] = attention::float_from_bits(acc) * scale;
              if (j < visible && s[static_cast<std::size_t>(j)] > block_max) block_max = s[static_cast<std::size_t>(j)];
            }
            const attention::OnlineSoftmaxStep step = attention::online_softmax_step(m, block_max, 0.0f);
            if (step.alpha != 1.0f) {
              l = l * step.alpha;
              for (std::uint32_t& x : o) x = attention::float_bits(attention::float_from_bits(x) * step.alpha);
            }
            m = step.m;
            std::vector<std::uint16_t> pc(static_cast<std::size_t>(bkv), 0);
            std::vector<float> pr(static_cast<std::size_t>(visible));
            for (std::int64_t j = 0; j < visible; ++j)
              pr[static_cast<std::size_t>(j)] = attention::exp2_portable(s[static_cast<std::size_t>(j)] - m) * p_scale;
            for (float x : pr) l = l + x;
            for (std::int64_t j = 0; j < visible; ++j) {
              const float rounded = attention::round_p(pr[static_cast<std::size_t>(j)], rounding);
              pc[static_cast<std::size_t>(j)] = pi.a == Format::bf16
                                                    ? static_cast<std::uint16_t>(attention::float_bits(rounded) >> 16)
                                                    : static_cast<std::uint16_t>(encode(pi.a, rounded));
            }
            for (std::int64_t c = 0; c < dv; ++c)
              for (std::int64_t k0 = 0; k0 < bkv; k0 += ps.count)
                o[static_cast<std::size_t>(c)] = mma_fused_dot_add(ps, pc.data() + k0, 1, v.data() + (j0 + k0) * dv + c, dv,
                                                                    o[static_cast<std::size_t>(c)]);
          }
          const float factor = attention::output_factor(l, f.descales[2][static_cast<std::size_t>(pair)]);
          for (std::int64_t c = 0; c < dv; ++c)
            o_split[static_cast<std::size_t>(split * dv + c)] = attention::float_from_bits(o[static_cast<std::size_t>(c)]) * factor;
          lse_split[static_cast<std::size_t>(split)] = attention::row_lse_log2(m, l, std::ilogb(p.p.scale));
        }
        std::vector<float> row(o_split.begin(), o_split.begin() + dv), weights(lse_split.size()), terms(lse_split.size());
        float lse = lse_split[0];
        if (config.splits > 1)
          lse = attention::combine_splits(config.splits, lse_split.data(), o_split.data(), dv, static_cast<int>(dv),
                                          config.combine == SplitCombine::tree, row.data(), weights.data(), terms.data());
        for (float x : row) out.bits.push_back(attention::float_bits(x));
        out.lse.push_back(lse * attention::kLn2);
      }
    }
  return out;
}

struct TwinCase {
  std::string shape, formats, p, config, distribution, accumulation = "sm90-wgmma";
};

void PrintTo(const TwinCase& t, std::ostream* os) {
  *os << t.shape << " " << t.formats << " p " << t.p << " " << t.config << " " << t.distribution << " " << t.accumulation;
}

class AttentionWgmmaTwin : public ::testing::TestWithParam<TwinCase> {};

TEST_P(AttentionWgmmaTwin, KernelEqualsTheLiteralTwinOnEveryPath) {
  const TwinCase& t = GetParam();
  const bool specials = t.distribution == "specials";
  AttentionFixture f = make_fixture({{"shape", t.shape}, {"formats", t.formats}, {"p", t.p}, {"output", "fp32"},
                                     {"distribution", specials ? "normal" : t.distribution}, {"accumulation", t.accumulation}});
  if (specials) {  // (a "+specials" distribution would make a per-tensor scale NaN: every code NaN)
    const auto special = [](Format fmt, bool inf) -> std::uint8_t { return fmt == Format::e5m2 ? (inf ? 0x7C : 0x7E) : 0x7F; };
    const AttentionDesc& d = f.c.desc;
    f.codes[0][static_cast<std::size_t>(2 * d.head_dim_qk)] = special(d.q_type.format, false);  // Q row 2: NaN
    f.codes[1][static_cast<std::size_t>((d.seq_kv - 4) * d.head_dim_qk + 3)] = special(d.k_type.format, true);
    f.codes[2][static_cast<std::size_t>((d.seq_kv - 2) * d.head_dim_v + 7)] = special(d.v_type.format, true);
  }
  const AttentionConfig config = parse_attention_config(t.config);
  const AttentionOutput twin = twin_attention(f, config);
  if (specials) {  // NaN where a special reached (wgmma: an inf operand gives NaN), numbers elsewhere
    const auto nan = std::count_if(twin.bits.begin(), twin.bits.end(),
                                   [](std::uint32_t x) { return std::isnan(std::bit_cast<float>(x)); });
    EXPECT_GT(nan, 0);
    EXPECT_GT(static_cast<std::size_t>(twin.bits.size()) - static_cast<std::size_t>(nan), twin.bits.size() / 2);
  }
  expect_same_bits(twin, run_kernel(f, config, 2));
  expect_same_bits(twin, run_kernel(f, config, 1, AttentionFault::none, ChainGemmPath::scalar));
  // block_q and threads only split work: every row is computed alone.
  AttentionConfig other_q = config;
  other_q.block_q = config.block_q == 64 ? 128 : 64;
  expect_same_bits(twin, run_kernel(f, other_q, 3));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AttentionWgmmaTwin,
    ::testing::Values(
        TwinCase{"b1.h2.kv1.sq37.skv100.d64.causal", "e4m3fn.e4m3fn", "e4m3", "bq64.bkv32.s2", "normal"},
        TwinCase{"b2.h2.kv2.sq9.skv70.d40", "e5m2.e4m3fn", "e5m2", "bq64.bkv32.s1.sp2", "normal"},
        TwinCase{"b1.h2.kv1.sq16.skv129.d32", "e4m3fn.e5m2", "e4m3.s64", "bq64.bkv128.s1", "uniform(0,1)"},
        TwinCase{"b1.h1.kv1.sq8.skv112.d48.dv40", "bf16.e4m3fn", "bf16", "bq64.bkv48.s1.sp2.tree", "normal"},
        TwinCase{"b1.h2.kv1.sq12.skv64.d32.causal", "e5m2.e5m2", "e4m3", "bq64.bkv32.s1", "specials"},
        TwinCase{"b1.h1.kv1.sq12.skv80.d32", "e4m3fn.e4m3fn", "e4m3", "bq64.bkv32.s1.sp2", "tiny"},
        // Ada's mma.sync (two fused halves of 16): fp8check's own CUDA kernel's model
        TwinCase{"b1.h2.kv1.sq37.skv100.d64.causal", "e4m3fn.e5m2", "e5m2", "bq64.bkv64.s2", "normal", "sm89-mma"},
        TwinCase{"b1.h1.kv1.sq8.skv112.d48.dv40", "bf16.e4m3fn", "bf16", "bq64.bkv48.s1.sp2", "uniform(0,1)",
                 "sm89-mma"}));


// ---- the a-priori bound covers the model's truncation ------------------------------------

// Random problems (shapes, formats, P handling, scaling, logit scales, configs) on
// zero-mean, all-positive (uniform(0,1): Q, K and V >= 0, so the P·V truncation is biased
// one way) and outlier data: the observed error never exceeds the bound, and how loose the
// bound is gets printed (docs/attention.md quotes it).
void expect_bound_holds(const char* accumulation, int per_draw, std::uint64_t seed) {
  struct Draw {
    const char* distribution;
    std::vector<double> ratios;
  };
  Draw draws[] = {{"normal", {}}, {"uniform(0,1)", {}}, {"outliers", {}}};
  const char* shapes[] = {"b1.h2.kv1.sq40.skv300.d64.causal", "b1.h2.kv2.sq16.skv1100.d128", "b1.h1.kv1.sq8.skv4224.d64",
                          "b1.h4.kv1.sq33.skv129.d192.dv128", "b2.h2.kv2.sq17.skv65.d40"};
  const char* formats[] = {"e4m3fn.e4m3fn", "e5m2.e5m2", "e4m3fn.e5m2", "bf16.e4m3fn"};
  const char* ps[] = {"e4m3", "e5m2", "bf16", "e4m3.s64"};
  const char* configs[] = {"bq64.bkv64.s1", "bq128.bkv128.s2", "bq64.bkv32.s1.sp3", "bq64.bkv96.s1.sp2.tree"};
  Bits bits(seed);
  for (Draw& draw : draws)
    for (int i = 0; i < per_draw; ++i) {
      const std::string shape = shapes[bits() % 5], format = formats[bits() % 4], p = ps[bits() % 4];
      const std::string logit = bits() % 3 == 0 ? "4" : "1", scaling = bits() % 2 ? "head" : "tensor";
      const AttentionFixture f = make_fixture({{"shape", shape}, {"formats", format}, {"p", p}, {"logit_scale", logit},
                                               {"scaling", scaling}, {"distribution", draw.distribution},
                                               {"output", "fp32"}, {"accumulation", accumulation}});
      const AttentionConfig config = parse_attention_config(configs[bits() % 4]);
      const AttentionOutput out = run_kernel(f, config, 2);
      const CaseResult r = judge(f, config, out);
      const Check* bound = find_check(r, "kernel error / a-priori bound");
      ASSERT_NE(bound, nullptr);
      const std::string what = shape + " " + format + " p " + p + " ls " + logit + " " + scaling + " " +
                               draw.distribution + " " + config.id();
      EXPECT_LE(bound->observed, 1.0) << what;
      EXPECT_GT(bound->observed, 0.0) << what;
      EXPECT_EQ(r.verdict, Verdict::pass) << what << ": " << r.reason;
      draw.ratios.push_back(bound->observed);
      std::printf("  %-60s error/bound %.3g\n", what.c_str(), bound->observed);
    }
  for (Draw& draw : draws) {
    std::sort(draw.ratios.begin(), draw.ratios.end());
    std::printf("%-14s max error / bound over %zu problems: median %.3g, largest %.3g\n", draw.distribution,
                draw.ratios.size(), draw.ratios[draw.ratios.size() / 2], draw.ratios.back());
  }
}

TEST(AttentionWgmmaBound, ObservedErrorNeverExceedsTheBound) { expect_bound_holds("sm90-wgmma", 10, 0x626f756e64ull); }

// Ada's mma.sync runs each instruction as two fused halves of 16: twice the steps, each
// truncating (attention_bound.cpp, step_k).
TEST(AttentionMmaSyncBound, ObservedErrorNeverExceedsTheBound) { expect_bound_holds("sm89-mma", 4, 0x73383969ull); }
}  // namespace
}  // namespace fp8check::test
