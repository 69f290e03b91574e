// round_p of docs/accumulation.md, model 2: keep `bits` explicit mantissa bits of an FP32
// value, by truncation (toward zero) or round-to-nearest-even, on the bit pattern.
// Inf and NaN pass unchanged (truncating a NaN's payload could turn it into inf).
// The carry of RNE may step into the next binade, or to inf above FLT_MAX, as a
// narrower float would. Subnormals are cut at the same bit position.
#pragma once

#include <bit>
#include <cstdint>

namespace fp8check {

inline float round_mantissa(float x, int bits, bool truncate) {
  const int drop = 23 - bits;
  std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  if (drop <= 0 || (u & 0x7F800000u) == 0x7F800000u) return x;
  const std::uint32_t mask = (std::uint32_t{1} << drop) - 1u;
  if (!truncate) u += (mask >> 1) + ((u >> drop) & 1u);  // half - 1, plus 1 when the kept lsb is odd
  return std::bit_cast<float>(u & ~mask);
}

}  // namespace fp8check
