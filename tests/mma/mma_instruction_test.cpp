// Instruction descriptors (lookup, validation, printing) and hand-derived single
// instructions that pin each rule of the model (fused_dot_add.hpp, block_scaled_dot_add.hpp):
// the values in the comments are worked out by hand from MMA-Sim's algorithm.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"

namespace fp8check {
namespace {

std::uint32_t f32(float x) { return std::bit_cast<std::uint32_t>(x); }

// One instruction with a[i] * b[i] = the given pairs (values encoded exactly), zeros elsewhere.
struct Pairs {
  std::vector<double> a, b;
};

std::uint32_t run(const char* name, const Pairs& p, std::uint32_t c, std::vector<std::uint8_t> sa = {},
                  std::vector<std::uint8_t> sb = {}) {
  const MmaInstruction& ins = find_mma_instruction(name);
  std::vector<std::uint16_t> a(static_cast<std::size_t>(ins.k)), b(a.size());
  for (std::size_t i = 0; i < p.a.size(); ++i) {
    const EncodeOptions exact{Rounding::nearest_even, false, false};  // inf stays inf
    a[i] = static_cast<std::uint16_t>(encode(ins.a, p.a[i], exact));
    b[i] = static_cast<std::uint16_t>(encode(ins.b, p.b[i], exact));
    EXPECT_EQ(decode(ins.a, a[i]), p.a[i]) << "not exact in the format";
  }
  return mma_execute(ins, a.data(), 1, b.data(), 1, c, sa.empty() ? nullptr : sa.data(), 1,
                     sb.empty() ? nullptr : sb.data(), 1);
}

TEST(MmaInstruction, TableIsValidAndNamesAreUnique) {
  std::set<std::string> names;
  for (const MmaInstruction& i : mma_instructions()) {
    EXPECT_NO_THROW(i.validate()) << i.name;
    EXPECT_TRUE(names.insert(i.name).second) << "duplicate " << i.name;
    EXPECT_EQ(&find_mma_instruction(i.name), &i);
  }
  EXPECT_GE(names.size(), 13u);
}

TEST(MmaInstruction, UnknownNameListsTheNames) {
  try {
    find_mma_instruction("sm90_wgmma_e4m3_bf16");
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("unknown MMA instruction 'sm90_wgmma_e4m3_bf16'"), std::string::npos) << what;
    EXPECT_NE(what.find("sm90_wgmma_e4m3_f32"), std::string::npos) << what;
    EXPECT_NE(what.find("sm100_nvf4_e2m1_ue4m3"), std::string::npos) << what;
  }
}

TEST(MmaInstruction, PrintsItsParameters) {
  std::ostringstream os;
  os << find_mma_instruction("sm90_wgmma_e4m3_f32");
  EXPECT_EQ(os.str(),
            "sm90_wgmma_e4m3_f32 (sm_90 wgmma, wgmma.mma_async.sync.aligned.m64nNk32): a e4m3fn, b e4m3fn, k 32, "
            "13 fraction bits, c f32, d f32_e8m13 (truncate)");
  os.str("");
  os << find_mma_instruction("sm100_nvf4_e2m1_ue4m3");
  EXPECT_NE(os.str().find("ue4m3 scale per 16, exact partial sums of 16"), std::string::npos) << os.str();
}

TEST(MmaInstruction, FractionBitsForSensitivityStudies) {
  const MmaInstruction f12 = find_mma_instruction("sm90_wgmma_e4m3_f32").with_fraction_bits(12);
  EXPECT_EQ(f12.fraction_bits, 12);
  EXPECT_EQ(f12.d_name(), "f32_e8m12");  // the accumulator's width is the d truncation
  const MmaInstruction wide = find_mma_instruction("sm90_wgmma_e4m3_f32").with_fraction_bits(30);
  EXPECT_EQ(wide.d_name(), "f32");
  EXPECT_EQ(find_mma_instruction("sm100_tcgen05_e4m3_f32").with_fraction_bits(20).d_name(), "f32");
  EXPECT_THROW(find_mma_instruction("sm90_wgmma_e4m3_f32").with_fraction_bits(0), InputError);
  EXPECT_THROW(find_mma_instruction("sm90_wgmma_e4m3_f32").with_fraction_bits(41), InputError);
}

TEST(MmaInstruction, ValidateRejectsInconsistentDescriptors) {
  MmaInstruction i = find_mma_instruction("sm100_mxf4_e2m1_e8m0");
  i.scale_block = 24;
  EXPECT_THROW(i.validate(), InputError);
  i = find_mma_instruction("sm90_wgmma_e4m3_f16");
  i.d_fraction_bits = 13;
  EXPECT_THROW(i.validate(), InputError);
  i = find_mma_instruction("sm89_mma_e4m3_f32");
  i.k = 31;
  EXPECT_THROW(i.validate(), InputError);
}

// Emax is the largest exponent SUM: 1.875^2 and -1.75^2 have exponent sum 0 (their values
// reach 2^1), so 2^-6 * 2^-7 = 2^-13 (one unit of 2^-13) survives the alignment:
// d = 3.515625 - 3.0625 + 2^-13 = 0.4532470703125. Aligning to the products' normalised
// exponent (1) would drop it: 0.453125.
TEST(MmaArithmetic, AlignsToTheLargestExponentSum) {
  const Pairs p{{1.875, -1.75, 0x1p-6}, {1.875, 1.75, 0x1p-7}};
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", p, 0), f32(0.4532470703125f));
}

// A negative term below one unit truncates toward zero (to 0, not to -2^-13).
TEST(MmaArithmetic, TruncatesTowardZero) {
  const Pairs p{{1.0, -0x1p-7}, {1.0, 0x1p-7}};  // -2^-14: half a unit of 2^-13
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", p, 0), f32(1.0f));
  const Pairs q{{-1.0, 0x1p-7}, {1.0, 0x1p-7}};
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", q, 0), f32(-1.0f));
}

// MMA-Sim gives a zero operand the exponent -126 in every format, and a zero product's
// exponent sum takes part in the alignment: 0 * 2^100 sets Emax = -26, below which the
// product 2^-120 is truncated away (F = 25).
TEST(MmaArithmetic, ZeroOperandsTakePartInTheAlignment) {
  const Pairs p{{0.0, 0x1p-60}, {0x1p100, 0x1p-60}};
  EXPECT_EQ(run("sm90_wgmma_bf16_f32", p, 0), 0u);
  const Pairs q{{0x1p-60}, {0x1p-60}};
  EXPECT_EQ(run("sm90_wgmma_bf16_f32", q, 0), f32(0x1p-120f));
}

// sm_89 mma.sync is two halves: 2.25 + 2^-13 is truncated to 2.25 by the first half's
// e8m13 d, so the second half's -2.25 leaves +0. wgmma (one step) keeps 2^-13.
TEST(MmaArithmetic, SplitHalvesRoundBetweenHalves) {
  Pairs p{{1.5, 0x1p-6}, {1.5, 0x1p-7}};
  p.a.resize(16, 0.0), p.b.resize(16, 0.0);
  p.a.push_back(-1.5), p.b.push_back(1.5);
  EXPECT_EQ(run("sm89_mma_e4m3_f32", p, 0), 0u);
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", p, 0), f32(0x1p-13f));
}

// The d registers: e8m13 truncation, f32 truncation, f16 round to nearest even.
TEST(MmaArithmetic, OutputRounding) {
  const Pairs p{{1.0, 1.0}, {1.0, 0x1p-7}};  // 1 + 2^-7, and c = 2^-12 + 2^-20
  const std::uint32_t c = f32(0x1p-12f + 0x1p-20f);
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", p, c), f32(1.0f + 0x1p-7f + 0x1p-12f));  // c's 2^-20 dropped (F = 13)
  EXPECT_EQ(run("sm100_tcgen05_e4m3_f32", p, c), f32(1.0f + 0x1p-7f + 0x1p-12f + 0x1p-20f));
  const Pairs tie{{1.0, 0x1p-6}, {1.0, 0x1p-5}};  // 1 + 2^-11: a tie at 10 bits, to even
  EXPECT_EQ(run("sm90_wgmma_e4m3_f16", tie, 0), 0x3C00u);
  const Pairs up{{1.0, 0x1p-6, 0x1p-6}, {1.0, 0x1p-5, 0x1p-4}};  // 1 + 3 * 2^-11 -> 1 + 2^-9
  EXPECT_EQ(run("sm90_wgmma_e4m3_f16", up, 0), 0x3C02u);
  // FP32 subnormals keep 13 bits below 2^-126 in e8m13: every product zero, d = c truncated.
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", Pairs{}, 0x007FFFFFu), 0x007FFC00u);
  EXPECT_EQ(run("sm100_tcgen05_e4m3_f32", Pairs{}, 0x007FFFFFu), 0x007FFFFFu);
}

TEST(MmaArithmetic, OverflowAndSignedZeros) {
  EXPECT_EQ(run("sm90_wgmma_bf16_f32", Pairs{{0x1p127}, {2.0}}, 0), 0x7F800000u);
  EXPECT_EQ(run("sm90_wgmma_bf16_f32", Pairs{{0x1p127}, {-2.0}}, f32(-0x1p127f)), 0xFF800000u);
  // FLT_MAX plus products far below its alignment: truncated to 13 bits, finite.
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", Pairs{{448.0}, {448.0}}, 0x7F7FFFFFu), 0x7F7FFC00u);
  EXPECT_EQ(run("sm90_wgmma_e4m3_f16", Pairs{{448.0, 448.0}, {448.0, 448.0}}, 0), 0x7C00u);  // 401408 > 65504
  // An exact zero is +0, whatever the signs.
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", Pairs{{-0.0}, {1.0}}, 0x80000000u), 0u);
  EXPECT_EQ(run("sm90_wgmma_e4m3_f32", Pairs{{-2.0, 2.0}, {1.0, 1.0}}, 0x80000000u), 0u);
}

TEST(MmaArithmetic, NanAndInf) {
  const double inf = std::numeric_limits<double>::infinity();
  const char* e5 = "sm90_wgmma_e5m2_f32";
  EXPECT_EQ(run(e5, Pairs{{inf}, {2.0}}, 0), 0x7F800000u);
  EXPECT_EQ(run(e5, Pairs{{inf}, {-2.0}}, f32(1e30f)), 0xFF800000u);
  EXPECT_EQ(run(e5, Pairs{{inf}, {0.0}}, 0), 0x7FFFFFFFu);              // inf * 0
  EXPECT_EQ(run(e5, Pairs{{inf, inf}, {1.0, -1.0}}, 0), 0x7FFFFFFFu);   // +inf + -inf
  EXPECT_EQ(run(e5, Pairs{{inf}, {1.0}}, 0xFF800000u), 0x7FFFFFFFu);    // +inf + c = -inf
  EXPECT_EQ(run(e5, Pairs{{1.0}, {1.0}}, 0xFF800000u), 0xFF800000u);    // c = -inf
  EXPECT_EQ(run(e5, Pairs{{1.0}, {1.0}}, 0x7FC00001u), 0x7FFFFFFFu);    // c NaN
  EXPECT_EQ(run("sm90_wgmma_e4m3_f16", Pairs{{1.0}, {1.0}}, 0xFC00u), 0xFC00u);
  const MmaInstruction& e4 = find_mma_instruction("sm90_wgmma_e4m3_f32");
  std::vector<std::uint16_t> a(32, 0x38), b(32, 0x38);  // 1.0
  a[7] = 0xFF;                                           // e4m3fn NaN
  EXPECT_EQ(mma_execute(e4, a.data(), 1, b.data(), 1, 0u), 0x7FFFFFFFu);
}

// mxf8: the two e8m0 scales add to every product's exponent; a NaN scale is NaN.
// mxf4/nvf4: exact partial sums of 16 times the block's scales; a ue4m3 scale's sign is ignored.
TEST(MmaArithmetic, BlockScales) {
  Pairs ones{std::vector<double>(32, 1.0), std::vector<double>(32, 1.0)};
  EXPECT_EQ(run("sm100_mxf8_e4m3_e8m0", ones, 0, {0}, {254}), f32(32.0f));  // 2^-127 * 2^127
  EXPECT_EQ(run("sm100_mxf8_e4m3_e8m0", ones, 0, {127}, {130}), f32(256.0f));
  EXPECT_EQ(run("sm100_mxf8_e4m3_e8m0", ones, 0, {0xFF}, {127}), 0x7FFFFFFFu);
  Pairs fp4{std::vector<double>(64, 6.0), std::vector<double>(64, 0.5)};  // 3 per product, 48 per group
  EXPECT_EQ(run("sm100_mxf4_e2m1_e8m0", fp4, 0, {127, 128}, {127, 126}), f32(192.0f));
  EXPECT_EQ(run("sm100_nvf4_e2m1_ue4m3", fp4, 0, {0x38, 0xB8, 0x40, 0x30}, {0x38, 0x38, 0x38, 0x38}),
            f32(48.0f * (1 + 1 + 2 + 0.5)));
  EXPECT_EQ(run("sm100_nvf4_e2m1_ue4m3", fp4, 0, {0x38, 0x38, 0x7F, 0x38}, {0x38, 0x38, 0x38, 0x38}), 0x7FFFFFFFu);
  EXPECT_EQ(run("sm100_mxf4_e2m1_e8m0", fp4, 0xFF800000u, {127, 127}, {127, 127}), 0xFF800000u);
}

}  // namespace
}  // namespace fp8check
