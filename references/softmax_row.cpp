#include "references/softmax_row.hpp"

#include <bit>

namespace fp8check::references::detail {

namespace {

constexpr double kRoundShifter = 0x1.8p52;            // x + 1.5·2^52 rounds x to an integer
constexpr double kInverseLn2 = 0x1.71547652b82fep0;  // 1/ln2
constexpr double kLn2High = 0x1.62e42fefa3800p-1;    // 11 trailing zero bits: k·kLn2High is exact
constexpr double kLn2Low = 0x1.ef35793c7673p-45;     // ln2 - kLn2High, to 2^-100
constexpr double kLowest = -745.2;                   // below it e^x < 2^-1075: rounds to 0

// e^x for x in [kLowest, 0]. Always inlined, so each target clone below vectorizes it.
[[gnu::always_inline]] inline double exp_in_range(double x) {
  const double shifted = x * kInverseLn2 + kRoundShifter;  // k = round(x/ln2) in the low bits
  const double k_real = shifted - kRoundShifter;
  const double r = (x - k_real * kLn2High) - k_real * kLn2Low;  // |r| <= ln2/2
  // e^r = 1 + r + r²·q, q = Σ_{i>=2} r^(i-2)/i! by Estrin's scheme (short dependency chains,
  // so neighbouring elements overlap); adding the leading 1 + r last keeps the error < 1 ulp.
  const double r2 = r * r, r4 = r2 * r2;
  const double c23 = 0.5 + r * (1.0 / 6.0), c45 = 1.0 / 24.0 + r * (1.0 / 120.0);
  const double c67 = 1.0 / 720.0 + r * (1.0 / 5040.0), c89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
  const double c1011 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
  const double c1213 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
  const double q = (c23 + r2 * c45) + r4 * ((c67 + r2 * c89) + r4 * (c1011 + r2 * c1213));
  const double e_r = 1.0 + (r + r2 * q);
  // 2^k = 2^(k+1022) · 2^-1022: the first factor is a normal number for every k in
  // [-1076, 0] and scales exactly; the second product rounds once, to a subnormal if e^x is one.
  const std::uint64_t k = std::bit_cast<std::uint64_t>(shifted) - std::bit_cast<std::uint64_t>(kRoundShifter);
  const double scale = std::bit_cast<double>((k + 1022 + 1023) << 52);
  return (e_r * scale) * 0x1p-1022;
}

// row[j] <- e^(row[j] - shift) where every row[j] - shift is in [kLowest, 0] (or NaN).
[[gnu::target_clones("avx2", "default")]] void exp_shifted_in_range(double* row, std::int64_t count,
                                                                     double shift) {
  for (std::int64_t j = 0; j < count; ++j) row[j] = exp_in_range(row[j] - shift);
}

}  // namespace

double exp_nonpositive(double x) {
  if (x >= kLowest) return exp_in_range(x);
  return x != x ? x : 0.0;  // NaN stays NaN
}

SoftmaxRow exponentiate_row(double* row, std::int64_t count) {
  double max = row[0], min = row[0];
  for (std::int64_t j = 1; j < count; ++j) {
    max = row[j] > max ? row[j] : max;
    min = row[j] < min ? row[j] : min;
  }
  if (min - max >= kLowest) {
    exp_shifted_in_range(row, count, max);
  } else {  // some entries underflow to 0: the same formula, element by element
    for (std::int64_t j = 0; j < count; ++j) row[j] = exp_nonpositive(row[j] - max);
  }
  // Four interleaved partial sums: a fixed order, and four independent addition chains.
  double partial[4] = {0.0, 0.0, 0.0, 0.0};
  std::int64_t j = 0;
  for (; j + 4 <= count; j += 4) {
    for (int lane = 0; lane < 4; ++lane) partial[lane] += row[j + lane];
  }
  for (int lane = 0; j < count; ++j, ++lane) partial[lane] += row[j];
  return {max, (partial[0] + partial[1]) + (partial[2] + partial[3])};
}

}  // namespace fp8check::references::detail
