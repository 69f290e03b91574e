// The last step of a fused dot-add: the exact sum, an integer times a power of two, is
// normalised and written to the d register (MMA-Sim, mmasim/simulator/arithmetic.py,
// nv_fused_dot_add):
// - FP32 d: truncation toward zero to `fraction_bits` bits after the leading one (23; 13 is
//   the 'f32_e8m13' of Hopper/Ada FP8), subnormals cut at the same bit position relative
//   to 2^-126; a result of 2^128 or more is inf.
// - FP16 d: round to nearest even at 10 bits (subnormals relative to 2^-14); overflow is inf.
// - An exact zero is +0 whatever the signs of the terms (MMA-Sim's integer sum has no
//   sign), and so is a result that truncates or rounds to zero.
// NaN is written as 0x7FFFFFFF (FP32) or 0x7FFF (FP16).
// Host and device code.
#pragma once

#include <cstdint>

#include "harness/core/convert.hpp"
#include "harness/core/host_device.hpp"
#include "kernels/emulated/mma/mma_operand.hpp"

namespace fp8check {

struct MmaOutput {
  MmaRegister reg = MmaRegister::f32;
  int fraction_bits = 23;  // FP32: bits kept by truncation (1..23); FP16: always 10 (RNE)
};

FP8C_HD_INLINE std::uint32_t mma_nan_bits(MmaRegister r) { return r == MmaRegister::f16 ? 0x7FFFu : 0x7FFFFFFFu; }

FP8C_HD_INLINE std::uint32_t mma_inf_bits(MmaRegister r, bool negative) {
  if (r == MmaRegister::f16) return negative ? 0xFC00u : 0x7C00u;
  return negative ? 0xFF800000u : 0x7F800000u;
}

// d bits of sum * 2^scale_exponent (|sum| < 2^62).
FP8C_HD_INLINE std::uint32_t mma_round_output(std::int64_t sum, int scale_exponent, MmaOutput out) {
  if (sum == 0) return 0u;
  const bool f16 = out.reg == MmaRegister::f16;
  const int field_bits = f16 ? 10 : 23;  // stored fraction field
  const int kept_bits = f16 ? 10 : out.fraction_bits;
  const int bias = f16 ? 15 : 127;
  const int emin = 1 - bias;
  const bool negative = sum < 0;
  const std::uint64_t magnitude = negative ? 0u - static_cast<std::uint64_t>(sum) : static_cast<std::uint64_t>(sum);
  const int leading = scale_exponent + 63 - detail::count_leading_zeros64(magnitude);
  const int binade = leading < emin ? emin : leading;
  // Keep the bits of `magnitude` at or above 2^(binade - kept_bits).
  const int drop = binade - kept_bits - scale_exponent;
  std::uint64_t kept = 0;
  if (drop <= 0) {
    kept = magnitude << -drop;  // exact: magnitude has at most kept_bits + 1 bits here
  } else if (drop < 64) {
    kept = magnitude >> drop;
    if (f16) {
      const std::uint64_t rest = magnitude & ((std::uint64_t{1} << drop) - 1u);
      const std::uint64_t half = std::uint64_t{1} << (drop - 1);
      if (rest > half || (rest == half && (kept & 1u) != 0)) ++kept;
    }
  }  // else: below half of the smallest step, 0 (truncation and RNE alike)
  if (kept == 0) return 0u;
  // Normal: ((binade + bias) << field) | fraction; subnormal: the fraction alone. Both are
  // ((binade + bias - 1) << field) + kept * 2^(field - kept_bits), which also carries a
  // rounded-up significand into the next binade.
  const std::uint64_t magnitude_bits = (static_cast<std::uint64_t>(binade + bias - 1) << field_bits) +
                                       (kept << (field_bits - kept_bits));
  const std::uint32_t inf = mma_inf_bits(out.reg, false);
  if (magnitude_bits >= inf) return mma_inf_bits(out.reg, negative);
  const std::uint32_t sign = negative ? (f16 ? 0x8000u : 0x80000000u) : 0u;
  return sign | static_cast<std::uint32_t>(magnitude_bits);
}

}  // namespace fp8check
