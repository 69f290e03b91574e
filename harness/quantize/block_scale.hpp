// One block's scale from its amax (max |x| over the block's non-NaN elements), as the
// recipe stores it, and the two directions of scaling with it.
//
//   fp32/fp16 scales (tensor, row, col, vec, blk, delayed, int groups):
//     s = amax / format_max, rounded to the scale type to nearest even, or to the power of
//     two above (Pow2Scale::round_up); stored s (ScaleMeaning::dequant) or
//     q = format_max / amax rounded the same way (ScaleMeaning::quant).
//   e8m0 scales (MX): X = 2^(floor(log2(amax)) - emax_elem) (OCP MX v1.0 section 6.3) or
//     2^ceil(log2(amax / format_max)) (MxScaleRule::round_up), code = exponent + 127.
//   e4m3 scales (NVFP4 blocks): amax / format_max with format_max = 6 * tensor scale,
//     rounded to e4m3 to nearest even, saturating at 448.
// Every quotient is rounded to odd first (round_to_odd.hpp), so the one rounding to the
// scale type is the correct rounding of the exact amax / format_max.
// amax == 0 gives the zero-block scale; any other scale is clamped to
// [smallest_scale, largest_scale] of its type (scale_policy.hpp), so no scale is 0, inf
// or NaN (amax = inf, from an inf element, gives the largest scale).
#pragma once

#include <cstdint>

#include "harness/core/convert.hpp"
#include "harness/core/host_device.hpp"
#include "harness/quantize/round_to_odd.hpp"
#include "harness/quantize/scale_policy.hpp"

