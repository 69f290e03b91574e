// Unit tests of the format table and the scalar codec's documented choices.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check {
namespace {

TEST(Formats, EveryCodeRoundTripsExactly) {
  for (Format f : kAllFormats) {
    const FormatSpec s = format_spec(f);
    for (std::uint32_t code = 0; code < s.code_count(); ++code) {
      const double v = decode(f, code);
      if (std::isnan(v)) {
        EXPECT_TRUE(is_nan_code(f, code));
        continue;
      }
      const std::uint32_t back = encode(f, v, {Rounding::nearest_even, false, false});
      EXPECT_EQ(back, code) << s.name << " code " << code << " value " << v;
    }
  }
}

TEST(Formats, NamesAndAliasesParse) {
  for (Format f : kAllFormats) EXPECT_EQ(parse_format(format_name(f)), f);
  EXPECT_EQ(parse_format("float8_e4m3fn"), Format::e4m3fn);
  EXPECT_EQ(parse_format("fp8e4nv"), Format::e4m3fn);
  EXPECT_EQ(parse_format("fp8e4b15"), Format::e4m3b15);
  EXPECT_THROW(parse_format("e4m3x"), InputError);
  try {
    parse_format("fp9");
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("e4m3fn, e5m2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(parse_rounding("rz"), Rounding::toward_zero);
  EXPECT_THROW(parse_rounding("floor"), InputError);
}

TEST(Formats, DefaultsFollowCudaSatfinite) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(encode(Format::e4m3fn, 1e9), 0x7Eu);
  EXPECT_EQ(encode(Format::e4m3fn, -inf), 0xFEu);
  EXPECT_EQ(encode(Format::e5m2, inf), 0x7Bu);
  EXPECT_EQ(encode(Format::e4m3fn, std::nan("")), 0x7Fu);
  // bf16/fp16 default to the plain IEEE conversion: overflow -> inf.
  EXPECT_EQ(encode(Format::fp16, 1e9), 0x7C00u);
  EXPECT_EQ(encode(Format::bf16, -inf), 0xFF80u);
}

TEST(Formats, OverflowSettingsAreIndependent) {
  const double inf = std::numeric_limits<double>::infinity();
  const EncodeOptions mldt_saturating{Rounding::nearest_even, true, false};
  EXPECT_EQ(encode(Format::e4m3fn, 1e9, mldt_saturating), 0x7Eu);  // finite saturates
  EXPECT_EQ(encode(Format::e4m3fn, inf, mldt_saturating), 0x7Fu);  // inf stays "inf" = NaN
  EXPECT_EQ(encode(Format::e5m2, inf, mldt_saturating), 0x7Cu);
  const EncodeOptions native{Rounding::nearest_even, false, false};
  EXPECT_EQ(encode(Format::e4m3fn, 465.0, native), 0x7Fu);   // NaN: no inf in e4m3fn
  EXPECT_EQ(encode(Format::e4m3fn, 464.0, native), 0x7Eu);   // the tie goes to even 448
  EXPECT_EQ(encode(Format::e5m2, 61440.0, native), 0x7Cu);   // tie goes to even 2^16: inf
  EXPECT_EQ(encode(Format::e4m3fnuz, 248.0, native), 0x80u); // tie goes to 256: the fnuz NaN
  // IEEE 754 s.7.4: directed roundings overflow to max when rounding toward it.
  EXPECT_EQ(encode(Format::e4m3fn, 1e9, {Rounding::toward_zero, false, false}), 0x7Eu);
  EXPECT_EQ(encode(Format::e4m3fn, -1e9, {Rounding::toward_pos_inf, false, false}), 0xFEu);
  EXPECT_EQ(encode(Format::e4m3fn, 1e9, {Rounding::toward_pos_inf, false, false}), 0x7Fu);
}

TEST(Formats, E8m0Rules) {
  const Format f = Format::e8m0fnu;
  EXPECT_EQ(encode(f, 1.0), 127u);
  EXPECT_EQ(encode(f, 0.0), 0u);       // no zero: the smallest scale 2^-127
  EXPECT_EQ(encode(f, -4.0), 129u);    // sign ignored, as CUDA's __nv_cvt_float_to_e8m0
  EXPECT_EQ(encode(f, std::ldexp(1.0, -140), {Rounding::toward_zero, true, true}), 0u);
  EXPECT_EQ(encode(f, std::ldexp(1.0, -140), {Rounding::toward_pos_inf, true, true}), 0u);
  EXPECT_EQ(encode(f, 3.0, {Rounding::toward_pos_inf, true, true}), 129u);
  EXPECT_EQ(encode(f, 3.0, {Rounding::toward_zero, true, true}), 128u);
  // With no mantissa bits the kept significand is always odd, so ties-to-even and
  // ties-away agree: 1.5 * 2^k rounds up to 2^(k+1) (as ml_dtypes and APFloat do).
  for (int k = -120; k < 120; k += 7) {
    const double tie = 1.5 * std::ldexp(1.0, k);
    EXPECT_EQ(encode(f, tie, {Rounding::nearest_even, true, true}), static_cast<std::uint32_t>(k + 128));
    EXPECT_EQ(encode(f, tie, {Rounding::nearest_away, true, true}), static_cast<std::uint32_t>(k + 128));
  }
  EXPECT_TRUE(std::isnan(decode(f, 0xFF)));
  EXPECT_EQ(decode(f, 0), std::ldexp(1.0, -127));
}

TEST(Formats, FnuzHasNoNegativeZero) {
  for (Format f : {Format::e4m3fnuz, Format::e5m2fnuz, Format::e4m3b11fnuz}) {
    EXPECT_EQ(encode(f, -0.0), 0u);
    EXPECT_EQ(encode(f, -1e-30), 0u);  // underflow of a negative value is +0, not the NaN 0x80
    EXPECT_TRUE(std::isnan(decode(f, 0x80)));
  }
}

TEST(Formats, DoubleInputRoundsOnce) {
  // 1 + 2^-4 + 2^-40 is just above the e4m3 tie 1.0625 between 1.0 and 1.125: a double
  // rounded to float first would lose the 2^-40 and tie to even (1.0).
  const double x = 1.0 + std::ldexp(1.0, -4) + std::ldexp(1.0, -40);
  EXPECT_EQ(encode(Format::e4m3fn, x), 0x39u);                      // 1.125
  EXPECT_EQ(encode(Format::e4m3fn, static_cast<float>(x)), 0x38u);  // 1.0
}

}  // namespace
}  // namespace fp8check
