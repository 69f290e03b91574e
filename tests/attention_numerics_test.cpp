// The shared attention numerics (kernels/emulated/attention_numerics.hpp,
// attention_combine.hpp) against their documented claims: exp2/log2 error bounds, the
// P rounding equal to the codec, exp2 <= 1 for x <= 0, the online-softmax step, and the
// split combine. The exhaustive exp2 sweep is attention_numerics_exhaustive_test (long).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/run/attention_bound.hpp"
#include "kernels/emulated/attention_combine.hpp"
#include "kernels/emulated/attention_numerics.hpp"

namespace fp8check {
namespace {

using attention::exp2_portable;
using attention::float_bits;
using attention::float_from_bits;
using attention::log2_portable;

// Relative error of 2^f in units of 2^-23 (one ulp of the binade's bottom): std::exp2 in
// double is far more accurate than a float ulp.
double exp2_ulps(float f) {
  const double exact = std::exp2(static_cast<double>(f));
  return std::fabs(static_cast<double>(exp2_portable(f)) - exact) / exact * 0x1p23;
}

TEST(AttentionNumerics, Exp2ErrorBoundOnASampleOfTheReducedRange) {
  // Every 61st float of [-1/2, 1/2] (2^x = 2^n · 2^f exactly, so f's range is the whole story).
  double worst = 0;
  for (std::uint32_t b = 0; b <= 0x3F000000u; b += 61)
    for (std::uint32_t sign : {0u, 0x80000000u}) worst = std::max(worst, exp2_ulps(float_from_bits(b | sign)));
  EXPECT_LE(worst * 0x1p-23, kExp2RelativeError);
  EXPECT_GT(worst, 0.5);  // the bound is not vacuous: the polynomial is not correctly rounded
}

TEST(AttentionNumerics, Exp2ReductionAndSpecialValues) {
  EXPECT_EQ(exp2_portable(0.0f), 1.0f);
  for (int n = -126; n <= 127; ++n) EXPECT_EQ(exp2_portable(static_cast<float>(n)), std::ldexp(1.0f, n)) << n;
  // 2^(n + f) = 2^n · 2^f bit for bit, away from the subnormal range.
  for (float f : {0.25f, -0.375f, 0.4999f, -0.123456f})
    for (int n : {-100, -7, 3, 60}) {
      const float x = static_cast<float>(n) + f;  // x - n is exact: the f the reduction finds
      EXPECT_EQ(exp2_portable(x), std::ldexp(exp2_portable(x - static_cast<float>(n)), n)) << x;
    }
  EXPECT_EQ(exp2_portable(-126.6f), 0.0f);          // flushed, as ex2.approx.ftz
  EXPECT_EQ(exp2_portable(attention::kNegativeInfinity), 0.0f);
  EXPECT_GT(exp2_portable(-126.4f), 0.0f);          // subnormal
  EXPECT_LT(exp2_portable(-126.4f), 0x1p-126f);
  EXPECT_EQ(exp2_portable(128.0f), INFINITY);
  EXPECT_TRUE(std::isnan(exp2_portable(NAN)));
}

TEST(AttentionNumerics, Exp2NeverExceedsOneForNonPositiveArguments) {
  // Densest near 0, where 1 + f·q could round up if the sign argument were wrong.
  for (std::uint32_t b = 0; b < 0x34000000u; b += 4093) ASSERT_LE(exp2_portable(-float_from_bits(b)), 1.0f) << b;
  for (std::uint32_t b = 0x34000000u; b < 0x43000000u; b += 7919) ASSERT_LE(exp2_portable(-float_from_bits(b)), 1.0f);
  EXPECT_LT(exp2_portable(-0x1p-24f), 1.0f + 0x1p-23f);
}

TEST(AttentionNumerics, Log2ErrorBoundOnEveryMantissa) {
  // x = m and x = 2^e · m for every m in [1/2, 2): the reduction and the series.
  double worst = 0;
  for (std::uint32_t b = 0x3F000000u; b < 0x40000000u; ++b) {
    for (int e : {0, 7, -30}) {
      const float x = std::ldexp(float_from_bits(b), e);
      const double exact = std::log2(static_cast<double>(x));
      const double bound = kLog2Relative * std::fabs(exact) + kLog2Absolute;
      worst = std::max(worst, std::fabs(static_cast<double>(log2_portable(x)) - exact) / bound);
    }
  }
  EXPECT_LE(worst, 1.0);
  EXPECT_GT(worst, 0.1);
  EXPECT_EQ(log2_portable(1.0f), 0.0f);
  EXPECT_EQ(log2_portable(0x1p-149f), -149.0f);  // subnormal
  EXPECT_EQ(log2_portable(0.0f), attention::kNegativeInfinity);
  EXPECT_EQ(log2_portable(INFINITY), INFINITY);
  EXPECT_TRUE(std::isnan(log2_portable(-1.0f)));
}

TEST(AttentionNumerics, RoundPEqualsTheCodec) {
  // Every exponent, the top 12 mantissa bits, and low bits at and around the rounding points.
  std::int64_t compared = 0;
  for (Format f : {Format::e4m3fn, Format::e5m2, Format::bf16}) {
    const attention::PRounding r = attention::p_rounding(f);
    const EncodeOptions opt = f == Format::bf16 ? default_encode_options(f) : EncodeOptions{};
    for (std::uint32_t exponent = 0; exponent < 255; ++exponent)
      for (std::uint32_t top = 0; top < 4096; ++top)
        for (std::uint32_t low : {0u, 1u, 0x3FFu, 0x400u, 0x401u, 0x7FFu}) {
          const float v = float_from_bits(exponent << 23 | top << 11 | low);
          const double codec = decode(f, encode(f, static_cast<double>(v), opt));
          ASSERT_EQ(static_cast<double>(attention::round_p(v, r)), codec) << format_spec(f).name << " " << v;
          ++compared;
        }
    EXPECT_EQ(attention::round_p(INFINITY, r), decode(f, encode(f, INFINITY, opt)));
    EXPECT_TRUE(std::isnan(attention::round_p(NAN, r)));
  }
  EXPECT_EQ(compared, 3 * 255 * 4096 * 6);
}

TEST(AttentionNumerics, OnlineSoftmaxStepRescalesOrKeepsAStaleMax) {
  const auto first = attention::online_softmax_step(attention::kNegativeInfinity, 3.0f, 0.0f);
  EXPECT_EQ(first.m, 3.0f);
  EXPECT_EQ(first.alpha, 0.0f);
  const auto same = attention::online_softmax_step(3.0f, 2.0f, 0.0f);
  EXPECT_EQ(same.m, 3.0f);
  EXPECT_EQ(same.alpha, 1.0f);
  const auto grow = attention::online_softmax_step(3.0f, 5.0f, 0.0f);
  EXPECT_EQ(grow.m, 5.0f);
  EXPECT_EQ(grow.alpha, 0.25f);
  // FlashAttention-4's lazy rescale keeps the stale max while the growth is <= the threshold:
  // P = 2^(s - m) then reaches 2^threshold.
  const auto lazy = attention::online_softmax_step(3.0f, 6.5f, 4.0f);
  EXPECT_EQ(lazy.m, 3.0f);
  EXPECT_EQ(lazy.alpha, 1.0f);
  EXPECT_GT(exp2_portable(6.5f - lazy.m) * 256.0f, 448.0f);  // beyond e4m3 with FP8's P scale 2^8
  EXPECT_EQ(attention::online_softmax_step(3.0f, 7.5f, 4.0f).m, 7.5f);
}

TEST(AttentionNumerics, CombineOfOneSplitAndOfEmptySplits) {
  const std::vector<float> o = {1.5f, -2.0f, 0.25f};
  std::vector<float> out(3), weights(4), terms(4);
  const float lse1[] = {2.75f};
  EXPECT_EQ(attention::combine_splits(1, lse1, o.data(), 3, 3, false, out.data(), weights.data(), terms.data()), 2.75f);
  EXPECT_EQ(out, o);  // weight 2^0 = 1 exactly
  // An empty split (lse -inf) has weight 0, whichever order; all empty: 0 and -inf.
  const std::vector<float> two = {1.5f, -2.0f, 0.25f, 9.0f, 9.0f, 9.0f};
  const float lse2[] = {2.75f, attention::kNegativeInfinity};
  for (bool tree : {false, true}) {
    EXPECT_EQ(attention::combine_splits(2, lse2, two.data(), 3, 3, tree, out.data(), weights.data(), terms.data()), 2.75f);
    EXPECT_EQ(out, o);
  }
  const float none[] = {attention::kNegativeInfinity, attention::kNegativeInfinity};
  EXPECT_EQ(attention::combine_splits(2, none, two.data(), 3, 3, false, out.data(), weights.data(), terms.data()),
            attention::kNegativeInfinity);
  EXPECT_EQ(out, std::vector<float>(3, 0.0f));
}

TEST(AttentionNumerics, CombineWeightsTwoEqualSplitsByHalf) {
  // Two splits with the same lse: each weight is 2^(lse - (lse + 1)) = 1/2 exactly.
  const std::vector<float> o = {1.0f, 3.0f, -4.0f, 8.0f};
  std::vector<float> out(2), weights(2), terms(2);
  const float lse[] = {5.0f, 5.0f};
  EXPECT_EQ(attention::combine_splits(2, lse, o.data(), 2, 2, false, out.data(), weights.data(), terms.data()), 6.0f);
  EXPECT_EQ(out, (std::vector<float>{-1.5f, 5.5f}));
}

TEST(AttentionNumerics, OrderedSumTreeAndSequentialOrders) {
  // 2^24 + 1 + 1: sequentially each 1 is lost to rounding; pairwise (1 + 1) survives.
  std::vector<float> a = {0x1p24f, 1.0f, 1.0f, 0.0f}, b = {1.0f, 1.0f, 0x1p24f};
  EXPECT_EQ(attention::ordered_sum(a.data(), 3, false), 0x1p24f);
  EXPECT_EQ(attention::ordered_sum(b.data(), 3, true), 0x1p24f + 2.0f);
}

}  // namespace
}  // namespace fp8check
