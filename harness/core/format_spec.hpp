// The low-precision formats fp8check knows, as data: bit layout, bias and the rule
// for special values. Everything else about a format (max normal, epsilon, ...)
// is derived from these fields; see docs/formats.md for the sources.
#pragma once

#include <cstdint>

#include "harness/core/host_device.hpp"

namespace fp8check {

enum class Format : std::uint8_t {
  e4m3fn,       // OCP OFP8 E4M3: no inf, NaN = S.1111.111, max 448
  e5m2,         // OCP OFP8 E5M2: IEEE-like, inf and NaNs, max 57344
  e4m3fnuz,     // AMD/Graphcore E4M3: bias 8, 0x80 is the only NaN, no -0, max 240
  e5m2fnuz,     // AMD/Graphcore E5M2: bias 16, 0x80 is the only NaN, no -0, max 57344
  e4m3b11fnuz,  // ml_dtypes float8_e4m3b11fnuz: bias 11, fnuz rules, max 30
  e4m3b15,      // Triton fp8e4b15 (software path): bias 15, every code finite, max 1.875
  e8m0fnu,      // OCP MX scale: unsigned 2^(code-127), 0xFF = NaN, no zero
  e2m1fn,       // OCP MX FP4: max 6, every code finite
  e2m3fn,       // OCP MX FP6: max 7.5, every code finite
  e3m2fn,       // OCP MX FP6: max 28, every code finite
  bf16,         // bfloat16 (kernel output type)
  fp16,         // IEEE binary16 (kernel output type)
};
inline constexpr int kFormatCount = 12;

// How the encodings at the top (and the would-be negative zero) are used.
enum class SpecialRule : std::uint8_t {
  ieee,    // top exponent reserved: mantissa 0 = inf, otherwise NaN
  fn,      // no inf; only the all-ones magnitude (S.1..1) is NaN
  fnuz,    // no inf, no -0; the sign-only code (0x80) is the single NaN
  finite,  // every code is a finite number (no inf, no NaN)
  e8m0,    // unsigned power of two, all-ones (0xFF) is NaN, no zero
};

struct FormatSpec {
  Format id;
  const char* name;
  int bits;       // storage bits of one element (4, 6, 8 or 16)
  int exp_bits;
  int man_bits;   // explicit mantissa bits
  int bias;
  SpecialRule rule;
  bool is_signed;

  // Derived, constexpr --------------------------------------------------------
  // Exponent of the smallest normal binade (subnormals share its quantum).
  FP8C_HD constexpr int emin() const { return rule == SpecialRule::e8m0 ? -bias : 1 - bias; }
  FP8C_HD constexpr std::uint32_t sign_bit() const { return is_signed ? 1u << (bits - 1) : 0u; }
  FP8C_HD constexpr std::uint32_t magnitude_mask() const { return (1u << (is_signed ? bits - 1 : bits)) - 1u; }
  // Code (without sign) of the largest finite magnitude.
  FP8C_HD constexpr std::uint32_t max_magnitude_code() const {
    switch (rule) {
      case SpecialRule::ieee: return (((1u << exp_bits) - 2u) << man_bits) | ((1u << man_bits) - 1u);
      case SpecialRule::fn: return magnitude_mask() - 1u;
      case SpecialRule::e8m0: return 0xFEu;
      default: return magnitude_mask();  // fnuz, finite: the all-ones magnitude is finite
    }
  }
  FP8C_HD constexpr bool has_inf() const { return rule == SpecialRule::ieee; }
  FP8C_HD constexpr bool has_nan() const { return rule != SpecialRule::finite; }
  FP8C_HD constexpr bool has_negative_zero() const {
    return is_signed && rule != SpecialRule::fnuz;
  }
  FP8C_HD constexpr std::uint32_t code_count() const { return 1u << bits; }
};

FP8C_HD constexpr FormatSpec format_spec(Format f) {
  using R = SpecialRule;
  switch (f) {
    case Format::e4m3fn: return {f, "e4m3fn", 8, 4, 3, 7, R::fn, true};
    case Format::e5m2: return {f, "e5m2", 8, 5, 2, 15, R::ieee, true};
    case Format::e4m3fnuz: return {f, "e4m3fnuz", 8, 4, 3, 8, R::fnuz, true};
    case Format::e5m2fnuz: return {f, "e5m2fnuz", 8, 5, 2, 16, R::fnuz, true};
    case Format::e4m3b11fnuz: return {f, "e4m3b11fnuz", 8, 4, 3, 11, R::fnuz, true};
    case Format::e4m3b15: return {f, "e4m3b15", 8, 4, 3, 15, R::finite, true};
    case Format::e8m0fnu: return {f, "e8m0fnu", 8, 8, 0, 127, R::e8m0, false};
    case Format::e2m1fn: return {f, "e2m1fn", 4, 2, 1, 1, R::finite, true};
    case Format::e2m3fn: return {f, "e2m3fn", 6, 2, 3, 1, R::finite, true};
    case Format::e3m2fn: return {f, "e3m2fn", 6, 3, 2, 3, R::finite, true};
    case Format::bf16: return {f, "bf16", 16, 8, 7, 127, R::ieee, true};
    case Format::fp16: return {f, "fp16", 16, 5, 10, 15, R::ieee, true};
  }
  return {Format::e4m3fn, "invalid", 0, 0, 0, 0, R::finite, false};
}

inline constexpr Format kAllFormats[kFormatCount] = {
    Format::e4m3fn,  Format::e5m2,   Format::e4m3fnuz, Format::e5m2fnuz,
    Format::e4m3b11fnuz, Format::e4m3b15, Format::e8m0fnu, Format::e2m1fn,
    Format::e2m3fn,  Format::e3m2fn, Format::bf16,     Format::fp16};

}  // namespace fp8check
