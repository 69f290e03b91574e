// Bulk conversion (harness/core/convert_bulk.hpp): every path gives encode<F>/decode<F>'s bits.
// The avx2 kernels are checked here on structured and random inputs; over all 2^32 floats in
// convert_bulk_exhaustive_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "harness/core/convert_bulk.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_facts.hpp"
#include "harness/core/format_names.hpp"

#if defined(__x86_64__)
#include <xmmintrin.h>  // _mm_getcsr/_mm_setcsr for the MXCSR tests
#endif

namespace fp8check {
namespace {

constexpr Format kAvx2EncodeFormats[] = {Format::e4m3fn, Format::e5m2, Format::e4m3fnuz, Format::e5m2fnuz};
constexpr EncodeOptions kOverflowOptions[] = {{Rounding::nearest_even, true, true},
                                              {Rounding::nearest_even, true, false},
                                              {Rounding::nearest_even, false, true},
                                              {Rounding::nearest_even, false, false}};

#define SKIP_WITHOUT_AVX2() \
  if (!cpu_has_avx2()) GTEST_SKIP() << "this CPU lacks AVX2 or F16C: the avx2 path cannot run here"

std::string describe(Format f, EncodeOptions opt) {
  return std::string(format_spec(f).name) + " saturate_finite=" + std::to_string(opt.saturate_finite) +
         " clamp_inf=" + std::to_string(opt.clamp_inf) + " rounding=" + std::string(rounding_name(opt.rounding));
}

float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }

// splitmix64: a portable deterministic bit stream (no std distributions).
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

// Floats where rounding decisions happen for format f: every code's value, the midpoints
// between neighbouring codes (ties) and the floats on either side, the overflow threshold,
// zeros, infinities, NaNs of both signs and several payloads, float subnormals; then every
// float whose low 16 bits are one of a few patterns (all exponents, all top mantissa bits),
// and random bit patterns.
std::vector<float> structured_and_random_inputs(Format f, std::size_t random_count) {
  std::vector<float> v;
  const FormatSpec s = format_spec(f);
  auto add_with_neighbours = [&](float x) {
    for (float y : {x, std::nextafter(x, 0.0f), std::nextafter(x, std::numeric_limits<float>::infinity())}) {
      v.push_back(y);
      v.push_back(-y);
    }
  };
  std::vector<double> values;
  for (std::uint32_t code = 0; code <= s.magnitude_mask(); ++code) {
    if (!is_nan_code(f, code) && !is_inf_code(f, code)) values.push_back(decode(f, code));
  }
  std::sort(values.begin(), values.end());
  for (std::size_t i = 0; i < values.size(); ++i) {
    add_with_neighbours(static_cast<float>(values[i]));
    if (i + 1 < values.size()) add_with_neighbours(static_cast<float>((values[i] + values[i + 1]) / 2));
  }
  add_with_neighbours(static_cast<float>(format_facts(f).overflow_threshold));
  for (std::uint32_t b : {0x00000000u, 0x00000001u, 0x007FFFFFu, 0x00800000u, 0x7F7FFFFFu, 0x7F800000u,
                          0x7F800001u, 0x7FA00000u, 0x7FC00000u, 0x7FC00001u, 0x7FFFFFFFu}) {
    v.push_back(from_bits(b));
    v.push_back(from_bits(b | 0x80000000u));
  }
  for (std::uint32_t high = 0; high < 0x10000u; ++high) {
    for (std::uint32_t low : {0x0000u, 0x0001u, 0x7FFFu, 0x8000u, 0x8001u, 0xFFFFu}) v.push_back(from_bits(high << 16 | low));
  }
  SplitMix64 rng{0x5EED0000u + static_cast<std::uint64_t>(f)};
  for (std::size_t i = 0; i < random_count; ++i) v.push_back(from_bits(static_cast<std::uint32_t>(rng.next())));
  return v;
}

// Checks out[i] == encode<F>(in[i]) and reports the first few differences.
void expect_encoded(Format f, EncodeOptions opt, std::span<const float> in, std::span<const std::uint8_t> out,
                    const std::string& what, std::span<const std::uint32_t> random_bits = {}) {
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::uint32_t expected = encode(f, static_cast<double>(in[i]), opt, random_bits.empty() ? 0 : random_bits[i]);
    if (out[i] != expected && ++mismatches <= 5) {
      ADD_FAILURE() << what << " " << describe(f, opt) << ": input 0x" << std::hex << std::bit_cast<std::uint32_t>(in[i])
                    << " (" << in[i] << ") gave 0x" << int(out[i]) << ", encode<F> gives 0x" << expected;
    }
  }
  EXPECT_EQ(mismatches, 0u) << what << " " << describe(f, opt) << " over " << in.size() << " inputs";
}

