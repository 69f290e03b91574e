// Error statistics on finite data: every statistic on hand-worked examples, the empty,
// all-zero and exact cases, tolerance, worst-k order, the relative-error floor, and
// bit-identical results for any thread count. Specials: error_statistics_specials_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "harness/compare/error_statistics.hpp"
#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"

namespace fp8check {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ErrorStatistics, HandWorkedExample) {
  // out = [1 2; 3 4], ref = [1 2.5; 2 4]  ->  d = out - ref = [0, -0.5, 1, 0], |d| = [0, .5, 1, 0]
  //   sum|d| = 1.5, sum d^2 = 0.25 + 1 = 1.25
  //   sum ref^2 = 1 + 6.25 + 4 + 16 = 27.25, sum out^2 = 1 + 4 + 9 + 16 = 30,
  //   sum out*ref = 1 + 5 + 6 + 16 = 28;  30 + 27.25 - 2*28 = 1.25 = sum d^2 (calc_diff identity)
  //   relative errors |d| / max(|ref|, 2^-6) = [0, 0.2, 0.5, 0]
  //   e4m3fn spacing in [2, 4) is 0.25: |2 - 2.5| = 2 ulps, |3 - 2| = 4 ulps
  //   tolerance 0.25 + 0.125 |ref| = [0.375, 0.5625, 0.5, 0.75]: only |d| = 1 > 0.5 is over
  const std::vector<double> out{1, 2, 3, 4}, ref{1, 2.5, 2, 4};
  StatisticsOptions options;
  options.output_type = Format::e4m3fn;
  options.atol = 0.25;
  options.rtol = 0.125;
  const ErrorStatistics s = compute_error_statistics(out, ref, 2, options);

  EXPECT_EQ(s.element_count, 4);
  EXPECT_EQ(s.finite_count, 4);
  EXPECT_EQ(s.relative_floor, 0.015625);  // smallest e4m3fn normal
  EXPECT_EQ(s.max_abs_error, 1.0);
  EXPECT_EQ(s.max_relative_error, 0.5);
  ASSERT_TRUE(s.max_relative_element);
  EXPECT_EQ(s.max_relative_element->row, 1);
  EXPECT_EQ(s.max_relative_element->col, 0);
  EXPECT_EQ(s.mean_abs_error, 0.375);                      // 1.5 / 4
  EXPECT_DOUBLE_EQ(s.rms_error, std::sqrt(0.3125));        // sqrt(1.25 / 4)
  EXPECT_DOUBLE_EQ(s.relative_frobenius, std::sqrt(1.25 / 27.25));
  // calc_diff = 1 - 2*28 / 57.25 = 1.25 / 57.25: the library's sum-of-squared-differences
  // form is correctly rounded; evaluated as written, FP64 cancellation misses it.
  EXPECT_EQ(s.calc_diff, 1.25 / 57.25);
  EXPECT_NE(1.0 - 2.0 * 28.0 / 57.25, 1.25 / 57.25);
  EXPECT_NEAR(s.calc_diff, 1.0 - 2.0 * 28.0 / 57.25, 1e-16);
  EXPECT_DOUBLE_EQ(s.cosine_similarity, 28.0 / std::sqrt(30.0 * 27.25));
  EXPECT_NEAR(s.sqnr_db, 10.0 * std::log10(27.25 / 1.25), 1e-12);  // 13.3846 dB
  EXPECT_EQ(s.max_ulp, 4u);
  EXPECT_EQ(s.ulp_histogram[0], 2);  // distance 0
  EXPECT_EQ(s.ulp_histogram[2], 1);  // distance 2
  EXPECT_EQ(s.ulp_histogram[3], 1);  // distance 3-4
  EXPECT_EQ(s.over_tolerance_count, 1);
  EXPECT_EQ(s.over_tolerance_fraction, 0.25);
  EXPECT_EQ(s.special_mismatch_count, 0);
  EXPECT_FALSE(s.first_special_mismatch);
}

