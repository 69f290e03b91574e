#include "harness/generate/portable_log.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

#include "harness/generate/portable_log_constants.hpp"

namespace fp8check {
namespace {

using namespace detail::fdlibm_log;  // kLn2Hi, kLn2Lo, kLg1 ... kLg7

std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
double from_bits(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

}  // namespace

double portable_log(double x) {
  std::uint64_t bits = bits_of(x);
  int k = 0;  // x = 2^k * (1 + f) at the end of the reduction
  if ((bits & 0x7FFFFFFFFFFFFFFFull) == 0) return -std::numeric_limits<double>::infinity();
  if (bits >> 63) return std::numeric_limits<double>::quiet_NaN();  // x < 0 or -NaN
  if ((bits >> 52) == 0x7FF) return x + x;                           // +inf or NaN
  if ((bits >> 52) == 0) {  // subnormal: scale by 2^54 (exact) into the normal range
    x *= 0x1p54;
    bits = bits_of(x);
    k -= 54;
  }
  k += static_cast<int>(bits >> 52) - 1023;
  // Reduce the significand m in [1, 2) to [sqrt(2)/2, sqrt(2)): m >= sqrt(2) (high
  // fraction word >= 0x6a09f, i.e. 0x6a09f + 0x95f64 carries into bit 20) takes m / 2.
  const std::uint32_t frac_hi = static_cast<std::uint32_t>(bits >> 32) & 0x000FFFFFu;
  const std::uint32_t halve = (frac_hi + 0x95f64u) & 0x100000u;
  const std::uint64_t exponent_field = halve ? 0x3FE : 0x3FF;
  x = from_bits((bits & 0x000FFFFFFFFFFFFFull) | exponent_field << 52);
  k += halve ? 1 : 0;
  const double f = x - 1.0;  // exact (Sterbenz), in [sqrt(2)/2 - 1, sqrt(2) - 1)
  const double dk = static_cast<double>(k);

  if (((frac_hi + 2) & 0x000FFFFFu) < 3) {  // |f| < 2^-20: a short series suffices
    if (f == 0.0) return dk * kLn2Hi + dk * kLn2Lo;
    const double r = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - r;
    return dk * kLn2Hi - ((r - dk * kLn2Lo) - f);
  }

  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double r = t2 + t1;
  // For m far from 1 (frac_hi in [0x6147a, 0x6b851], m near sqrt(2)) the form with hfsq = f^2/2
  // loses less to cancellation; both forms and the split come from fdlibm.
  const bool far_from_one = frac_hi >= 0x6147au && frac_hi <= 0x6b851u;
  if (far_from_one) {
    const double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + r));
    return dk * kLn2Hi - ((hfsq - (s * (hfsq + r) + dk * kLn2Lo)) - f);
  }
  if (k == 0) return f - s * (f - r);
  return dk * kLn2Hi - ((s * (f - r) - dk * kLn2Lo) - f);
}

}  // namespace fp8check
