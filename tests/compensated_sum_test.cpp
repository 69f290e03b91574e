// CompensatedSum: the cases where a naive FP64 loop visibly loses digits, and the
// documented behaviour on merge and overflow.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "harness/compare/compensated_sum.hpp"

namespace fp8check {
namespace {

TEST(CompensatedSum, KeepsSmallTermsAcrossAHugeCancellation) {
  // Exact sum of {1, 1e100, 1, -1e100} is 2. A naive loop absorbs both 1s into 1e100
  // (0 at the end), and so does Kahan's original algorithm (the classic example for
  // Neumaier's variant, which keeps both: 2).
  const double terms[] = {1.0, 1e100, 1.0, -1e100};
  CompensatedSum sum;
  double naive = 0.0;
  for (double t : terms) {
    sum.add(t);
    naive += t;
  }
  EXPECT_EQ(naive, 0.0);
  EXPECT_EQ(sum.value(), 2.0);
}

TEST(CompensatedSum, TenMillionTermsDoNotDrift) {
  // double(0.1) = 0.1000000000000000055511151231257827...; 1e7 copies sum to
  // 1000000.0000000000555..., whose nearest double is exactly 1e6 (spacing 1.16e-10 there).
  // The naive loop ends at 999999.99983897... : a drift of 1.6e-4, a million ulps.
  constexpr int kTerms = 10'000'000;
  CompensatedSum sum;
  double naive = 0.0;
  for (int i = 0; i < kTerms; ++i) {
    sum.add(0.1);
    naive += 0.1;
  }
  EXPECT_GT(std::fabs(naive - 1e6), 1e-4) << "the naive sum no longer drifts: the test proves nothing";
  EXPECT_EQ(sum.value(), 1e6);
}

TEST(CompensatedSum, MergeKeepsBothPartialCorrections) {
  // Partial sums {1e100, 1} and {-1e100, 1}: each holds its 1 in the correction term;
  // merged, the total is 2 (a naive merge of the partial sums gives 0).
  CompensatedSum a, b;
  a.add(1e100);
  a.add(1.0);
  b.add(-1e100);
  b.add(1.0);
  a.merge(b);
  EXPECT_EQ(a.value(), 2.0);

  CompensatedSum empty;
  empty.merge(CompensatedSum{});
  EXPECT_EQ(empty.value(), 0.0);
}

TEST(CompensatedSum, OverflowGivesInfinityNotNaN) {
  // 1e308 + 1e308 overflows; the error term becomes NaN (inf - inf) and must not leak.
  CompensatedSum sum;
  sum.add(1e308);
  sum.add(1e308);
  EXPECT_EQ(sum.value(), std::numeric_limits<double>::infinity());
  sum.add(1.0);
  EXPECT_EQ(sum.value(), std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace fp8check