TEST(ErrorStatistics, SqnrCalcDiffAndCosineOnRoundNumbers) {
  // ref = [10, 0], out = [11, 0]: sum ref^2 = 100, sum d^2 = 1 -> SQNR = 10 log10(100) = 20 dB;
  // calc_diff = 1 / (121 + 100); cosine = 110 / (11 * 10) = 1 (parallel vectors).
  const std::vector<double> out{11, 0}, ref{10, 0};
  const ErrorStatistics s = compute_error_statistics(out, ref, 2, {});
  EXPECT_NEAR(s.sqnr_db, 20.0, 1e-13);
  EXPECT_DOUBLE_EQ(s.calc_diff, 1.0 / 221.0);
  EXPECT_EQ(s.cosine_similarity, 1.0);
  EXPECT_EQ(s.relative_frobenius, 0.1);  // sqrt(1) / sqrt(100)
}

TEST(ErrorStatistics, CalcDiffKeepsItsDigitsWhenTiny) {
  // ref = [1 2 4 8], out = ref (1 + e) with e = 3 * 2^-24 (exact). With S = sum ref^2 = 85:
  //   sum d^2 = e^2 S (exact), sum(out^2 + ref^2) = (2 + 2e + e^2) S (one rounding), so
  //   calc_diff = e^2 / (2 + 2e + e^2) ~ 1.6e-14 to within a few ulps. DeepGEMM's form
  //   1 - 2 sum(xy) / sum(x^2 + y^2) rounds a number near 1 first: ~0.7% off here.
  const double e = 3 * std::ldexp(1.0, -24);
  const std::vector<double> ref{1, 2, 4, 8}, out{1 + e, 2 * (1 + e), 4 * (1 + e), 8 * (1 + e)};
  const ErrorStatistics s = compute_error_statistics(out, ref, 4, {});
  const double exact = e * e / (2.0 + 2.0 * e + e * e);
  EXPECT_NEAR(s.calc_diff, exact, 1e-15 * exact);
  const double direct = 1.0 - 2.0 * (85.0 * (1.0 + e)) / (85.0 + 85.0 * (1.0 + e) * (1.0 + e));
  EXPECT_GT(std::fabs(direct - exact), 1e-3 * exact) << "direct " << direct << " exact " << exact;
}

TEST(ErrorStatistics, EmptyTensorHasEveryStatisticDefined) {
  for (std::int64_t cols : {0, 5}) {
    const ErrorStatistics s = compute_error_statistics({}, {}, cols, {});
    EXPECT_EQ(s.element_count, 0);
    EXPECT_EQ(s.max_abs_error, 0.0);
    EXPECT_EQ(s.max_relative_error, 0.0);
    EXPECT_FALSE(s.max_relative_element);
    EXPECT_EQ(s.mean_abs_error, 0.0);
    EXPECT_EQ(s.rms_error, 0.0);
    EXPECT_EQ(s.relative_frobenius, 0.0);
    EXPECT_EQ(s.calc_diff, 0.0);
    EXPECT_EQ(s.cosine_similarity, 1.0);
    EXPECT_EQ(s.sqnr_db, kInf);  // no noise: an exact match
    EXPECT_EQ(s.max_ulp, 0u);
    for (std::int64_t count : s.ulp_histogram) EXPECT_EQ(count, 0);
    EXPECT_EQ(s.over_tolerance_count, 0);
    EXPECT_EQ(s.over_tolerance_fraction, 0.0);
    EXPECT_TRUE(s.worst.empty());
  }
}

TEST(ErrorStatistics, AllZeroReference) {
  // ref = 0, out = [0, 0.5, -0.5] (fp64): sum d^2 = 0.5 and sum ref^2 = 0.
  //   relative error 0.5 / max(0, 2^-1022) = 2^1021 (the default floor is fp64's smallest normal)
  //   relative Frobenius = +inf, SQNR = -inf, calc_diff = 0.5 / 0.5 = 1, cosine = 0
  const std::vector<double> out{0, 0.5, -0.5}, ref{0, 0, 0};
  const ErrorStatistics s = compute_error_statistics(out, ref, 3, {});
  EXPECT_EQ(s.max_relative_error, std::ldexp(1.0, 1021));
  EXPECT_DOUBLE_EQ(s.mean_abs_error, 1.0 / 3.0);
  EXPECT_EQ(s.relative_frobenius, kInf);
  EXPECT_EQ(s.sqnr_db, -kInf);
  EXPECT_EQ(s.calc_diff, 1.0);
  EXPECT_EQ(s.cosine_similarity, 0.0);

  // Both all zero (-0 against +0 included): an exact match.
  const std::vector<double> zeros{0, -0.0, 0};
  const ErrorStatistics z = compute_error_statistics(zeros, ref, 3, {});
  EXPECT_EQ(z.relative_frobenius, 0.0);
  EXPECT_EQ(z.calc_diff, 0.0);
  EXPECT_EQ(z.cosine_similarity, 1.0);
  EXPECT_EQ(z.sqnr_db, kInf);
  EXPECT_EQ(z.max_relative_error, 0.0);
}

