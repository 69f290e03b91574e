// Kernel models (ids, instruction choice, errors) and mma_chain_gemm: a hand-derived
// promotion example, the chain against a loop over the literal twin for every kernel
// base (random operands, scales, promotion, fraction bits), thread-count invariance,
// and the input errors.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/generate/philox_stream.hpp"
#include "harness/generate/seed.hpp"
#include "harness/core/convert_bulk.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"
#include "kernels/emulated/mma/fp8_chain_gemm.hpp"
#include "tests/mma/mma_twin.hpp"

namespace fp8check {
namespace {

TEST(KernelModel, IdsRoundTrip) {
  for (const char* id : {"sm80-mma", "sm89-mma", "sm90-wgmma", "sm90-wgmma.p128", "sm90-wgmma.f12",
                         "sm90-wgmma.f12.p128", "sm100-tcgen05", "sm100-mxf8", "sm100-mxf4", "sm100-nvf4.p256"})
    EXPECT_EQ(parse_kernel_model(id).id(), id);
  const KernelModel m = parse_kernel_model("sm90-wgmma.p128.f12");
  EXPECT_EQ(m.id(), "sm90-wgmma.f12.p128");
  EXPECT_EQ(m.fraction_bits, 12);
  EXPECT_EQ(m.promotion_interval, 128);
}

TEST(KernelModel, BadIdsSayWhatIsAccepted) {
  for (const char* id : {"sm91-wgmma", "sm90-wgmma.p", "sm90-wgmma.p0", "sm90-wgmma.x3", "sm90-wgmma.p128.p64",
                         "sm90-wgmma.f41", "sm90-wgmma.", "tc14t.p128", ""}) {
    try {
      parse_kernel_model(id);
      ADD_FAILURE() << "accepted '" << id << "'";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_TRUE(what.find("expected BASE[.fN][.pN]") != std::string::npos || what.find("must be in") != std::string::npos)
          << what;
    }
  }
}

TEST(KernelModel, ChoosesTheInstructionOfTheFormats) {
  EXPECT_STREQ(parse_kernel_model("sm90-wgmma").instruction(Format::e4m3fn, Format::e5m2).name, "sm90_wgmma_e4m3xe5m2_f32");
  EXPECT_STREQ(parse_kernel_model("sm90-wgmma").instruction(Format::bf16, Format::bf16).name, "sm90_wgmma_bf16_f32");
  EXPECT_STREQ(parse_kernel_model("sm89-mma").instruction(Format::e5m2, Format::e4m3fn).name, "sm89_mma_e5m2xe4m3_f32");
  EXPECT_STREQ(parse_kernel_model("sm100-nvf4").instruction(Format::e2m1fn, Format::e2m1fn).name, "sm100_nvf4_e2m1_ue4m3");
  const MmaInstruction f12 = parse_kernel_model("sm90-wgmma.f12").instruction(Format::e4m3fn, Format::e4m3fn);
  EXPECT_EQ(f12.fraction_bits, 12);
  try {
    parse_kernel_model("sm100-nvf4").instruction(Format::e4m3fn, Format::e4m3fn);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("takes e2m1fn.e2m1fn"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_kernel_model("sm90-wgmma.p48").instruction(Format::e4m3fn, Format::e4m3fn), InputError);
  EXPECT_NO_THROW(parse_kernel_model("sm90-wgmma.p48").instruction(Format::bf16, Format::bf16));  // k = 16
}

std::vector<std::uint16_t> codes_of(Format f, const std::vector<double>& values) {
  std::vector<std::uint16_t> out;
  for (double v : values) out.push_back(static_cast<std::uint16_t>(encode(f, v)));
  return out;
}

// K = 256, one output: 16 * 16 = 256 at k = 0, then 2^-3 * 2^-3 = 2^-6 at k = 32, 64, ..., 224.
// One accumulator: every 2^-6 is below the 2^-5 unit of 256's alignment (F = 13): d = 256.
// Promotion every 128: the second partial starts at 0 and keeps its four 2^-6: 256 + 2^-4.
TEST(ChainGemm, PromotionKeepsWhatOneAccumulatorLoses) {
  std::vector<double> a(256, 0.0), b(256, 0.0);
  a[0] = b[0] = 16.0;
  for (int k = 32; k < 256; k += 32) a[k] = b[k] = 0.125;
  const auto ac = codes_of(Format::e4m3fn, a), bc = codes_of(Format::e4m3fn, b);
  ChainGemmOperands p;
  p.m = 1, p.n = 1, p.k = 256, p.a = ac, p.b = bc;
  EXPECT_EQ(mma_chain_gemm(parse_kernel_model("sm90-wgmma"), p)[0], std::bit_cast<std::uint32_t>(256.0f));
  EXPECT_EQ(mma_chain_gemm(parse_kernel_model("sm89-mma"), p)[0], std::bit_cast<std::uint32_t>(256.0f));
  EXPECT_EQ(mma_chain_gemm(parse_kernel_model("sm90-wgmma.p128"), p)[0], std::bit_cast<std::uint32_t>(256.0625f));
  EXPECT_EQ(mma_chain_gemm(parse_kernel_model("sm100-tcgen05"), p)[0], std::bit_cast<std::uint32_t>(256.109375f));
}

struct RandomGemm {
  ChainGemmOperands p;
  std::vector<std::uint16_t> a, b;
  std::vector<std::uint8_t> scale_a, scale_b;
};

// Finite codes of moderate exponent, one in 4000 a NaN or -0; scales near 1.
RandomGemm random_gemm(const MmaInstruction& ins, std::int64_t m, std::int64_t n, std::int64_t k, std::uint64_t seed) {
  RandomGemm g;
  const PhiloxStream s(tensor_key(seed, ins.name, "chain"));
  const auto code = [&](Format f, std::uint64_t i) {
    const FormatSpec spec = format_spec(f);
    const std::uint32_t r = s.bits32(i);
    if (spec.bits == 4) return static_cast<std::uint16_t>(r & 0xFu);  // every FP4 code
    if (r % 4000 == 0) return static_cast<std::uint16_t>(r % 2 ? spec.magnitude_mask() : spec.sign_bit());
    const std::uint32_t field = static_cast<std::uint32_t>(spec.bias - 3) + (r >> 8) % 6;
    return static_cast<std::uint16_t>(((r >> 31) ? spec.sign_bit() : 0u) | (field << spec.man_bits) |
                                      ((r >> 16) & ((1u << spec.man_bits) - 1u)));
  };
  for (std::int64_t i = 0; i < m * k; ++i) g.a.push_back(code(ins.a, static_cast<std::uint64_t>(i)));
  for (std::int64_t i = 0; i < k * n; ++i) g.b.push_back(code(ins.b, static_cast<std::uint64_t>(1000000 + i)));
  if (ins.scale != MmaScaleKind::none) {
    const std::int64_t groups = k / ins.scale_block;
    for (std::int64_t i = 0; i < m * groups; ++i)
      g.scale_a.push_back(static_cast<std::uint8_t>((ins.scale == MmaScaleKind::e8m0 ? 124 : 0x30) + s.bits32(2000000 + i) % 7));
    for (std::int64_t i = 0; i < groups * n; ++i)
      g.scale_b.push_back(static_cast<std::uint8_t>((ins.scale == MmaScaleKind::e8m0 ? 124 : 0x30) + s.bits32(3000000 + i) % 7));
  }
  g.p.m = m, g.p.n = n, g.p.k = k, g.p.a_format = ins.a, g.p.b_format = ins.b;
  g.p.a = g.a, g.p.b = g.b, g.p.scale_a = g.scale_a, g.p.scale_b = g.scale_b;
  return g;
}

// The chain read literally: instruction after instruction through the twin, the FP32 add at
// each promotion written out here.
std::vector<std::uint32_t> twin_chain(const MmaInstruction& ins, int promotion, const RandomGemm& g) {
  const std::int64_t k = ins.k, groups = g.p.k / (ins.scale_block ? ins.scale_block : g.p.k);
  std::vector<std::uint32_t> d;
  for (std::int64_t i = 0; i < g.p.m; ++i)
    for (std::int64_t j = 0; j < g.p.n; ++j) {
      std::uint32_t partial = 0;
      float sum = 0.0f;
      for (std::int64_t k0 = 0; k0 < g.p.k; k0 += k) {
        std::vector<std::uint16_t> a(g.a.begin() + i * g.p.k + k0, g.a.begin() + i * g.p.k + k0 + k), b;
        for (std::int64_t kk = k0; kk < k0 + k; ++kk) b.push_back(g.b[static_cast<std::size_t>(kk * g.p.n + j)]);
        std::vector<std::uint8_t> sa, sb;
        for (int s = 0; s < ins.scales_per_row(); ++s) {
          const std::int64_t group = k0 / ins.scale_block + s;
          sa.push_back(g.scale_a[static_cast<std::size_t>(i * groups + group)]);
          sb.push_back(g.scale_b[static_cast<std::size_t>(group * g.p.n + j)]);
        }
        partial = twin::execute(ins, a.data(), b.data(), partial, sa.data(), sb.data());
        if (promotion != 0 && ((k0 + k) % promotion == 0 || k0 + k == g.p.k)) {
          sum = sum + std::bit_cast<float>(partial);
          partial = 0;
        }
      }
      const std::uint32_t promoted = sum != sum ? 0x7FFFFFFFu : std::bit_cast<std::uint32_t>(sum);
      d.push_back(promotion != 0 ? promoted : partial);
    }
  return d;
}

TEST(ChainGemm, EqualsTheTwinInstructionByInstruction) {
  const struct {
    const char* kernel;
    Format a, b;
  } cases[] = {{"sm80-mma", Format::bf16, Format::bf16},       {"sm80-mma.p64", Format::fp16, Format::fp16},
               {"sm89-mma", Format::e5m2, Format::e4m3fn},     {"sm89-mma.p128", Format::e4m3fn, Format::e4m3fn},
               {"sm90-wgmma", Format::e4m3fn, Format::e4m3fn}, {"sm90-wgmma.f12.p128", Format::e4m3fn, Format::e5m2},
               {"sm90-wgmma.p64", Format::bf16, Format::bf16}, {"sm100-tcgen05.f20", Format::e5m2, Format::e5m2},
               {"sm100-mxf8.p128", Format::e4m3fn, Format::e4m3fn}, {"sm100-mxf4", Format::e2m1fn, Format::e2m1fn},
               {"sm100-nvf4.p128", Format::e2m1fn, Format::e2m1fn}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.kernel);
    const KernelModel model = parse_kernel_model(c.kernel);
    const MmaInstruction ins = model.instruction(c.a, c.b);
    const RandomGemm g = random_gemm(ins, 3, 5, 384, 7);
    EXPECT_EQ(mma_chain_gemm(model, g.p, 2), twin_chain(ins, model.promotion_interval, g));
  }
}

TEST(ChainGemm, BitsDoNotDependOnTheThreadCount) {
  const KernelModel model = parse_kernel_model("sm90-wgmma.p128");
  const RandomGemm g = random_gemm(model.instruction(Format::e4m3fn, Format::e4m3fn), 37, 19, 512, 11);
  const auto one = mma_chain_gemm(model, g.p, 1);
  EXPECT_EQ(mma_chain_gemm(model, g.p, 4), one);
  EXPECT_EQ(mma_chain_gemm(model, g.p, 64), one);
}

// FP8 operands for the fast path: every code (NaN and inf included) in a few rows and
// columns, zeros and subnormals elsewhere, ordinary values in the rest.
std::vector<std::uint16_t> fp8_codes(Format f, std::int64_t rows, std::int64_t cols, std::uint64_t key) {
  const PhiloxStream s(key);
  std::vector<std::uint16_t> out;
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) {
      const std::uint32_t x = s.bits32(static_cast<std::uint64_t>(r * cols + c));
      const std::uint32_t sign = (x >> 31) << 7;
      if (r == 1 || c == 2) out.push_back(static_cast<std::uint16_t>(x & 0xFFu));                  // any code
      else if (r % 5 == 3) out.push_back(static_cast<std::uint16_t>(sign | ((x >> 8) % 8)));       // zero, subnormal
      else out.push_back(static_cast<std::uint16_t>(sign | (((x >> 8) % 10 + (f == Format::e5m2 ? 10 : 2)) << (f == Format::e5m2 ? 2 : 3)) |
                                                    ((x >> 16) & (f == Format::e5m2 ? 3u : 7u))));
    }
  return out;
}

TEST(ChainGemm, FastPathEqualsScalarPath) {
  if (active_simd_path() != SimdPath::avx2) GTEST_SKIP() << "no AVX2 on this CPU (or FP8CHECK_SIMD=scalar): no fast path";
  const struct {
    const char* kernel;
    Format a, b;
    std::int64_t m, n, k;
  } cases[] = {{"sm90-wgmma", Format::e4m3fn, Format::e4m3fn, 37, 70, 512},
               {"sm90-wgmma.p128", Format::e4m3fn, Format::e4m3fn, 21, 33, 640},
               {"sm90-wgmma.p64", Format::e5m2, Format::e5m2, 19, 40, 256},
               {"sm90-wgmma.f12.p128", Format::e4m3fn, Format::e5m2, 17, 31, 384},
               {"sm90-wgmma.f16", Format::e5m2, Format::e4m3fn, 9, 64, 256},
               {"sm89-mma", Format::e4m3fn, Format::e4m3fn, 18, 35, 512},
               {"sm89-mma.p128", Format::e5m2, Format::e4m3fn, 33, 12, 384}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.kernel);
    const KernelModel model = parse_kernel_model(c.kernel);
    ASSERT_TRUE(detail::fp8_chain_gemm_applies(model.instruction(c.a, c.b)));
    const auto a = fp8_codes(c.a, c.m, c.k, 1), b = fp8_codes(c.b, c.k, c.n, 2);
    ChainGemmOperands p;
    p.m = c.m, p.n = c.n, p.k = c.k, p.a_format = c.a, p.b_format = c.b, p.a = a, p.b = b;
    const auto scalar = mma_chain_gemm(model, p, 2, ChainGemmPath::scalar);
    EXPECT_EQ(mma_chain_gemm(model, p, 1), scalar);
    EXPECT_EQ(mma_chain_gemm(model, p, 3), scalar);
    int nan = 0, zero = 0;
    for (std::uint32_t d : scalar) nan += (d & 0x7FFFFFFFu) > 0x7F800000u, zero += d == 0;
    EXPECT_GT(nan, 0) << "the special codes reached no output";
    EXPECT_LT(nan, static_cast<int>(scalar.size()) / 2) << "NaN everywhere: the comparison would judge little";
  }
  // F = 17 needs more than the lanes' 32 bits: the scalar path takes it.
  EXPECT_FALSE(detail::fp8_chain_gemm_applies(parse_kernel_model("sm90-wgmma.f17").instruction(Format::e4m3fn, Format::e4m3fn)));
  EXPECT_FALSE(detail::fp8_chain_gemm_applies(parse_kernel_model("sm100-tcgen05").instruction(Format::e4m3fn, Format::e4m3fn)));
}

