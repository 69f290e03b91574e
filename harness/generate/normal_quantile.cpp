#include "harness/generate/normal_quantile.hpp"

#include <cmath>
#include <limits>

#include "harness/generate/normal_quantile_coefficients.hpp"
#include "harness/generate/portable_log.hpp"

namespace fp8check {
namespace {

using namespace detail::ppnd16;  // kA ... kF

// Horner evaluation of c[0] + c[1] x + ... + c[7] x^7; plain * and + (no fma).
double poly7(const double (&c)[8], double x) {
  double acc = c[7];
  for (int i = 6; i >= 0; --i) acc = acc * x + c[i];
  return acc;
}

}  // namespace

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) return std::numeric_limits<double>::quiet_NaN();
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {  // central region: rational function of 0.180625 - q^2
    const double r = 0.180625 - q * q;
    return q * poly7(kA, r) / poly7(kB, r);
  }
  const double tail = q < 0.0 ? p : 1.0 - p;
  double r = std::sqrt(-portable_log(tail));  // sqrt is correctly rounded (IEEE 754 5.4.1)
  double z;
  if (r <= 5.0) {  // tail down to p ~ 1.4e-11
    r -= 1.6;
    z = poly7(kC, r) / poly7(kD, r);
  } else {  // far tail, to p ~ 1e-300
    r -= 5.0;
    z = poly7(kE, r) / poly7(kF, r);
  }
  return q < 0.0 ? -z : z;
}

}  // namespace fp8check