TEST(ErrorStatistics, ExactMatch) {
  const std::vector<double> values{1.5, -2.25, 1e-30, 3e20, -0.0, 7};
  StatisticsOptions options;
  options.relative_floor = 0.0;  // 0/0 must still be 0, not NaN
  const ErrorStatistics s = compute_error_statistics(values, values, 3, options);
  EXPECT_EQ(s.max_abs_error, 0.0);
  EXPECT_EQ(s.max_relative_error, 0.0);
  EXPECT_EQ(s.rms_error, 0.0);
  EXPECT_EQ(s.calc_diff, 0.0);
  EXPECT_EQ(s.sqnr_db, kInf);
  EXPECT_NEAR(s.cosine_similarity, 1.0, 1e-15);
  EXPECT_EQ(s.max_ulp, 0u);
  EXPECT_EQ(s.ulp_histogram[0], 6);
}

TEST(ErrorStatistics, ToleranceIsStrictlyGreater) {
  // atol 0.25, rtol 0.125, ref 4: threshold 0.75. |d| = 0.75 is within, 0.875 is over.
  StatisticsOptions options;
  options.atol = 0.25;
  options.rtol = 0.125;
  const std::vector<double> out{4.75, 4.875, -4.75, 4}, ref{4, 4, -4, 4};
  const ErrorStatistics s = compute_error_statistics(out, ref, 4, options);
  EXPECT_EQ(s.over_tolerance_count, 1);
  EXPECT_EQ(s.over_tolerance_fraction, 0.25);
}

TEST(ErrorStatistics, WorstElementsByErrorThenIndex) {
  // |d| by index: 1 3 3 2 | 3 0 3 0  (cols 4). Ties at 3 keep index order: 1, 2, 4, 6.
  const std::vector<double> ref(8, 0.0), out{1, 3, -3, 2, 3, 0, 3, 0};
  StatisticsOptions options;
  options.worst_count = 4;
  const ErrorStatistics s = compute_error_statistics(out, ref, 4, options);
  ASSERT_EQ(s.worst.size(), 4u);
  const std::int64_t expected_index[] = {1, 2, 4, 6}, expected_row[] = {0, 0, 1, 1}, expected_col[] = {1, 2, 0, 2};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(s.worst[i].index, expected_index[i]);
    EXPECT_EQ(s.worst[i].row, expected_row[i]);
    EXPECT_EQ(s.worst[i].col, expected_col[i]);
    EXPECT_EQ(s.worst[i].abs_error, 3.0);
  }
  EXPECT_EQ(s.worst[1].out, -3.0);

  // Arrival order does not matter; k above the element count returns them all, sorted.
  options.worst_count = 10;
  StatisticsAccumulator backwards(4, options);
  for (std::size_t i = 8; i-- > 0;) backwards.add(out[i], ref[i], static_cast<std::int64_t>(i));
  const std::vector<ElementReport> all = backwards.finish().worst;
  const std::int64_t all_order[] = {1, 2, 4, 6, 3, 0, 5, 7};
  ASSERT_EQ(all.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(all[i].index, all_order[i]);

  options.worst_count = 0;
  EXPECT_TRUE(compute_error_statistics(out, ref, 4, options).worst.empty());
}

