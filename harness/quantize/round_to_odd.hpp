// x / s and x * q for scaling, rounded to odd: the result keeps a sticky bit, so one
// later rounding to any format with <= 51 significand bits (every element and scale
// format here) gives the correctly rounded value of the exact quotient or product, in
// every rounding mode, stochastic included (Boldo & Melquiond, "Emulation of FMA and
// correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 57(4), 2008).
// A plain double division would round twice, and a tie could then go the wrong way.
//
// The exact remainder comes from an explicit std::fma (correctly rounded by C++ and IEEE
// 754; never a contraction, which the project's -ffp-contract=off forbids).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace fp8check {

namespace detail {
// r != 0 is the sign of (exact - rounded). An even rounded value moves one ulp toward the
// exact one: of the two doubles around the exact value it is the odd one.
inline double make_odd(double rounded, double r) {
  if (r == 0 || (std::bit_cast<std::uint64_t>(rounded) & 1u) != 0) return rounded;
  return std::nextafter(rounded,
                        r > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity());
}
}  // namespace detail

// x / s for finite s > 0. NaN and inf pass through; a quotient beyond double's range is inf.
inline double divide_round_to_odd(double x, double s) {
  const double q = x / s;
  if (!std::isfinite(q)) return q;
  return detail::make_odd(q, std::fma(-q, s, x));  // x - q*s, exact (q is RN(x/s))
}

// x * q for finite q > 0, as above.
inline double multiply_round_to_odd(double x, double q) {
  const double p = x * q;
  if (!std::isfinite(p)) return p;
  return detail::make_odd(p, std::fma(x, q, -p));  // x*q - p, exact
}

}  // namespace fp8check