TEST(ConvertBulk, Avx2EncodeMatchesScalarOnStructuredAndRandomInputs) {
  SKIP_WITHOUT_AVX2();
  for (Format f : kAvx2EncodeFormats) {
    const std::vector<float> in = structured_and_random_inputs(f, 2'000'000);
    for (EncodeOptions opt : kOverflowOptions) {
      ASSERT_TRUE(detail::avx2_encode_covers(f, opt)) << describe(f, opt);
      std::vector<std::uint8_t> avx2(in.size()), scalar(in.size());
      detail::encode_array_on(SimdPath::avx2, f, in, avx2, opt);
      detail::encode_array_on(SimdPath::scalar, f, in, scalar, opt);
      expect_encoded(f, opt, in, scalar, "scalar");
      expect_encoded(f, opt, in, avx2, "avx2");
    }
  }
}

// Work the kernels do not cover (other formats, other roundings) takes the scalar path.
TEST(ConvertBulk, EveryByteFormatAndRoundingMatchesEncodeOnBothPaths) {
  std::vector<SimdPath> paths{SimdPath::scalar};
  if (cpu_has_avx2()) paths.push_back(SimdPath::avx2);
  for (Format f : kAllFormats) {
    if (format_spec(f).bits > 8) continue;
    const std::vector<float> in = structured_and_random_inputs(f, 20'000);
    for (Rounding r : {Rounding::nearest_even, Rounding::toward_zero, Rounding::toward_pos_inf,
                       Rounding::toward_neg_inf, Rounding::nearest_away, Rounding::stochastic}) {
      std::vector<std::uint32_t> random_bits;
      SplitMix64 rng{42};
      if (r == Rounding::stochastic) {
        for (std::size_t i = 0; i < in.size(); ++i) random_bits.push_back(static_cast<std::uint32_t>(rng.next()));
      }
      for (const EncodeOptions opt : {EncodeOptions{r, true, true}, EncodeOptions{r, false, false}}) {
        for (SimdPath path : paths) {
          std::vector<std::uint8_t> out(in.size());
          detail::encode_array_on(path, f, in, out, opt, random_bits);
          expect_encoded(f, opt, in, out, std::string(simd_path_name(path)), random_bits);
        }
      }
    }
  }
}

TEST(ConvertBulk, DoubleInputMatchesEncode) {
  const std::vector<double> in{0.0, -0.0, 1.0 / 3, 448.0, 464.0, 464.0000001, -1e300, 1e-300,
                               std::numeric_limits<double>::infinity(), std::nan("")};
  for (EncodeOptions opt : kOverflowOptions) {
    std::vector<std::uint8_t> out(in.size());
    encode_array(Format::e4m3fn, in, out, opt);
    for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], encode<Format::e4m3fn>(in[i], opt)) << in[i];
  }
}

// Every decoded float, with NaN as the canonical 0x7FC00000.
std::uint32_t expected_decoded_bits(Format f, std::uint32_t code) {
  const double v = decode(f, code);
  return std::isnan(v) ? 0x7FC00000u : std::bit_cast<std::uint32_t>(static_cast<float>(v));
}

TEST(ConvertBulk, DecodeEveryCodeOnBothPaths) {
  std::vector<SimdPath> paths{SimdPath::scalar};
  if (cpu_has_avx2()) paths.push_back(SimdPath::avx2);
  std::vector<std::uint8_t> codes(256);
  for (int i = 0; i < 256; ++i) codes[i] = static_cast<std::uint8_t>(i);
  for (Format f : kAllFormats) {
    if (format_spec(f).bits > 8) continue;
    for (SimdPath path : paths) {
      std::vector<float> out(256);
      detail::decode_array_on(path, f, codes, out);
      for (std::uint32_t code = 0; code < 256; ++code) {
        EXPECT_EQ(std::bit_cast<std::uint32_t>(out[code]), expected_decoded_bits(f, code))
            << format_spec(f).name << " " << simd_path_name(path) << " code 0x" << std::hex << code;
        if (is_nan_code(f, code & ((1u << format_spec(f).bits) - 1))) {
          EXPECT_EQ(std::bit_cast<std::uint32_t>(out[code]), 0x7FC00000u) << "NaN is canonical, whatever its sign";
        }
      }
    }
  }
}

