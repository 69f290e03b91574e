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

}  // namespace detail

// Ordinal of `value` if it is a value of `type` (NaN is not; +-inf only where the type has
// infinities; -0 is accepted everywhere and is the point 0). nullopt otherwise, e.g. 0.3
// in bf16, or 450 in e4m3fn.
inline std::optional<std::int64_t> ordinal(const NumericType& type, double value) {
  if (std::isnan(value)) return std::nullopt;
  if (const Format* f = std::get_if<Format>(&type)) {
    // The exact codec finds the code; the value belongs to the format iff it decodes back.
    // Infinities are kept (not clamped to max), so only formats with inf accept them.
    const std::uint32_t code = encode(*f, value, EncodeOptions{Rounding::nearest_even, false, false});
    if (decode(*f, code) != value) return std::nullopt;  // also rejects a NaN code
    return detail::code_ordinal(*f, code);
  }
  if (std::get<IeeeFloat>(type) == IeeeFloat::fp64) return detail::double_ordinal(value);
  // Range check first: finite doubles beyond the largest float are not floats.
  if (std::isfinite(value) && std::fabs(value) > static_cast<double>(std::numeric_limits<float>::max()))
    return std::nullopt;
  const float narrowed = static_cast<float>(value);
  if (static_cast<double>(narrowed) != value) return std::nullopt;
  return detail::float_ordinal(narrowed);
}

// Ordinal of finite x rounded to `type`: round-to-nearest-even with the codec's default
// overflow rule (default_encode_options: the 8-, 6- and 4-bit formats saturate to +-max,
// bf16 and fp16 overflow to +-inf), IEEE binary32 conversion for fp32 (overflow to
// +-inf), x itself for fp64. e8m0fnu, being unsigned, rounds |x|. nullopt for NaN, +-inf.
inline std::optional<std::int64_t> rounded_ordinal(const NumericType& type, double x) {
  if (!std::isfinite(x)) return std::nullopt;
  if (const Format* f = std::get_if<Format>(&type)) {
    const std::uint32_t code = encode(*f, x, default_encode_options(*f));
    if (is_nan_code(*f, code)) return std::nullopt;  // unreachable: the defaults never give NaN for finite x
    return detail::code_ordinal(*f, code);
  }
  if (std::get<IeeeFloat>(type) == IeeeFloat::fp64) return detail::double_ordinal(x);
  // IEEE 754 conversion in the default rounding mode (round to nearest even); beyond
  // the largest float it rounds to +-inf ([conv.double]: inf is a float value).
  return detail::float_ordinal(static_cast<float>(x));
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
