// x / s and x * q for scaling, rounded to odd: the result keeps a sticky bit, so one
// later rounding to any format with <= 51 significand bits (every element and scale
// format here) gives the correctly rounded value of the exact quotient or product, in
// every rounding mode, stochastic included (Boldo & Melquiond, "Emulation of FMA and
// correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 57(4), 2008).
// A plain double division would round twice, and a tie could then go the wrong way.
//
// The exact remainder comes from an explicit fused multiply-add (correctly rounded by
// C++, IEEE 754 and CUDA's __fma_rn; never a contraction, which the project's
// -ffp-contract=off forbids). Host and device code (FP8C_HD): the CUDA quantize kernels
// use these same functions, so both sides give the same bits by construction.
#pragma once

#include <cmath>
#include <cstdint>

#include "harness/core/convert.hpp"
#include "harness/core/host_device.hpp"

namespace fp8check {

namespace detail {

// IEEE double operations with round-to-nearest-even, spelled so that nvcc neither
// contracts them into FMAs nor approximates them (host: -ffp-contract=off).
FP8C_HD_INLINE double div_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __ddiv_rn(a, b);
#else
  return a / b;
#endif
}
FP8C_HD_INLINE double mul_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
FP8C_HD_INLINE double fma_rn(double a, double b, double c) {
#if defined(__CUDA_ARCH__)
  return __fma_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

FP8C_HD_INLINE bool is_finite_double(double v) { return ((bits_of(v) >> 52) & 0x7FF) != 0x7FF; }

// r != 0 is the sign of (exact - rounded). An even rounded value moves one ulp toward the
// exact one: of the two doubles around the exact value it is the odd one. (The one-ulp
// step on the bit pattern is std::nextafter toward +-inf, for zeros of either sign too.)
FP8C_HD_INLINE double make_odd(double rounded, double r) {
  const std::uint64_t b = bits_of(rounded);
  if (r == 0 || (b & 1u) != 0) return rounded;
  const bool negative = (b >> 63) != 0;
  const std::uint64_t magnitude = b & ~(std::uint64_t{1} << 63);
  if (magnitude == 0) return double_from_bits(r > 0 ? 1u : (std::uint64_t{1} << 63) | 1u);
  const bool away_from_zero = (r > 0) != negative;  // toward +inf for positives
  return double_from_bits(away_from_zero ? b + 1 : b - 1);
}

}  // namespace detail

// x / s for finite s > 0. NaN and inf pass through; a quotient beyond double's range is inf.
FP8C_HD_INLINE double divide_round_to_odd(double x, double s) {
  const double q = detail::div_rn(x, s);
  if (!detail::is_finite_double(q)) return q;
  return detail::make_odd(q, detail::fma_rn(-q, s, x));  // x - q*s, exact (q is RN(x/s))
}

// x * q for finite q > 0, as above.
FP8C_HD_INLINE double multiply_round_to_odd(double x, double q) {
  const double p = detail::mul_rn(x, q);
  if (!detail::is_finite_double(p)) return p;
  return detail::make_odd(p, detail::fma_rn(x, q, -p));  // x*q - p, exact
}

}  // namespace fp8check