// Lengths 0..130 (every mix of the kernels' 64-element unrolled loops, single steps and
// tails), at unaligned offsets: every element is converted, and nothing outside the output
// span is written.
TEST(ConvertBulk, TailsAndOffsetsWriteExactlyTheOutputSpan) {
  SKIP_WITHOUT_AVX2();
  const std::vector<float> pool = structured_and_random_inputs(Format::e4m3fn, 0);
  constexpr std::uint8_t kGuardByte = 0xA5;
  constexpr std::uint32_t kGuardFloat = 0x7F812345u;  // a NaN no decode produces
  for (Format f : {Format::e4m3fn, Format::e5m2fnuz, Format::e8m0fnu}) {
    for (std::size_t n = 0; n <= 130; ++n) {
      for (std::size_t offset : {0, 1, 3}) {
        const std::span<const float> in(pool.data() + (7919 * n) % (pool.size() - 140) + offset, n);
        std::vector<std::uint8_t> encoded(n + 64, kGuardByte);
        detail::encode_array_on(SimdPath::avx2, f, in, std::span(encoded).subspan(offset, n), {});
        for (std::size_t i = 0; i < encoded.size(); ++i) {
          if (i < offset || i >= offset + n) {
            ASSERT_EQ(encoded[i], kGuardByte) << "n=" << n << " i=" << i;
          }
        }
        expect_encoded(f, {}, in, std::span(encoded).subspan(offset, n), "avx2 tail n=" + std::to_string(n));

        std::vector<float> decoded(n + 64, from_bits(kGuardFloat));
        const std::span<const std::uint8_t> codes(encoded.data() + offset, n);
        detail::decode_array_on(SimdPath::avx2, f, codes, std::span(decoded).subspan(offset, n));
        for (std::size_t i = 0; i < decoded.size(); ++i) {
          const std::uint32_t got = std::bit_cast<std::uint32_t>(decoded[i]);
          if (i < offset || i >= offset + n) {
            ASSERT_EQ(got, kGuardFloat) << "n=" << n << " i=" << i;
          } else {
            ASSERT_EQ(got, expected_decoded_bits(f, codes[i - offset])) << "n=" << n << " i=" << i;
          }
        }
      }
    }
  }
}

TEST(ConvertBulk, StochasticRoundingUsesTheGivenBits) {
  const std::vector<float> in(1000, 1.0f + 1.0f / 32);  // a quarter of the way from 1 to 1.125
  std::vector<std::uint32_t> random_bits(in.size());
  SplitMix64 rng{7};
  for (auto& r : random_bits) r = static_cast<std::uint32_t>(rng.next());
  std::vector<std::uint8_t> out(in.size());
  encode_array(Format::e4m3fn, in, out, {Rounding::stochastic, true, true}, random_bits);
  expect_encoded(Format::e4m3fn, {Rounding::stochastic, true, true}, in, out, "stochastic", random_bits);
  const auto rounded_up = std::count(out.begin(), out.end(), 0x39);
  EXPECT_GT(rounded_up, 150);  // P(up) = 1/4: both outcomes occur, driven by the bits
  EXPECT_LT(rounded_up, 350);
}

template <typename Call>
void expect_input_error(Call call, const std::string& message_part) {
  try {
    call();
    ADD_FAILURE() << "no InputError; expected one mentioning \"" << message_part << "\"";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
  }
}

TEST(ConvertBulk, BadArgumentsAreInputErrors) {
  std::vector<float> f3(3), f4(4);
  std::vector<double> d3(3);
  std::vector<std::uint8_t> b3(3), b4(4);
  std::vector<std::uint32_t> r3(3), r4(4);
  const EncodeOptions rne{};
  const EncodeOptions stochastic{Rounding::stochastic, true, true};
  expect_input_error([&] { encode_array(Format::e4m3fn, f3, b4, rne); }, "must be equal");
  expect_input_error([&] { encode_array(Format::e4m3fn, d3, b4, rne); }, "must be equal");
  expect_input_error([&] { decode_array(Format::e5m2, b3, f4); }, "must be equal");
  expect_input_error([&] { encode_array(Format::e4m3fn, f3, b3, stochastic); }, "one per element");
  expect_input_error([&] { encode_array(Format::e4m3fn, f3, b3, stochastic, r4); }, "one per element");
  expect_input_error([&] { encode_array(Format::e4m3fn, f3, b3, rne, r3); }, "only with Rounding::stochastic");
  expect_input_error([&] { encode_array(Format::bf16, f3, b3, rne); }, "accepted formats: e4m3fn");
  expect_input_error([&] { decode_array(Format::fp16, b3, f3); }, "accepted formats: e4m3fn");
  for (SimdPath path : {SimdPath::scalar, SimdPath::avx2}) {
    if (path == SimdPath::avx2 && !cpu_has_avx2()) continue;
    expect_input_error([&] { detail::encode_array_on(path, Format::e4m3fn, f4, b3, rne); }, "must be equal");
    expect_input_error([&] { detail::decode_array_on(path, Format::e4m3fn, b4, f3); }, "must be equal");
  }
  if (!cpu_has_avx2()) {
    expect_input_error([&] { detail::encode_array_on(SimdPath::avx2, Format::e4m3fn, f3, b3, rne); }, "accepted: scalar");
  }
}

