// Ordinals and ULP distances in an output type: the integer line is monotonic and
// gapless for every format, -0 and +0 coincide, and the hand-picked points across zero
// and at the top of e4m3fn, bf16, fp32 and fp64 land where the definitions say.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "harness/compare/numeric_type.hpp"
#include "harness/compare/ulp_distance.hpp"
#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"

namespace fp8check {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::uint64_t distance(const NumericType& type, double out, double ref) {
  return ordinal_distance(ordinal(type, out).value(), rounded_ordinal(type, ref).value());
}

TEST(Ordinal, EveryFormatIsAGaplessMonotonicLine) {
  for (Format f : kAllFormats) {
    std::vector<double> values;
    for (std::uint32_t code = 0; code < format_spec(f).code_count(); ++code)
      if (!is_nan_code(f, code)) values.push_back(decode(f, code));
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());  // -0 == +0
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::int64_t ord = ordinal(f, values[i]).value();
      if (std::isfinite(values[i])) {
        EXPECT_EQ(rounded_ordinal(f, values[i]), ord) << format_spec(f).name << " " << values[i];
      }
      if (i > 0) {
        EXPECT_EQ(ord - ordinal(f, values[i - 1]).value(), 1) << format_spec(f).name << " " << values[i];
      }
    }
  }
}

TEST(Ordinal, Fp32OrderMatchesValueOrder) {
  std::uint64_t state = 12345;  // xorshift64: any bit patterns will do
  const auto next_float = [&state] {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    const auto bits = static_cast<std::uint32_t>(state >> 32);
    float x;
    std::memcpy(&x, &bits, sizeof x);
    return x;
  };
  for (int i = 0; i < 100000; ++i) {
    const float a = next_float(), b = next_float();
    if (std::isnan(a) || std::isnan(b)) continue;
    const std::int64_t oa = ordinal(IeeeFloat::fp32, a).value(), ob = ordinal(IeeeFloat::fp32, b).value();
    EXPECT_EQ(oa < ob, a < b) << a << " " << b;
    EXPECT_EQ(oa == ob, a == b) << a << " " << b;
  }
}

TEST(UlpDistance, E4m3fnAcrossZeroAndAtMax) {
  const NumericType t = Format::e4m3fn;
  const double tiny = std::ldexp(1.0, -9);  // smallest subnormal, code 0x01
  EXPECT_EQ(ordinal(t, tiny), 1);
  EXPECT_EQ(ordinal(t, -tiny), -1);
  EXPECT_EQ(ordinal(t, -0.0), 0);
  EXPECT_EQ(distance(t, -tiny, tiny), 2u);  // -2^-9 | 0 | +2^-9
  EXPECT_EQ(distance(t, -0.0, tiny), 1u);
  EXPECT_EQ(distance(t, 0.0, -0.0), 0u);
  EXPECT_EQ(distance(t, 0.0, -std::ldexp(1.0, -10)), 0u);  // a tie rounds to even: -0
  EXPECT_EQ(ordinal(t, 448.0), 126);                        // 0x7E (0x7F is NaN)
  EXPECT_EQ(distance(t, 416.0, 448.0), 1u);                 // 0x7D, one step below max
  EXPECT_EQ(distance(t, 448.0, 1000.0), 0u);                // the reference saturates to 448
  EXPECT_EQ(distance(t, -448.0, 448.0), 252u);              // the whole line
  EXPECT_FALSE(ordinal(t, 0.3));
  EXPECT_FALSE(ordinal(t, 450.0));
  EXPECT_FALSE(ordinal(t, kInf));  // e4m3fn has no inf
  EXPECT_FALSE(ordinal(t, std::nan("")));
}

