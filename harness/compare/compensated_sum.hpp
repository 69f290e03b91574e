// A running FP64 sum that carries its own rounding error: Neumaier's improved
// Kahan-Babuska summation (Neumaier 1974, ZAMM 54:39-51). Each addition's exact rounding
// error is accumulated in a second double, so the result is accurate to about one
// rounding of the exact sum plus n * 2^-106 * sum|x_i|, instead of n * 2^-53 * sum|x_i|
// for a naive loop. The error term comes from Knuth's branch-free TwoSum (TAOCP vol. 2,
// 4.2.2), which yields the same exact error as Neumaier's |s| >= |x| branch.
//
// Relies on the project's pinned floating-point model (no -ffast-math, no contraction):
// reassociating the TwoSum expressions would cancel the error term to zero.
#pragma once

#include <cmath>

namespace fp8check {

class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    const double x_part = t - sum_;  // TwoSum: t + error == sum_ + x exactly
    const double error = (sum_ - (t - x_part)) + (x - x_part);
    sum_ = t;
    compensation_ += error;
  }

  // Appends another partial sum, as if its terms had been added after ours. The result
  // depends on the order of merges (floating-point addition is not associative), so
  // callers that need reproducible bits merge partial sums in a fixed order.
  void merge(const CompensatedSum& other) {
    add(other.sum_);
    compensation_ += other.compensation_;
  }

  // Once the running sum has overflowed to +-inf the error term is meaningless
  // (inf - inf), so the overflowed sum itself is returned: +-inf, never NaN from us.
  double value() const { return std::isfinite(sum_) ? sum_ + compensation_ : sum_; }

 private:
  double sum_ = 0.0;
  double compensation_ = 0.0;  // sum of the rounding errors of every add() so far
};

}  // namespace fp8check
