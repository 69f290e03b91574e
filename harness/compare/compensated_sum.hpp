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

  // The running sum and its accumulated error, for code that runs several sums side by side
  // in vector lanes (the same operations lane by lane: CompensatedSums below).
  double running_sum() const { return sum_; }
  double compensation() const { return compensation_; }
  static CompensatedSum from_parts(double running_sum, double compensation) {
    CompensatedSum s;
    s.sum_ = running_sum;
    s.compensation_ = compensation;
    return s;
  }

 private:
  double sum_ = 0.0;
  double compensation_ = 0.0;  // sum of the rounding errors of every add() so far
};

// Two CompensatedSums in the lanes of one vector (GCC/Clang vector extensions: SSE2 on
// x86-64, NEON on arm64): add() is CompensatedSum::add lane by lane, the same IEEE additions
// in the same order, so each lane's bits equal a scalar CompensatedSum fed the same terms.
class CompensatedSumPair {
 public:
  using Lanes = double __attribute__((vector_size(16)));

  CompensatedSumPair(const CompensatedSum& first, const CompensatedSum& second)
      : sum_{first.running_sum(), second.running_sum()},
        compensation_{first.compensation(), second.compensation()} {}

  void add(Lanes x) {
    const Lanes t = sum_ + x;
    const Lanes x_part = t - sum_;
    const Lanes error = (sum_ - (t - x_part)) + (x - x_part);
    sum_ = t;
    compensation_ += error;
  }

  CompensatedSum lane(int i) const { return CompensatedSum::from_parts(sum_[i], compensation_[i]); }

 private:
  Lanes sum_, compensation_;
};

}  // namespace fp8check
