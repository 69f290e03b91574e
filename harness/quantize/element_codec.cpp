#include "harness/quantize/element_codec.hpp"

#include <algorithm>
#include <cmath>

#include "harness/core/error.hpp"

namespace fp8check {

double round_to_integer(double v, Rounding r, std::uint32_t random_bits) {
  const bool negative = std::signbit(v);
  const double a = std::fabs(v);
  const double down = std::floor(a);
  const double fraction = a - down;  // exact: a and floor(a) share the binade's grid
  bool away = false;
  switch (r) {
    case Rounding::nearest_even:
      away = fraction > 0.5 || (fraction == 0.5 && std::fmod(down, 2.0) != 0);
      break;
    case Rounding::nearest_away:
      away = fraction >= 0.5;
      break;
    case Rounding::toward_zero:
      away = false;
      break;
    case Rounding::toward_pos_inf:
      away = fraction > 0 && !negative;
      break;
    case Rounding::toward_neg_inf:
      away = fraction > 0 && negative;
      break;
    case Rounding::stochastic: {
      const auto f32 = static_cast<std::uint64_t>(std::ldexp(fraction, 32));  // exact, truncated
      away = f32 + random_bits >= (std::uint64_t{1} << 32);
      break;
    }
  }
  const double magnitude = down + (away ? 1.0 : 0.0);
  return negative ? -magnitude : magnitude;
}

int integer_code_offset(ElementType t) { return t.is_integer() ? static_cast<int>(t.max_magnitude()) : 0; }

std::uint8_t encode_element(ElementType t, double scaled, const EncodeOptions& opt, std::uint32_t random_bits) {
  if (!t.is_integer()) return static_cast<std::uint8_t>(encode(t.format, scaled, opt, random_bits));
  if (std::isnan(scaled)) throw InternalError("NaN reached the integer encoder (quantize rejects it first)");
  const double max_int = t.max_magnitude();
  // At or beyond max_int + 1 every rounding mode saturates (inf included).
  const double q = std::isinf(scaled) || std::fabs(scaled) >= max_int + 1
                       ? std::copysign(max_int, scaled)
                       : std::clamp(round_to_integer(scaled, opt.rounding, random_bits), -max_int, max_int);
  return static_cast<std::uint8_t>(static_cast<int>(q) + static_cast<int>(max_int));
}

double decode_element(ElementType t, std::uint8_t code) {
  if (!t.is_integer()) return decode(t.format, code);
  return static_cast<double>(static_cast<int>(code) - integer_code_offset(t));
}

bool is_nan_element(ElementType t, std::uint8_t code) { return !t.is_integer() && is_nan_code(t.format, code); }

}  // namespace fp8check
