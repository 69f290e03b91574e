// Natural logarithm built from + - * / and bit manipulation only, so with the project's
// -ffp-contract=off it returns the same bits on every compiler, flag set and platform
// (libm's log is not required to be correctly rounded, and implementations differ).
// Algorithm and constants: fdlibm e_log.c (Sun Microsystems, 1993; the basis of FreeBSD
// msun and many others), whose error analysis bounds the error below 1 ulp.
#pragma once

namespace fp8check {

// log(x) for x > 0 (including subnormals and +inf); -inf for +-0; NaN for x < 0 and NaN.
double portable_log(double x);

}  // namespace fp8check