TEST(ChainGemm, RefusesOperandsThatDoNotFit) {
  const KernelModel wgmma = parse_kernel_model("sm90-wgmma");
  RandomGemm g = random_gemm(wgmma.instruction(Format::e4m3fn, Format::e4m3fn), 2, 2, 64, 3);
  const auto refuses = [&](ChainGemmOperands p, const KernelModel& m, const std::string& part) {
    try {
      mma_chain_gemm(m, p);
      ADD_FAILURE() << "accepted; expected: " << part;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  ChainGemmOperands p = g.p;
  p.k = 48, p.a = std::span(g.a).first(96), p.b = std::span(g.b).first(96);
  refuses(p, wgmma, "K 48 is not a multiple of sm90_wgmma_e4m3_f32's k 32");
  refuses(g.p, parse_kernel_model("sm90-wgmma.p48"), "promotion interval 48");
  p = g.p, p.b = std::span(g.b).first(100);
  refuses(p, wgmma, "B holds 100 elements: expected 64 x 2");
  std::vector<std::uint16_t> bad = g.a;
  bad[5] = 256;
  p = g.p, p.a = bad;
  refuses(p, wgmma, "A element 5 is 256, not a e4m3fn code");
  const std::vector<std::uint8_t> scales(4, 127);
  p = g.p, p.scale_a = scales, p.scale_b = scales;
  refuses(p, wgmma, "takes no block scales");
  RandomGemm f = random_gemm(find_mma_instruction("sm100_mxf4_e2m1_e8m0"), 2, 2, 64, 3);
  p = f.p, p.scale_b = {};
  refuses(p, parse_kernel_model("sm100-mxf4"), "scale B holds 0 elements: expected 2 x 2");
  std::vector<std::uint16_t> wide = f.a;
  wide[0] = 16;  // FP4 codes are 4 bits
  p = f.p, p.a = wide;
  refuses(p, parse_kernel_model("sm100-mxf4"), "not a e2m1fn code (expected 0..15)");
}

}  // namespace
}  // namespace fp8check
