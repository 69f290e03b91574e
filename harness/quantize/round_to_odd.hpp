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
#include <cstring>

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
// Written without data-dependent branches: whether to step is a coin flip per element,
// which a branch predictor cannot learn.
FP8C_HD_INLINE double make_odd(double rounded, double r) {
  const std::uint64_t b = bits_of(rounded);
  const std::uint64_t step = (r != 0 ? 1u : 0u) & ~b & 1u;  // 1: inexact and even
  if ((b << 1) == 0) return step ? double_from_bits((r > 0 ? 0u : std::uint64_t{1} << 63) | 1u) : rounded;  // +-0
  const bool toward_zero = (r > 0) == ((b >> 63) != 0);  // the exact value is nearer zero
  return double_from_bits(toward_zero ? b - step : b + step);
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

// d rounded to float by rounding to odd (for finite |d| > FLT_MAX: +-FLT_MAX; NaN and inf
// pass). Rounding to odd composes (RO_24(RO_53(v)) = RO_24(v)), so for a target format
// with <= 21 significand bits (every element format here has <= 3) any later rounding of
// the float gives what rounding d itself gives, in every mode but stochastic (whose
// random comparison reads 32 fraction bits the float does not keep): the quantizer's
// bulk path encodes these floats with the float codec (convert_bulk.hpp). Beyond
// FLT_MAX every format saturates or overflows exactly as from d, and FLT_MAX is odd.
FP8C_HD_INLINE float round_to_odd_float(double d) {
  constexpr double kFloatMax = 0x1.fffffep127;
  const double a = d < 0 ? -d : d;
  if (!(a <= kFloatMax)) {
    if (a != a || !detail::is_finite_double(d)) return static_cast<float>(d);  // NaN, inf
    return d < 0 ? -static_cast<float>(kFloatMax) : static_cast<float>(kFloatMax);
  }
#if defined(__CUDA_ARCH__)
  float f = __double2float_rn(d);
#else
  float f = static_cast<float>(d);  // round to nearest even
#endif
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  // Even and inexact: step one ulp toward d (from +-0 to the smallest subnormal of d's sign).
  const double fd = static_cast<double>(f);
  const std::uint32_t step = (fd != d ? 1u : 0u) & ~b & 1u;
  if ((b << 1) == 0) {
    if (step) b = (d < 0 ? 0x80000000u : 0u) | 1u;
  } else {
    const double fa = fd < 0 ? -fd : fd;
    b = a > fa ? b + step : b - step;
  }
  std::memcpy(&f, &b, sizeof f);
  return f;
}

}  // namespace fp8check