TEST(UlpDistance, Bf16AcrossZeroAtOneAndAtMax) {
  const NumericType t = Format::bf16;
  const double tiny = std::ldexp(1.0, -133);  // smallest subnormal
  EXPECT_EQ(distance(t, -tiny, tiny), 2u);
  EXPECT_EQ(ordinal(t, 1.0), 0x3F80);
  EXPECT_FALSE(ordinal(t, 1.0 + std::ldexp(1.0, -8)));  // between 1 and 1 + 2^-7
  EXPECT_EQ(rounded_ordinal(t, 1.0 + std::ldexp(1.0, -8)), 0x3F80);      // tie -> even 0x3F80
  EXPECT_EQ(rounded_ordinal(t, 1.0 + 3 * std::ldexp(1.0, -8)), 0x3F82);  // tie -> even 0x3F82
  const double max = decode(Format::bf16, 0x7F7F);  // (2 - 2^-7) 2^127
  EXPECT_EQ(ordinal(t, max), 0x7F7F);
  EXPECT_EQ(ordinal(t, kInf), 0x7F80);
  EXPECT_EQ(ordinal(t, -kInf), -0x7F80);
  EXPECT_FALSE(rounded_ordinal(t, kInf));  // references are rounded only when finite
  // 3.5e38 is past the overflow threshold (2^128 - 2^119): round(ref) = +inf, one step past max.
  EXPECT_EQ(distance(t, max, 3.5e38), 1u);
}

TEST(UlpDistance, Fp32UsesFloatBitPatterns) {
  const NumericType t = IeeeFloat::fp32;
  const double tiny = std::numeric_limits<float>::denorm_min();
  EXPECT_EQ(distance(t, -tiny, tiny), 2u);
  EXPECT_EQ(ordinal(t, 0.1f), 0x3DCCCCCD);
  EXPECT_FALSE(ordinal(t, 0.1));  // double 0.1 is not a float
  EXPECT_FALSE(ordinal(t, 1e300));
  EXPECT_EQ(distance(t, 1.0, 1.0 + std::ldexp(1.0, -30)), 0u);  // rounds to 1.0f
  EXPECT_EQ(distance(t, std::nextafter(1.0f, 2.0f), 1.0), 1u);
  const double max = FLT_MAX, half_step = std::ldexp(1.0, 103);  // ulp(FLT_MAX) = 2^104
  EXPECT_EQ(ordinal(t, max), 0x7F7FFFFF);
  EXPECT_EQ(rounded_ordinal(t, max + half_step / 2), 0x7F7FFFFF);
  EXPECT_EQ(rounded_ordinal(t, max + half_step), 0x7F800000);  // tie -> even: 2^128 = inf
  EXPECT_EQ(distance(t, max, std::ldexp(1.0, 200)), 1u);
}

TEST(UlpDistance, Fp64CoversTheWholeLineWithoutOverflow) {
  const NumericType t = IeeeFloat::fp64;
  EXPECT_EQ(distance(t, 1.0, std::nextafter(1.0, 2.0)), 1u);
  EXPECT_EQ(distance(t, -0.0, 0.0), 0u);
  EXPECT_EQ(distance(t, -DBL_MAX, DBL_MAX), 2 * 0x7FEFFFFFFFFFFFFFull);  // > INT64_MAX
}

