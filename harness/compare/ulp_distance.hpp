// ULP distance in a kernel's output type. Every value of the type is a point on a
// monotonic integer line, its "ordinal": the sign-magnitude code read as a signed
// integer (-magnitude for negative codes), so -0 and +0 are the same point 0, adjacent
// values differ by 1, and +-inf (where the type has them) sit one step beyond +-max.
// The distance of an output from an exact reference is
//     |ordinal(out) - ordinal(round(ref))|,
// i.e. how many representable steps the output is away from the correctly rounded
// reference. docs/statistics.md has the definition, the rounding used and the buckets.
// The ordinal functions are inline: they run once or twice per compared element.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "harness/compare/numeric_type.hpp"
#include "harness/core/convert.hpp"

namespace fp8check {
namespace detail {

constexpr std::int64_t signed_ordinal(bool negative, std::uint64_t magnitude) {
  return negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
}
inline std::int64_t code_ordinal(Format f, std::uint32_t code) {
  const FormatSpec s = format_spec(f);
  return signed_ordinal((code & s.sign_bit()) != 0, code & s.magnitude_mask());
}
inline std::int64_t float_ordinal(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return signed_ordinal((bits >> 31) != 0, bits & 0x7FFFFFFFu);
}
inline std::int64_t double_ordinal(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return signed_ordinal((bits >> 63) != 0, bits & 0x7FFFFFFFFFFFFFFFull);
}

// The per-format forms of ordinal() and rounded_ordinal() below, with the format known at
// compile time (the statistics' loops pick one per run of elements instead of per element).
template <Format F>
std::optional<std::int64_t> format_ordinal(double value) {
  // The exact codec finds the code; the value belongs to the format iff it decodes back.
  // Infinities are kept (not clamped to max), so only formats with inf accept them.
  const std::uint32_t code = encode<F>(value, EncodeOptions{Rounding::nearest_even, false, false});
  if (decode<F>(code) != value) return std::nullopt;  // also rejects a NaN code
  return code_ordinal(F, code);
}
template <Format F>
std::optional<std::int64_t> format_rounded_ordinal(double x) {
  const std::uint32_t code = encode<F>(x, default_encode_options(F));
  if (is_nan_code<F>(code)) return std::nullopt;  // unreachable: the defaults never give NaN for finite x
  return code_ordinal(F, code);
}

// The same two functions for the IEEE-rule formats (bf16, fp16) and *finite* input, in integer
// arithmetic on the double's bits: format_ordinal and format_rounded_ordinal specialised to
// round-to-nearest-even (the exact codec's encode<F> steps for that mode alone), so the
// statistics need no encode/decode per element. tests/ulp_distance_test.cpp compares them with
// the codec forms on every code's value, its neighbours, the midpoints and random doubles.
template <Format F>
std::optional<std::int64_t> ieee_value_ordinal(double finite_value) {
  constexpr FormatSpec s = format_spec(F);
  static_assert(s.rule == SpecialRule::ieee, "IEEE-rule formats only");
  const std::uint64_t bits = bits_of(finite_value);
  const bool negative = (bits >> 63) != 0;
  const int exp_field = static_cast<int>((bits >> 52) & 0x7FF);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  if (exp_field == 0 && fraction == 0) return 0;  // +-0
  if (exp_field == 0) return std::nullopt;         // a double subnormal: far below every 16-bit format
  const int e = exp_field - 1023;
  const std::uint64_t sig = fraction | std::uint64_t{1} << 52;
  const int binade = e < s.emin() ? s.emin() : e;
  const int shift = (binade - s.man_bits) - (e - 52);  // bits of sig below the format's quantum
  if (e > s.emin() + static_cast<int>(s.max_magnitude_code() >> s.man_bits) - 1 || shift > 52) return std::nullopt;
  if ((sig & ((std::uint64_t{1} << shift) - 1)) != 0) return std::nullopt;  // between two values
  const auto magnitude = (static_cast<std::int64_t>(binade + s.bias - 1) << s.man_bits) + static_cast<std::int64_t>(sig >> shift);
  return negative ? -magnitude : magnitude;
}
template <Format F>
std::int64_t ieee_rounded_ordinal(double finite_x) {
  constexpr FormatSpec s = format_spec(F);
  static_assert(s.rule == SpecialRule::ieee && default_encode_options(F).rounding == Rounding::nearest_even &&
                    !default_encode_options(F).saturate_finite,
                "formats whose default rounding is IEEE's (nearest even, overflow to inf): bf16, fp16");
  const std::uint64_t bits = bits_of(finite_x);
  const bool negative = (bits >> 63) != 0;
  const int exp_field = static_cast<int>((bits >> 52) & 0x7FF);
  if (exp_field == 0) return 0;  // +-0 and double subnormals: below half the smallest subnormal
  const int e = exp_field - 1023;
  const std::uint64_t sig = (bits & ((std::uint64_t{1} << 52) - 1)) | std::uint64_t{1} << 52;
  const int binade = e < s.emin() ? s.emin() : e;
  const int shift = (binade - s.man_bits) - (e - 52);  // >= 52 - man_bits
  if (shift > 53) return 0;                             // below half the smallest subnormal
  const std::uint64_t kept = sig >> shift, rem = sig & ((std::uint64_t{1} << shift) - 1);
  const std::uint64_t half = std::uint64_t{1} << (shift - 1);
  const std::uint64_t n = kept + ((rem > half || (rem == half && (kept & 1u))) ? 1u : 0u);
  std::int64_t magnitude = (static_cast<std::int64_t>(binade + s.bias - 1) << s.man_bits) + static_cast<std::int64_t>(n);
  if (magnitude > static_cast<std::int64_t>(s.max_magnitude_code()))  // overflows to inf, one step past max
    magnitude = static_cast<std::int64_t>(s.max_magnitude_code()) + 1;
  return negative ? -magnitude : magnitude;
}

inline std::optional<std::int64_t> fp32_ordinal(double value) {
  // Range check first: finite doubles beyond the largest float are not floats.
  if (std::isfinite(value) && std::fabs(value) > static_cast<double>(std::numeric_limits<float>::max()))
    return std::nullopt;
  const float narrowed = static_cast<float>(value);
  if (static_cast<double>(narrowed) != value) return std::nullopt;
  return float_ordinal(narrowed);
}
// IEEE 754 conversion in the default rounding mode (round to nearest even); beyond the
// largest float it rounds to +-inf ([conv.double]: inf is a float value).
inline std::int64_t fp32_rounded_ordinal(double x) { return float_ordinal(static_cast<float>(x)); }

}  // namespace detail

// Ordinal of `value` if it is a value of `type` (NaN is not; +-inf only where the type has
// infinities; -0 is accepted everywhere and is the point 0). nullopt otherwise, e.g. 0.3
// in bf16, or 450 in e4m3fn.
inline std::optional<std::int64_t> ordinal(const NumericType& type, double value) {
  if (std::isnan(value)) return std::nullopt;
  if (const Format* f = std::get_if<Format>(&type)) {
    if (std::isfinite(value) && *f == Format::bf16) return detail::ieee_value_ordinal<Format::bf16>(value);
    if (std::isfinite(value) && *f == Format::fp16) return detail::ieee_value_ordinal<Format::fp16>(value);
#define FP8C_CALL(F) return detail::format_ordinal<F>(value)
    FP8C_FORMAT_DISPATCH(*f, FP8C_CALL)
#undef FP8C_CALL
    return std::nullopt;  // not reached: every format has a case
  }
  if (std::get<IeeeFloat>(type) == IeeeFloat::fp64) return detail::double_ordinal(value);
  return detail::fp32_ordinal(value);
}

// Ordinal of finite x rounded to `type`: round-to-nearest-even with the codec's default
// overflow rule (default_encode_options: the 8-, 6- and 4-bit formats saturate to +-max,
// bf16 and fp16 overflow to +-inf), IEEE binary32 conversion for fp32 (overflow to
// +-inf), x itself for fp64. e8m0fnu, being unsigned, rounds |x|. nullopt for NaN, +-inf.
inline std::optional<std::int64_t> rounded_ordinal(const NumericType& type, double x) {
  if (!std::isfinite(x)) return std::nullopt;
  if (const Format* f = std::get_if<Format>(&type)) {
    if (*f == Format::bf16) return detail::ieee_rounded_ordinal<Format::bf16>(x);
    if (*f == Format::fp16) return detail::ieee_rounded_ordinal<Format::fp16>(x);
#define FP8C_CALL(F) return detail::format_rounded_ordinal<F>(x)
    FP8C_FORMAT_DISPATCH(*f, FP8C_CALL)
#undef FP8C_CALL
    return std::nullopt;  // not reached: every format has a case
  }
  if (std::get<IeeeFloat>(type) == IeeeFloat::fp64) return detail::double_ordinal(x);
  return detail::fp32_rounded_ordinal(x);
}

// |a - b| without overflow: ordinals span less than 2^64 points.
constexpr std::uint64_t ordinal_distance(std::int64_t a, std::int64_t b) {
  const auto ua = static_cast<std::uint64_t>(a), ub = static_cast<std::uint64_t>(b);
  return a >= b ? ua - ub : ub - ua;
}

// Histogram buckets of ULP distances, fixed so histograms compare across runs and types:
//   bucket 0: 0;  1: 1;  2: 2;  3: 3-4;  4: 5-8;  ...;  b: 2^(b-2)+1 .. 2^(b-1);  ...;
//   17: 32769-65536;  18: more than 65536 (= 2^16).
inline constexpr int kUlpBucketCount = 19;
inline constexpr std::uint64_t kUlpLastBoundedDistance = std::uint64_t{1} << (kUlpBucketCount - 3);

constexpr int ulp_bucket(std::uint64_t distance) {
  if (distance == 0) return 0;
  const int bucket = 1 + std::bit_width(distance - 1);  // 1 + ceil(log2(distance))
  return bucket < kUlpBucketCount ? bucket : kUlpBucketCount - 1;
}

// "0", "1", "2", "3-4", ..., "32769-65536", ">65536".
std::string ulp_bucket_label(int bucket);

using UlpHistogram = std::array<std::int64_t, kUlpBucketCount>;

}  // namespace fp8check
