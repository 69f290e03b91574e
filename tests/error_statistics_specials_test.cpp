// NaN and infinities: expected (ref has the same special) versus unexpected (out special,
// ref not) and missing (ref special, out not); excluded from the finite statistics,
// counted over tolerance when mismatched; and the documented FP64 overflow behaviour.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "harness/compare/error_statistics.hpp"
#include "harness/core/error.hpp"

namespace fp8check {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

TEST(ErrorStatisticsSpecials, ExpectedUnexpectedAndMissingByKind) {
  //  index  out    ref    counted as
  //    0    NaN    NaN    expected nan
  //    1    1      NaN    missing nan                       <- first mismatch, (0, 1)
  //    2    NaN    1      unexpected nan
  //    3    +inf   +inf   expected +inf
  //    4    2      +inf   missing +inf
  //    5    -inf   -inf   expected -inf
  //    6    +inf   -inf   unexpected +inf and missing -inf  (one mismatched element)
  //    7    3.5    3      finite, d = 0.5
  //    8    -inf   5      unexpected -inf
  //    9    NaN    +inf   unexpected nan and missing +inf
  //   10    1      1      finite, exact
  //   11    -2     -2     finite, exact
  const std::vector<double> out{kNaN, 1, kNaN, kInf, 2, -kInf, kInf, 3.5, -kInf, kNaN, 1, -2};
  const std::vector<double> ref{kNaN, kNaN, 1, kInf, kInf, -kInf, -kInf, 3, 5, kInf, 1, -2};
  const ErrorStatistics s = compute_error_statistics(out, ref, 4, {});

  EXPECT_EQ(s.element_count, 12);
  EXPECT_EQ(s.finite_count, 3);
  EXPECT_EQ(s.expected_specials, (SpecialCounts{1, 1, 1}));
  EXPECT_EQ(s.unexpected_specials, (SpecialCounts{2, 1, 1}));
  EXPECT_EQ(s.missing_specials, (SpecialCounts{1, 2, 1}));
  EXPECT_EQ(s.special_mismatch_count, 6);  // indices 1 2 4 6 8 9
  ASSERT_TRUE(s.first_special_mismatch);
  EXPECT_EQ(s.first_special_mismatch->row, 0);
  EXPECT_EQ(s.first_special_mismatch->col, 1);
  EXPECT_EQ(s.first_special_mismatch->out, 1.0);
  EXPECT_TRUE(std::isnan(s.first_special_mismatch->ref));

  // Finite statistics see only indices 7, 10, 11: d = [0.5, 0, 0].
  //   sum ref^2 = 9 + 1 + 4 = 14, sum out^2 = 12.25 + 1 + 4 = 17.25, sum d^2 = 0.25
  EXPECT_EQ(s.max_abs_error, 0.5);
  EXPECT_DOUBLE_EQ(s.mean_abs_error, 0.5 / 3);
  EXPECT_DOUBLE_EQ(s.rms_error, std::sqrt(0.25 / 3));
  EXPECT_DOUBLE_EQ(s.relative_frobenius, 0.5 / std::sqrt(14.0));
  EXPECT_DOUBLE_EQ(s.calc_diff, 0.25 / 31.25);
  EXPECT_EQ(s.ulp_histogram[0], 2);
  EXPECT_EQ(s.ulp_histogram[kUlpBucketCount - 1], 1);  // 3 -> 3.5 is 2^50 fp64 steps
  EXPECT_FALSE(std::isnan(s.sqnr_db));
  ASSERT_EQ(s.worst.size(), 3u);
  EXPECT_EQ(s.worst[0].index, 7);

  // atol = rtol = 0: the inexact finite element and the six mismatches are over tolerance.
  EXPECT_EQ(s.over_tolerance_count, 7);
  EXPECT_DOUBLE_EQ(s.over_tolerance_fraction, 7.0 / 12.0);
}

TEST(ErrorStatisticsSpecials, SpecialsOnlyLeaveFiniteStatisticsAtTheirEmptyValues) {
  const std::vector<double> out{kNaN, kInf}, ref{kNaN, kInf};
  StatisticsOptions options;
  options.output_type = Format::e4m3fn;  // NaN and inf need not be values of the output type
  const ErrorStatistics s = compute_error_statistics(out, ref, 2, options);
  EXPECT_EQ(s.finite_count, 0);
  EXPECT_EQ(s.expected_specials.total(), 2);
  EXPECT_EQ(s.special_mismatch_count, 0);
  EXPECT_EQ(s.over_tolerance_count, 0);
  EXPECT_EQ(s.mean_abs_error, 0.0);
  EXPECT_EQ(s.sqnr_db, kInf);
  EXPECT_EQ(s.cosine_similarity, 1.0);
}

TEST(ErrorStatisticsSpecials, Fp64OverflowOfTheDifferenceIsDocumented) {
  // DBL_MAX - (-DBL_MAX) overflows to +inf: the element stays finite (counted in the
  // statistics), its error is +inf, and the ratios of two overflowed sums are NaN.
  const std::vector<double> out{DBL_MAX}, ref{-DBL_MAX};
  const ErrorStatistics s = compute_error_statistics(out, ref, 1, {});
  EXPECT_EQ(s.finite_count, 1);
  EXPECT_EQ(s.max_abs_error, kInf);
  EXPECT_EQ(s.mean_abs_error, kInf);
  EXPECT_EQ(s.rms_error, kInf);
  EXPECT_EQ(s.over_tolerance_count, 1);
  EXPECT_TRUE(std::isnan(s.calc_diff));
  EXPECT_TRUE(std::isnan(s.relative_frobenius));
  EXPECT_TRUE(std::isnan(s.sqnr_db));
}

TEST(ErrorStatisticsSpecials, OutOutsideTheOutputTypeIsAnInputErrorAtTheFirstSuchElement) {
  // Two bad outputs in chunks 2 and 4 of 5; with any thread count the error names the
  // first, at (row, col) = (2, 7) for 65536 columns.
  const std::int64_t n = 5 * kStatisticsChunkElements;
  std::vector<double> out(static_cast<std::size_t>(n), 1.0), ref(static_cast<std::size_t>(n), 1.0);
  out[static_cast<std::size_t>(4 * kStatisticsChunkElements + 1)] = 0.3;
  out[static_cast<std::size_t>(2 * kStatisticsChunkElements + 7)] = 0.3;
  StatisticsOptions options;
  options.output_type = Format::bf16;
  for (int threads : {1, 3, 5}) {
    try {
      compute_error_statistics(out, ref, kStatisticsChunkElements, options, threads);
      ADD_FAILURE() << "0.3 accepted as a bf16 value";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("(2, 7)"), std::string::npos) << what;
      EXPECT_NE(what.find("not a value of bf16"), std::string::npos) << what;
    }
  }

  // A rejected element leaves the accumulator as it was.
  StatisticsAccumulator acc(4, options);
  acc.add(1.0, 1.0, 0);
  EXPECT_THROW(acc.add(0.3, 0.3, 1), InputError);
  const ErrorStatistics s = acc.finish();
  EXPECT_EQ(s.element_count, 1);
  EXPECT_EQ(s.max_abs_error, 0.0);
}

}  // namespace
}  // namespace fp8check
