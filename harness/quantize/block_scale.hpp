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

// The factor that maps elements to the code domain and back: x -> x / s (dequant) or
// x * q (quant); v -> v * s (exact for the formats here) or v / q (rounded to nearest).
struct ScaleFactor {
  double value = 1;
  bool is_quant_multiplier = false;

  double to_code_domain(double x) const {
    return is_quant_multiplier ? multiply_round_to_odd(x, value) : divide_round_to_odd(x, value);
  }
  double from_code_domain(double v) const { return is_quant_multiplier ? v / value : v * value; }
};

}  // namespace fp8check