// The statistics' codec-free forms for bf16 and fp16 equal the codec forms on every code's
// value, its neighbouring doubles, the midpoints between adjacent values (ties), values past
// the top and below the bottom, and random doubles over the whole exponent range.
template <Format F>
void expect_ieee_forms_match_the_codec() {
  std::vector<double> inputs = {0.0, -0.0, 5e-324, -5e-324, 0x1p-1022, DBL_MAX, -DBL_MAX, 1e300, -1e-300};
  const FormatSpec s = format_spec(F);
  std::vector<double> values;
  for (std::uint32_t code = 0; code < s.code_count(); ++code) {
    const double v = decode(F, code);
    if (std::isfinite(v)) values.push_back(v);
  }
  std::sort(values.begin(), values.end());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    inputs.insert(inputs.end(), {v, std::nextafter(v, kInf), std::nextafter(v, -kInf), v * 0.5, v * 2});
    if (i + 1 < values.size()) {
      const double mid = (v + values[i + 1]) / 2;  // exact: a tie between two values
      inputs.insert(inputs.end(), {mid, std::nextafter(mid, kInf), std::nextafter(mid, -kInf)});
    }
  }
  std::uint64_t state = 7;
  for (int i = 0; i < 200'000; ++i) {  // random bit patterns: every exponent, both signs
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    double x;
    std::memcpy(&x, &state, sizeof x);
    if (std::isfinite(x)) inputs.push_back(x);
  }
  for (double x : inputs) {
    ASSERT_EQ(detail::ieee_value_ordinal<F>(x), detail::format_ordinal<F>(x)) << s.name << " value " << x;
    ASSERT_EQ(detail::ieee_rounded_ordinal<F>(x), detail::format_rounded_ordinal<F>(x).value()) << s.name << " x " << x;
  }
}

TEST(Ordinal, CodecFreeBf16AndFp16FormsEqualTheCodec) {
  expect_ieee_forms_match_the_codec<Format::bf16>();
  expect_ieee_forms_match_the_codec<Format::fp16>();
}

TEST(UlpBuckets, BoundariesAreTheDocumentedPowersOfTwo) {
  EXPECT_EQ(ulp_bucket(0), 0);
  EXPECT_EQ(ulp_bucket(1), 1);
  EXPECT_EQ(ulp_bucket(2), 2);
  for (int b = 3; b < kUlpBucketCount - 1; ++b) {  // b holds 2^(b-2)+1 .. 2^(b-1)
    const std::uint64_t high = std::uint64_t{1} << (b - 1), low = high / 2 + 1;
    EXPECT_EQ(ulp_bucket(low), b);
    EXPECT_EQ(ulp_bucket(high), b);
    EXPECT_EQ(ulp_bucket(low - 1), b - 1);
  }
  EXPECT_EQ(ulp_bucket(65536), kUlpBucketCount - 2);
  EXPECT_EQ(ulp_bucket(65537), kUlpBucketCount - 1);
  EXPECT_EQ(ulp_bucket(std::numeric_limits<std::uint64_t>::max()), kUlpBucketCount - 1);
  EXPECT_EQ(ulp_bucket_label(0), "0");
  EXPECT_EQ(ulp_bucket_label(2), "2");
  EXPECT_EQ(ulp_bucket_label(3), "3-4");
  EXPECT_EQ(ulp_bucket_label(4), "5-8");
  EXPECT_EQ(ulp_bucket_label(kUlpBucketCount - 2), "32769-65536");
  EXPECT_EQ(ulp_bucket_label(kUlpBucketCount - 1), ">65536");
}

TEST(OutputTypeNames, ParseFormatsAndIeeeTypes) {
  EXPECT_EQ(parse_numeric_type("fp32"), NumericType{IeeeFloat::fp32});
  EXPECT_EQ(parse_numeric_type("double"), NumericType{IeeeFloat::fp64});
  EXPECT_EQ(parse_numeric_type("bfloat16"), NumericType{Format::bf16});
  EXPECT_EQ(numeric_type_name(Format::e4m3fn), "e4m3fn");
  EXPECT_EQ(numeric_type_name(IeeeFloat::fp64), "fp64");
  EXPECT_EQ(smallest_normal(Format::e4m3fn), std::ldexp(1.0, -6));
  EXPECT_EQ(smallest_normal(IeeeFloat::fp32), std::ldexp(1.0, -126));
  EXPECT_EQ(smallest_normal(IeeeFloat::fp64), std::ldexp(1.0, -1022));
  EXPECT_EQ(smallest_normal(Format::e8m0fnu), std::ldexp(1.0, -127));  // no zero: its smallest value
  try {
    parse_numeric_type("fp8");
    ADD_FAILURE() << "parse_numeric_type accepted fp8";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bf16, fp16, fp32, fp64"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fp8check