TEST(ConvertBulk, PathSelection) {
  EXPECT_EQ(select_simd_path(nullptr, true), SimdPath::avx2);
  EXPECT_EQ(select_simd_path(nullptr, false), SimdPath::scalar);
  EXPECT_EQ(select_simd_path("auto", true), SimdPath::avx2);
  EXPECT_EQ(select_simd_path("scalar", true), SimdPath::scalar);
  EXPECT_EQ(select_simd_path("avx2", true), SimdPath::avx2);
  expect_input_error([] { select_simd_path("avx2", false); }, "lacks AVX2");
  expect_input_error([] { select_simd_path("sse9", true); }, "accepted: scalar, avx2, auto");
  EXPECT_EQ(active_simd_path(), select_simd_path(std::getenv("FP8CHECK_SIMD"), cpu_has_avx2()));
}

#if defined(__x86_64__)
// Sets MXCSR bits for one scope (gtest runs each test in its own process under ctest).
class ScopedMxcsr {
 public:
  explicit ScopedMxcsr(unsigned set_bits) : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | set_bits); }
  ~ScopedMxcsr() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
};

// The avx2 encoder rounds subnormal results with a float add, so under round-toward-zero
// it would truncate; the call must take the (integer-only) scalar path instead.
TEST(ConvertBulk, NonDefaultRoundingModeStillGivesExactBits) {
  SKIP_WITHOUT_AVX2();
  const std::vector<float> in = structured_and_random_inputs(Format::e4m3fn, 100'000);
  std::vector<std::uint8_t> out(in.size());
  {
    const ScopedMxcsr toward_zero(0x6000);
    EXPECT_FALSE(detail::avx2_fp_environment_is_default());
    detail::encode_array_on(SimdPath::avx2, Format::e4m3fn, in, out, {});
  }
  expect_encoded(Format::e4m3fn, {}, in, out, "avx2 under MXCSR round-toward-zero");
}

// Under FTZ and DAZ a float-unit conversion would flush subnormals; both paths stay exact
// (e8m0 code 0 is the float subnormal 2^-127; e5m2fnuz codes 0x01..0x03 are subnormals;
// toward +inf, a float subnormal input rounds up to the smallest code).
TEST(ConvertBulk, FlushToZeroAndDenormalsAreZeroStillGiveExactBits) {
  std::vector<SimdPath> paths{SimdPath::scalar};
  if (cpu_has_avx2()) paths.push_back(SimdPath::avx2);
  const std::vector<std::uint8_t> codes{0x00, 0x01, 0x03, 0x80, 0x83, 0xFF};
  const std::vector<float> tiny{from_bits(0x00000001u), from_bits(0x80000001u)};
  const EncodeOptions up{Rounding::toward_pos_inf, true, true};
  const std::vector<std::uint8_t> expected_up{static_cast<std::uint8_t>(encode<Format::e4m3fn>(0x1p-149, up)),
                                              static_cast<std::uint8_t>(encode<Format::e4m3fn>(-0x1p-149, up))};
  ASSERT_EQ(expected_up[0], 0x01);
  for (SimdPath path : paths) {
    for (Format f : {Format::e8m0fnu, Format::e5m2fnuz}) {
      std::vector<float> decoded(codes.size());
      {
        const ScopedMxcsr ftz_daz(0x8040);
        detail::decode_array_on(path, f, codes, decoded);
      }
      for (std::size_t i = 0; i < codes.size(); ++i) {
        EXPECT_EQ(std::bit_cast<std::uint32_t>(decoded[i]), expected_decoded_bits(f, codes[i]))
            << format_spec(f).name << " " << simd_path_name(path) << " code " << int(codes[i]);
      }
    }
    std::vector<std::uint8_t> encoded(tiny.size());
    {
      const ScopedMxcsr ftz_daz(0x8040);
      detail::encode_array_on(path, Format::e4m3fn, tiny, encoded, up);
    }
    EXPECT_EQ(encoded, expected_up) << simd_path_name(path);
  }
}
#endif

}  // namespace
}  // namespace fp8check