TEST(ErrorStatistics, DefaultFloorBoundsCorrectlyRoundedOutputsByUnitRoundoff) {
  // References spread from below the smallest subnormal to half the largest value, rounded
  // to nearest even in the output type (no overflow). With the default floor (smallest
  // normal) the max relative error is at most 2^-p (p = significand bits) - and comes
  // within a factor 2 of it; with floor 0, references that round to 0 give a relative error of 1.
  struct Case {
    NumericType type;
    int mantissa_bits, min_exponent, max_exponent;  // explicit bits; binades [2^min, 2^max)
  };
  const Case cases[] = {{Format::e4m3fn, 3, -6, 8},   {Format::e5m2, 2, -14, 15}, {Format::bf16, 7, -126, 127},
                        {Format::fp16, 10, -14, 15},  {IeeeFloat::fp32, 23, -126, 127}};
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  const auto next = [&state] {  // splitmix64 (Steele et al. 2014)
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  for (const Case& c : cases) {
    std::vector<double> ref, out;
    for (int i = 0; i < 20000; ++i) {
      const std::uint64_t bits = next();
      const int span = c.max_exponent - c.min_exponent + c.mantissa_bits + 2;
      const int exponent = c.min_exponent - c.mantissa_bits - 2 + static_cast<int>(bits % span);
      const double significand = 1.0 + static_cast<double>(bits >> 12) * 0x1p-52;  // [1, 2)
      const double r = std::ldexp((bits & 2048) ? -significand : significand, exponent);
      ref.push_back(r);
      if (const Format* f = std::get_if<Format>(&c.type)) out.push_back(decode(*f, encode(*f, r)));
      else out.push_back(static_cast<float>(r));
    }
    StatisticsOptions options;
    options.output_type = c.type;
    const double unit_roundoff = std::ldexp(1.0, -(c.mantissa_bits + 1));
    const ErrorStatistics s = compute_error_statistics(out, ref, 1, options);
    EXPECT_LE(s.max_relative_error, unit_roundoff) << numeric_type_name(c.type);
    EXPECT_GT(s.max_relative_error, unit_roundoff / 2) << numeric_type_name(c.type);
    EXPECT_EQ(s.max_ulp, 0u) << numeric_type_name(c.type);  // out is round(ref) itself
    EXPECT_EQ(s.ulp_histogram[0], 20000) << numeric_type_name(c.type);
    options.relative_floor = 0.0;
    EXPECT_EQ(compute_error_statistics(out, ref, 1, options).max_relative_error, 1.0) << numeric_type_name(c.type);
  }
}

TEST(ErrorStatistics, PrintsOneLinePerStatistic) {
  const std::vector<double> out{1, 2, 3, 4}, ref{1, 2.5, 2, 4};
  StatisticsOptions options;
  options.output_type = Format::e4m3fn;
  options.worst_count = 1;
  std::ostringstream text;
  text << compute_error_statistics(out, ref, 2, options);
  for (const char* line : {"elements: 4 (finite 4)\n", "max_abs_error: 1\n", "mean_abs_error: 0.375\n",
                           "max_ulp (e4m3fn): 4\n", "ulp_histogram: [0] 2 [2] 1 [3-4] 1\n",
                           "worst:\n  (1, 0) out 3 ref 2 |err| 1\n"})
    EXPECT_NE(text.str().find(line), std::string::npos) << "missing '" << line << "' in\n" << text.str();
}

TEST(ErrorStatistics, RejectsBadInputNamingWhatIsAccepted) {
  const std::vector<double> three{1, 2, 3}, two{1, 2};
  EXPECT_THROW(compute_error_statistics(three, two, 1, {}), InputError);  // sizes differ
  EXPECT_THROW(compute_error_statistics(three, three, 2, {}), InputError);  // 3 % 2 != 0
  EXPECT_THROW(compute_error_statistics(three, three, 0, {}), InputError);
  EXPECT_THROW(compute_error_statistics(three, three, 3, {}, 0), InputError);  // threads
  StatisticsOptions bad;
  bad.rtol = -1;
  EXPECT_THROW(StatisticsAccumulator(3, bad), InputError);
  bad = {};
  bad.relative_floor = std::nan("");
  EXPECT_THROW(StatisticsAccumulator(3, bad), InputError);
  bad = {};
  bad.worst_count = -1;
  EXPECT_THROW(StatisticsAccumulator(3, bad), InputError);
  EXPECT_THROW(StatisticsAccumulator(0, {}), InputError);
  try {
    compute_error_statistics(three, two, 1, {});
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("must have the same shape"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fp8check