namespace fp8check {

struct BlockScale {
  float stored = 1;       // the scale tensor's value (s, or q under ScaleMeaning::quant)
  std::uint8_t code = 0;  // raw e8m0/e4m3 code; 0 for fp32/fp16
};

// format_max > 0 finite; amax >= 0 (may be inf). `policy` supplies meaning (fp32/fp16
// only), pow2 (fp32/fp16 only), zero_block and mx_rule (e8m0 only).
BlockScale compute_block_scale(double amax, double format_max, ScaleType type, const ScalePolicy& policy);

// The ScalePolicy fields a block scale depends on, as plain data a CUDA kernel takes.
struct BlockScaleRules {
  ScaleType type = ScaleType::fp32;
  bool quant_meaning = false;   // ScaleMeaning::quant (fp32/fp16 only)
  bool pow2_round_up = false;   // Pow2Scale::round_up (fp32/fp16 only)
  bool zero_block_one = true;   // ZeroBlockScale::one
  bool mx_round_up = false;     // MxScaleRule::round_up (e8m0 only)
};
BlockScaleRules block_scale_rules(ScaleType type, const ScalePolicy& policy);

namespace block_scale_detail {

// For finite v > 0: the exponent of v's leading bit (floor(log2(v))), subnormals included.
FP8C_HD_INLINE int floor_log2(double v) {
  const std::uint64_t b = detail::bits_of(v) & ~(std::uint64_t{1} << 63);
  const int field = static_cast<int>(b >> 52);
  if (field != 0) return field - 1023;
  return -1011 - detail::count_leading_zeros64(b);  // subnormal: leading bit of the fraction
}
FP8C_HD_INLINE double pow2(int e) {  // 2^e for e in [-1074, 1024] (1024: inf)
  if (e < -1022) return detail::double_from_bits(std::uint64_t{1} << (e + 1074));
  return detail::double_from_bits(static_cast<std::uint64_t>(e + 1023) << 52);
}
// 2^ceil(log2(v)) for finite v > 0, exactly.
FP8C_HD_INLINE double pow2_at_or_above(double v) {
  const int e = floor_log2(v);
  return pow2(e) == v ? v : pow2(e + 1);
}
FP8C_HD_INLINE double clamp(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }
FP8C_HD_INLINE bool is_inf(double v) { return (detail::bits_of(v) & ~(std::uint64_t{1} << 63)) == (std::uint64_t{0x7FF} << 52); }

FP8C_HD_INLINE double smallest(ScaleType t) {
  return t == ScaleType::fp32 ? 0x1p-126 : t == ScaleType::fp16 ? 0x1p-14 : t == ScaleType::e8m0 ? 0x1p-127 : 0x1p-9;
}
FP8C_HD_INLINE double largest(ScaleType t) {
  return t == ScaleType::fp32 ? 0x1.fffffep127 : t == ScaleType::fp16 ? 65504.0 : t == ScaleType::e8m0 ? 0x1p127 : 448.0;
}

// fp16 scales: amax / format_max (or its reciprocal) rounded once to fp16, or a power of two.
FP8C_HD_INLINE BlockScale fp16_scale(double amax, double format_max, const BlockScaleRules& r) {
  const auto rounded = [](double v) { return decode(Format::fp16, encode(Format::fp16, v)); };
  double s;
  if (amax == 0) {
    s = r.zero_block_one ? 1.0 : smallest(ScaleType::fp16);
  } else if (r.pow2_round_up) {
    // Both bounds are powers of two: the largest power of two of fp16 is half the one above 65504.
    const double largest_pow2 = pow2_at_or_above(largest(ScaleType::fp16)) / 2;
    s = is_inf(amax) ? largest_pow2 : pow2_at_or_above(divide_round_to_odd(amax, format_max));
    s = clamp(s, smallest(ScaleType::fp16), largest_pow2);
  } else if (r.quant_meaning) {
    // q = format_max / amax rounded once; clamped so that 1/q stays in the type's range.
    const double q = is_inf(amax) ? 0.0 : divide_round_to_odd(format_max, amax);
    return {static_cast<float>(rounded(clamp(q, smallest(ScaleType::fp16), largest(ScaleType::fp16)))), 0};
  } else {
    s = is_inf(amax) ? largest(ScaleType::fp16) : divide_round_to_odd(amax, format_max);
    s = rounded(clamp(s, smallest(ScaleType::fp16), largest(ScaleType::fp16)));  // the bounds are on the grid
  }
  return {static_cast<float>(r.quant_meaning ? detail::div_rn(1.0, s) : s), 0};
}

// e8m0 scales (OCP MX v1.0 section 6.3): 2^(floor(log2(amax)) - floor(log2(format_max))),
// or 2^ceil(log2(amax / format_max)) (round_up); code = exponent + 127.
FP8C_HD_INLINE BlockScale e8m0_scale(double amax, double format_max, const BlockScaleRules& r) {
  int exponent;
  if (amax == 0) exponent = r.zero_block_one ? 0 : -127;
  else if (is_inf(amax)) exponent = 127;
  else if (!r.mx_round_up) exponent = floor_log2(amax) - floor_log2(format_max);
  else exponent = floor_log2(pow2_at_or_above(divide_round_to_odd(amax, format_max)));
  exponent = exponent < -127 ? -127 : (exponent > 127 ? 127 : exponent);
  return {static_cast<float>(pow2(exponent)), static_cast<std::uint8_t>(exponent + 127)};
}

// e4m3 scales (NVFP4 blocks): amax / format_max rounded to e4m3 to nearest even, saturating;
// an underflow takes the smallest subnormal 2^-9.
FP8C_HD_INLINE BlockScale e4m3_scale(double amax, double format_max, const BlockScaleRules& r) {
  std::uint32_t code;
  if (amax == 0) {
    code = encode(Format::e4m3fn, r.zero_block_one ? 1.0 : smallest(ScaleType::e4m3));
  } else {
    code = encode(Format::e4m3fn, divide_round_to_odd(amax, format_max), EncodeOptions{});  // rne, satfinite
    if (code == 0) code = 1;
  }
  return {static_cast<float>(decode(Format::e4m3fn, code)), static_cast<std::uint8_t>(code)};
}

}  // namespace block_scale_detail

// compute_block_scale for fp16, e8m0 and e4m3 scales (fp32 scales: convention_math.hpp's
// fp32_block_scale), host and device. Arguments as compute_block_scale's, unchecked.
FP8C_HD_INLINE BlockScale block_scale_of(double amax, double format_max, const BlockScaleRules& r) {
  switch (r.type) {
    case ScaleType::fp16: return block_scale_detail::fp16_scale(amax, format_max, r);
    case ScaleType::e8m0: return block_scale_detail::e8m0_scale(amax, format_max, r);
    case ScaleType::e4m3: return block_scale_detail::e4m3_scale(amax, format_max, r);
    case ScaleType::fp32: break;
  }
  return {};
}

// The factor that maps elements to the code domain and back: x -> x / s (dequant) or
// x * q (quant); v -> v * s (exact for the formats here) or v / q (rounded to nearest).
struct ScaleFactor {
  double value = 1;
  bool is_quant_multiplier = false;

  FP8C_HD double to_code_domain(double x) const {
    return is_quant_multiplier ? multiply_round_to_odd(x, value) : divide_round_to_odd(x, value);
  }
  double from_code_domain(double v) const { return is_quant_multiplier ? v / value : v * value; }
};

}  // namespace fp8check
