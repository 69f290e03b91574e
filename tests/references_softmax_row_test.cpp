// The references' own exponential and softmax row (references/softmax_row.hpp): error
// against long double expl, special values, and the vectorized row loop (AVX2 where the CPU
// has it) giving the very bits of the scalar function.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "references/softmax_row.hpp"

namespace fp8check::references::detail {
namespace {

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1p-53; }

TEST(ExpNonpositive, WithinOneUlpOfLongDoubleExp) {
  std::mt19937_64 rng(1);
  double worst_ulps = 0.0;
  for (int i = 0; i < 1'000'000; ++i) {
    // Half over the whole domain, half over [-2, 0] where softmax arguments usually are.
    const double x = -uniform01(rng) * (i % 2 ? 745.0 : 2.0);
    const long double exact = std::exp(static_cast<long double>(x));
    const double rounded = static_cast<double>(exact);
    const double ulp = std::nextafter(rounded, 1.0) - rounded;  // the subnormal spacing below 2^-1022
    const double ulps = static_cast<double>(std::fabs(exp_nonpositive(x) - exact) / ulp);
    worst_ulps = std::max(worst_ulps, ulps);
  }
  EXPECT_LT(worst_ulps, 1.0);
}

TEST(ExpNonpositive, SpecialValues) {
  EXPECT_EQ(exp_nonpositive(0.0), 1.0);
  EXPECT_EQ(exp_nonpositive(-0.0), 1.0);
  EXPECT_EQ(exp_nonpositive(-1.0), std::exp(-1.0));
  EXPECT_EQ(exp_nonpositive(-745.0), 0x1p-1074);  // e^-745 = 0.57 · 2^-1074: rounds up to the smallest subnormal
  EXPECT_EQ(exp_nonpositive(-746.0), 0.0);
  EXPECT_EQ(exp_nonpositive(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isnan(exp_nonpositive(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(exp_nonpositive(-708.5), static_cast<double>(std::exp(-708.5L)));  // subnormal, correctly rounded
}

// exponentiate_row must equal exp_nonpositive(row[j] - max) bit for bit, whichever loop
// (vectorized clone or the underflow path) it takes and whatever the row length.
TEST(ExponentiateRow, MatchesTheScalarExponentialBitForBit) {
  std::mt19937_64 rng(2);
  for (std::int64_t count : {1, 2, 3, 4, 5, 7, 8, 31, 1024, 1031}) {
    for (double spread : {1.0, 50.0, 2000.0}) {  // 2000: some entries underflow to 0
      std::vector<double> row(static_cast<std::size_t>(count));
      for (double& x : row) x = (uniform01(rng) - 0.5) * spread;
      const std::vector<double> scores = row;
      double max = scores[0];
      for (double x : scores) max = std::max(max, x);

      const SoftmaxRow result = exponentiate_row(row.data(), count);
      EXPECT_EQ(result.max, max);
      long double sum = 0;
      for (std::size_t j = 0; j < row.size(); ++j) {
        ASSERT_EQ(bits(row[j]), bits(exp_nonpositive(scores[j] - max))) << "count " << count << " entry " << j;
        sum += row[j];
      }
      EXPECT_LE(std::fabs(result.sum - sum), static_cast<long double>(count) * 0x1p-52L * sum) << count;
      EXPECT_GE(result.sum, 1.0);  // the maximum contributes e^0 = 1 exactly
    }
  }
}

TEST(ExponentiateRow, NaNScoresPropagate) {
  std::vector<double> row = {0.5, std::numeric_limits<double>::quiet_NaN(), -1.0, 2.0, 0.0};
  const SoftmaxRow result = exponentiate_row(row.data(), static_cast<std::int64_t>(row.size()));
  EXPECT_TRUE(std::isnan(row[1]));
  EXPECT_TRUE(std::isnan(result.sum));
}

}  // namespace
}  // namespace fp8check::references::detail
