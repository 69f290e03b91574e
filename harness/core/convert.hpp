// Exact encode (float/double -> code) and decode (code -> double) for every Format.
// One integer-only algorithm serves all formats, on host and on CUDA devices:
// the input's significand is rounded at the target quantum with explicit guard
// bits, so the result never depends on the compiler's floating-point flags.
// Semantics (rounding, overflow, NaN codes) are specified in docs/formats.md.
#pragma once

#include <cstdint>
#include <cstring>

#include "harness/core/format_spec.hpp"
#include "harness/core/host_device.hpp"

namespace fp8check {

enum class Rounding : std::uint8_t {
  nearest_even,    // IEEE roundTiesToEven (cvt.rn)
  toward_zero,     // cvt.rz
  toward_pos_inf,  // "up", cvt.rp
  toward_neg_inf,  // "down", cvt.rm
  stochastic,      // round away from zero with probability = dropped fraction (see below)
  nearest_away,    // ties away from zero (ml_dtypes' e8m0 rounding, Triton's e4b15 encoder)
};

// Overflow is two settings because real implementations combine them differently:
// CUDA's cvt.*.satfinite = {saturate_finite, clamp_inf}; ml_dtypes' saturating cast =
// {saturate_finite, !clamp_inf}; the OCP/IEEE "native" behaviour = {!saturate_finite, !clamp_inf}.
struct EncodeOptions {
  Rounding rounding = Rounding::nearest_even;
  bool saturate_finite = true;  // finite values beyond max -> +-max (else the format's overflow result)
  bool clamp_inf = true;        // +-inf inputs -> +-max (else inf, or NaN where the format has no inf)
};

// The defaults follow cvt.rn.satfinite for the 8-, 6- and 4-bit formats, and the
// plain IEEE conversion (cvt.rn.f16.f32, __float2bfloat16) for bf16 and fp16.
FP8C_HD constexpr EncodeOptions default_encode_options(Format f) {
  if (f == Format::bf16 || f == Format::fp16) return {Rounding::nearest_even, false, false};
  return {};
}

namespace detail {

FP8C_HD_INLINE std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
FP8C_HD_INLINE double double_from_bits(std::uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
FP8C_HD_INLINE int count_leading_zeros64(std::uint64_t v) {  // v != 0
#if defined(__CUDA_ARCH__)
  return __clzll(static_cast<long long>(v));
#else
  return __builtin_clzll(v);
#endif
}

// The code fp8check emits for a NaN input. NaN sign and payload are not portable
// between implementations (../shared/oracle/DISAGREEMENTS.md), so fp8check emits
// CUDA's choice and compares "is NaN", never NaN bits.
FP8C_HD constexpr std::uint32_t nan_code(const FormatSpec& s) {
  switch (s.rule) {
    case SpecialRule::ieee:
    case SpecialRule::fn: return s.magnitude_mask();  // 0x7F, 0x7FFF: positive, all ones
    case SpecialRule::fnuz: return s.sign_bit();      // 0x80
    case SpecialRule::e8m0: return 0xFFu;
    case SpecialRule::finite: return s.max_magnitude_code();  // CUDA fp4/fp6: +max
  }
  return 0;
}

FP8C_HD constexpr std::uint32_t with_sign(const FormatSpec& s, bool negative, std::uint32_t magnitude) {
  return negative ? (magnitude | s.sign_bit()) : magnitude;
}

// Result of an overflow that goes "to infinity": inf where the format has it,
// otherwise NaN (e4m3fn keeps the sign, S.1111.111, as every oracle does), and
// +-max for the formats whose every code is finite.
FP8C_HD constexpr std::uint32_t infinity_code(const FormatSpec& s, bool negative) {
  switch (s.rule) {
    case SpecialRule::ieee: return with_sign(s, negative, s.max_magnitude_code() + 1u);
    case SpecialRule::fn: return with_sign(s, negative, s.magnitude_mask());
    case SpecialRule::finite: return with_sign(s, negative, s.max_magnitude_code());
    default: return nan_code(s);
  }
}

FP8C_HD constexpr std::uint32_t zero_code(const FormatSpec& s, bool negative) {
  if (s.rule == SpecialRule::e8m0) return 0u;  // no zero: the smallest scale, 2^-127
  return s.has_negative_zero() ? with_sign(s, negative, 0u) : 0u;
}

}  // namespace detail

// Encodes x. `random_bits` is used only by Rounding::stochastic: the dropped
// fraction f (the bits below the target quantum, truncated to 32 bits, as an
// unsigned 0.32 fixed-point number) rounds away from zero iff f + random_bits >= 2^32,
// so P(away) = f for uniform random_bits, and a run is reproducible from its bits.
// Inputs to the unsigned e8m0 are taken by magnitude (as CUDA's __nv_cvt_*_to_e8m0).
template <Format F>
FP8C_HD_INLINE std::uint32_t encode(double x, EncodeOptions opt = default_encode_options(F),
                                    std::uint32_t random_bits = 0) {
  constexpr FormatSpec s = format_spec(F);
  const std::uint64_t bits = detail::bits_of(x);
  const bool negative = s.is_signed && (bits >> 63) != 0;
  const int exp_field = static_cast<int>((bits >> 52) & 0x7FF);
  std::uint64_t sig = bits & ((std::uint64_t{1} << 52) - 1);

  if (exp_field == 0x7FF) {
    if (sig != 0) return detail::nan_code(s);
    if (opt.clamp_inf) return detail::with_sign(s, negative, s.max_magnitude_code());
    return detail::infinity_code(s, negative);
  }
  if (exp_field == 0 && sig == 0) return detail::zero_code(s, negative);

  // |x| = sig * 2^(e - 52) with sig in [2^52, 2^53).
  int e;
  if (exp_field == 0) {
    const int lz = detail::count_leading_zeros64(sig) - 11;
    sig <<= lz;
    e = -1022 - lz;
  } else {
    sig |= std::uint64_t{1} << 52;
    e = exp_field - 1023;
  }
  // Round at the quantum of binade E (subnormals share the quantum of emin).
  const int binade = e < s.emin() ? s.emin() : e;
  const int shift = (binade - s.man_bits) - (e - 52);  // >= 52 - man_bits >= 42

  std::uint64_t kept = 0;
  bool above_half = false, exactly_half = false, inexact = true;
  std::uint32_t fraction32 = 0;  // dropped fraction as 0.32 fixed point (truncated)
  if (shift < 64) {
    kept = sig >> shift;
    const std::uint64_t rem = sig & ((std::uint64_t{1} << shift) - 1);
    const std::uint64_t half = std::uint64_t{1} << (shift - 1);
    above_half = rem > half;
    exactly_half = rem == half;
    inexact = rem != 0;
    fraction32 = static_cast<std::uint32_t>(rem >> (shift - 32));
  } else if (shift < 96) {
    fraction32 = static_cast<std::uint32_t>(sig >> (shift - 32));  // below half: kept = 0
  }

  bool away = false;
  switch (opt.rounding) {
    case Rounding::nearest_even: away = above_half || (exactly_half && (kept & 1u)); break;
    case Rounding::nearest_away: away = above_half || exactly_half; break;
    case Rounding::toward_zero: away = false; break;
    case Rounding::toward_pos_inf: away = inexact && !negative; break;
    case Rounding::toward_neg_inf: away = inexact && negative; break;
    case Rounding::stochastic:
      away = std::uint64_t{fraction32} + random_bits >= (std::uint64_t{1} << 32);
      break;
  }
  const std::uint64_t n = kept + (away ? 1u : 0u);
  if (n == 0) return detail::zero_code(s, negative);

  // Normal: code = ((binade + bias) << man) | (n - 2^man); subnormal: code = n.
  // Both are ((binade + bias - 1) << man) + n, which also carries a rounded-up
  // mantissa into the next binade.
  const std::int64_t magnitude =
      (static_cast<std::int64_t>(binade + s.bias - 1) << s.man_bits) + static_cast<std::int64_t>(n);
  if (magnitude > static_cast<std::int64_t>(s.max_magnitude_code())) {
    // IEEE 754 section 7.4: directed roundings overflow to max when they round toward it.
    const bool toward_max = opt.rounding == Rounding::toward_zero ||
                            (opt.rounding == Rounding::toward_pos_inf && negative) ||
                            (opt.rounding == Rounding::toward_neg_inf && !negative);
    if (opt.saturate_finite || toward_max) return detail::with_sign(s, negative, s.max_magnitude_code());
    return detail::infinity_code(s, negative);
  }
  return detail::with_sign(s, negative, static_cast<std::uint32_t>(magnitude));
}

template <Format F>
FP8C_HD_INLINE bool is_nan_code(std::uint32_t code) {
  constexpr FormatSpec s = format_spec(F);
  const std::uint32_t mag = code & s.magnitude_mask();
  switch (s.rule) {
    case SpecialRule::ieee: return (mag >> s.man_bits) == (1u << s.exp_bits) - 1u && (mag & ((1u << s.man_bits) - 1u)) != 0;
    case SpecialRule::fn: return mag == s.magnitude_mask();
    case SpecialRule::fnuz: return code == s.sign_bit();
    case SpecialRule::e8m0: return code == 0xFFu;
    case SpecialRule::finite: return false;
  }
  return false;
}

template <Format F>
FP8C_HD_INLINE bool is_inf_code(std::uint32_t code) {
  constexpr FormatSpec s = format_spec(F);
  return s.rule == SpecialRule::ieee && (code & s.magnitude_mask()) == s.max_magnitude_code() + 1u;
}

// Exact value of a code (every format here is a subset of double).
template <Format F>
FP8C_HD_INLINE double decode(std::uint32_t code) {
  constexpr FormatSpec s = format_spec(F);
  code &= (1u << s.bits) - 1u;
  if (is_nan_code<F>(code)) return detail::double_from_bits(0x7FF8000000000000ull);
  const bool negative = (code & s.sign_bit()) != 0;
  const std::uint64_t sign = negative ? (std::uint64_t{1} << 63) : 0;
  if (is_inf_code<F>(code)) return detail::double_from_bits(sign | 0x7FF0000000000000ull);
  const std::uint32_t mag = code & s.magnitude_mask();
  if (s.rule == SpecialRule::e8m0) {  // 2^(code - 127), a normal double
    return detail::double_from_bits(static_cast<std::uint64_t>(static_cast<int>(mag) - s.bias + 1023) << 52);
  }
  if (mag == 0) return detail::double_from_bits(sign);
  const std::uint32_t exp_field = mag >> s.man_bits;
  std::uint64_t n = mag & ((1u << s.man_bits) - 1u);
  int binade = s.emin();
  if (exp_field != 0) {
    n |= std::uint64_t{1} << s.man_bits;
    binade = static_cast<int>(exp_field) - s.bias;
  }
  // value = n * 2^(binade - man); normalise n into a double significand.
  const int lz = detail::count_leading_zeros64(n) - 11;  // puts the leading 1 at bit 52
  const int e = binade - s.man_bits + 52 - lz;          // exponent of the leading bit
  const std::uint64_t frac = (n << lz) & ((std::uint64_t{1} << 52) - 1);
  return detail::double_from_bits(sign | (static_cast<std::uint64_t>(e + 1023) << 52) | frac);
}

// Runtime-dispatched forms (host and device).
#define FP8C_FORMAT_DISPATCH(fmt, CALL)                   \
  switch (fmt) {                                          \
    case Format::e4m3fn: CALL(Format::e4m3fn);            \
    case Format::e5m2: CALL(Format::e5m2);                \
    case Format::e4m3fnuz: CALL(Format::e4m3fnuz);        \
    case Format::e5m2fnuz: CALL(Format::e5m2fnuz);        \
    case Format::e4m3b11fnuz: CALL(Format::e4m3b11fnuz);  \
    case Format::e4m3b15: CALL(Format::e4m3b15);          \
    case Format::e8m0fnu: CALL(Format::e8m0fnu);          \
    case Format::e2m1fn: CALL(Format::e2m1fn);            \
    case Format::e2m3fn: CALL(Format::e2m3fn);            \
    case Format::e3m2fn: CALL(Format::e3m2fn);            \
    case Format::bf16: CALL(Format::bf16);                \
    case Format::fp16: CALL(Format::fp16);                \
  }

FP8C_HD_INLINE std::uint32_t encode(Format f, double x, EncodeOptions opt, std::uint32_t random_bits = 0) {
#define FP8C_CALL(F) return encode<F>(x, opt, random_bits)
  FP8C_FORMAT_DISPATCH(f, FP8C_CALL)
#undef FP8C_CALL
  return 0;
}
FP8C_HD_INLINE std::uint32_t encode(Format f, double x) { return encode(f, x, default_encode_options(f)); }

FP8C_HD_INLINE double decode(Format f, std::uint32_t code) {
#define FP8C_CALL(F) return decode<F>(code)
  FP8C_FORMAT_DISPATCH(f, FP8C_CALL)
#undef FP8C_CALL
  return 0;
}
FP8C_HD_INLINE float decode_f32(Format f, std::uint32_t code) { return static_cast<float>(decode(f, code)); }

FP8C_HD_INLINE bool is_nan_code(Format f, std::uint32_t code) {
#define FP8C_CALL(F) return is_nan_code<F>(code)
  FP8C_FORMAT_DISPATCH(f, FP8C_CALL)
#undef FP8C_CALL
  return false;
}
FP8C_HD_INLINE bool is_inf_code(Format f, std::uint32_t code) {
#define FP8C_CALL(F) return is_inf_code<F>(code)
  FP8C_FORMAT_DISPATCH(f, FP8C_CALL)
#undef FP8C_CALL
  return false;
}

}  // namespace fp8check
