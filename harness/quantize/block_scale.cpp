#include "harness/quantize/block_scale.hpp"

#include <algorithm>
#include <cmath>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/quantize/convention_math.hpp"

namespace fp8check {
namespace {

// 2^ceil(log2(v)) for finite v > 0, exactly (frexp: v = m * 2^e, m in [0.5, 1)).
double pow2_at_or_above(double v) {
  int e = 0;
  const double m = std::frexp(v, &e);
  return std::ldexp(1.0, m == 0.5 ? e - 1 : e);
}

// floor(log2(v)) for finite v > 0, exactly.
int floor_log2(double v) {
  int e = 0;
  std::frexp(v, &e);
  return e - 1;
}

double clamp_scale(double s, ScaleType type) { return std::clamp(s, smallest_scale(type), largest_scale(type)); }

// v > 0 rounded to nearest even onto the grid of `type` (fp32 or fp16), as float.
float rounded_to(double v, ScaleType type) {
  if (type == ScaleType::fp16) return static_cast<float>(decode(Format::fp16, encode(Format::fp16, v)));
  return static_cast<float>(v);  // IEEE conversion: round to nearest even
}

BlockScale float_scale(double amax, double format_max, ScaleType type, const ScalePolicy& p) {
  const bool quant = p.meaning == ScaleMeaning::quant;
  if (type == ScaleType::fp32) {  // the host+device form the CUDA kernels share
    const Fp32ScaleRules rules{quant, p.pow2 == Pow2Scale::round_up, p.zero_block == ZeroBlockScale::one};
    return {convention_detail::exact_block_scale(amax, format_max, rules).stored};
  }
  double s;  // the dequantization multiplier, on the scale type's grid
  if (amax == 0) {
    s = p.zero_block == ZeroBlockScale::one ? 1.0 : smallest_scale(type);
  } else if (p.pow2 == Pow2Scale::round_up) {
    // Both bounds are powers of two: smallest_scale is one, and the largest power of two
    // of the type is half the one above its largest value.
    const double largest_pow2 = pow2_at_or_above(largest_scale(type)) / 2;
    s = std::isinf(amax) ? largest_pow2 : pow2_at_or_above(divide_round_to_odd(amax, format_max));
    s = std::clamp(s, smallest_scale(type), largest_pow2);
  } else if (quant) {
    // q = format_max / amax rounded once; clamp so that 1/q stays in the type's range.
    const double q = std::isinf(amax) ? 0.0 : divide_round_to_odd(format_max, amax);
    return {rounded_to(clamp_scale(q, type), type)};
  } else {
    s = std::isinf(amax) ? largest_scale(type) : divide_round_to_odd(amax, format_max);
    s = rounded_to(clamp_scale(s, type), type);  // the bounds are on the grid: no re-clamp
  }
  return {static_cast<float>(quant ? 1.0 / s : s)};
}

BlockScale e8m0_scale(double amax, double format_max, const ScalePolicy& p) {
  int exponent;
  if (amax == 0) {
    exponent = p.zero_block == ZeroBlockScale::one ? 0 : -127;
  } else if (std::isinf(amax)) {
    exponent = 127;
  } else if (p.mx_rule == MxScaleRule::ocp_floor) {
    exponent = floor_log2(amax) - floor_log2(format_max);  // emax_elem = floor(log2(format max))
  } else {
    exponent = floor_log2(pow2_at_or_above(divide_round_to_odd(amax, format_max)));
  }
  exponent = std::clamp(exponent, -127, 127);
  return {static_cast<float>(std::ldexp(1.0, exponent)), static_cast<std::uint8_t>(exponent + 127)};
}

BlockScale e4m3_scale(double amax, double format_max, const ScalePolicy& p) {
  std::uint32_t code;
  if (amax == 0) {
    code = encode(Format::e4m3fn, p.zero_block == ZeroBlockScale::one ? 1.0 : smallest_scale(ScaleType::e4m3));
  } else {
    code = encode(Format::e4m3fn, divide_round_to_odd(amax, format_max), EncodeOptions{});  // rne, satfinite
    if (code == 0) code = 1;  // underflow: the smallest subnormal, 2^-9
  }
  return {static_cast<float>(decode(Format::e4m3fn, code)), static_cast<std::uint8_t>(code)};
}

}  // namespace

BlockScale compute_block_scale(double amax, double format_max, ScaleType type, const ScalePolicy& policy) {
  if (!(amax >= 0) || !(format_max > 0) || !std::isfinite(format_max))
    throw InternalError("block scale of amax " + std::to_string(amax) + " with format max " +
                        std::to_string(format_max));
  switch (type) {
    case ScaleType::fp32:
    case ScaleType::fp16:
      return float_scale(amax, format_max, type, policy);
    case ScaleType::e8m0:
      return e8m0_scale(amax, format_max, policy);
    case ScaleType::e4m3:
      return e4m3_scale(amax, format_max, policy);
  }
  throw InternalError("unknown scale type");
}

}  // namespace fp8check
