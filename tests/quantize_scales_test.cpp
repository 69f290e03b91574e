// Scale rules on hand-worked numbers: the OCP MX shared exponent (both rules), NVFP4's two
// levels, integer codes (MLC-LLM's offset binary), delayed scaling's amax history, the
// scale-policy options, and recipe names.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "harness/quantize/element_codec.hpp"
#include "harness/quantize/quantize.hpp"
#include "tests/quantize_test_support.hpp"

namespace fp8check {
namespace {

using test_support::expect_input_error;

// The e8m0 code of a 1x32 MX block whose amax is `amax`.
std::uint8_t mx_scale_code(Format element, double amax, MxScaleRule rule) {
  MatrixD x = MatrixD::Zero(1, 32);
  x(0, 5) = amax;
  x(0, 6) = -amax / 3;
  QuantizeOptions o;
  o.scale.mx_rule = rule;
  return quantize(x,
                  parse_recipe(element == Format::e4m3fn || element == Format::e5m2 ? "mxfp8"
                               : element == Format::e2m1fn                          ? "mxfp4"
                                                                                    : "mxfp6",
                               ElementType::of(element)),
                  o)
      .scales.code(0, 0);
}

TEST(MxScale, SharedExponentByTheOcpRuleAndTheRoundUpRule) {
  using R = MxScaleRule;
  struct Case {
    Format f;
    double amax;
    R rule;
    int code;  // 127 + exponent
  };
  const Case cases[] = {
      // OCP MX v1.0 section 6.3: X = 2^(floor(log2(amax)) - emax_elem).
      {Format::e4m3fn, 1.0, R::ocp_floor, 127 - 8},  // emax(e4m3fn) = 8 (448 = 1.75 * 2^8)
      {Format::e4m3fn, 448, R::ocp_floor, 127},
      {Format::e4m3fn, 500, R::ocp_floor, 127},  // 500 / 1 > 448: that element saturates
      {Format::e4m3fn, 511.9, R::ocp_floor, 127},
      {Format::e4m3fn, 512, R::ocp_floor, 128},
      {Format::e5m2, 1.0, R::ocp_floor, 127 - 15},   // emax(e5m2) = 15
      {Format::e2m3fn, 1.0, R::ocp_floor, 127 - 2},  // 7.5 = 1.875 * 2^2
      {Format::e3m2fn, 1.0, R::ocp_floor, 127 - 4},  // 28 = 1.75 * 2^4
      {Format::e2m1fn, 6.0, R::ocp_floor, 127},      // 6 = 1.5 * 2^2
      {Format::e2m1fn, 7.0, R::ocp_floor, 127},
      {Format::e2m1fn, 0.75, R::ocp_floor, 127 - 3},  // 0.75 / 2^-3 = 6
      {Format::e4m3fn, 0x1p-140, R::ocp_floor, 0},    // 2^-148 clamps to e8m0's 2^-127
      {Format::e4m3fn, 0x1p200, R::ocp_floor, 254},   // 2^192 clamps to 2^127
      // Round-up: X = 2^ceil(log2(amax / format_max)); no element saturates.
      {Format::e4m3fn, 448, R::round_up, 127},
      {Format::e4m3fn, 500, R::round_up, 128},
      {Format::e4m3fn, 1.0, R::round_up, 127 - 8},  // 1/448 in (2^-9, 2^-8]
      {Format::e2m1fn, 7.0, R::round_up, 128},
      {Format::e2m1fn, 6.0, R::round_up, 127},
      {Format::e2m1fn, 3.0, R::round_up, 126},
  };
  for (const Case& c : cases)
    EXPECT_EQ(mx_scale_code(c.f, c.amax, c.rule), c.code)
        << format_spec(c.f).name << " amax " << c.amax << " " << mx_scale_rule_name(c.rule);

  // What saturation means: e4m3fn amax 500 under the OCP rule stores 448 (code 0x7E).
  MatrixD x = MatrixD::Zero(1, 32);
  x(0, 0) = 500;
  const QuantizedMatrix q = quantize(x, parse_recipe("mxfp8"));
  EXPECT_EQ(q.codes(0, 0), 0x7E);
  EXPECT_EQ(q.scales.value(0, 0), 1.0f);
}

TEST(Nvfp4Scale, TwoLevels) {
  // Tensor scale g = amax / (448 * 6) (fp32); block scale = e4m3(block amax / (6 g));
  // element = e2m1(x / (block * g)).
  MatrixD x = MatrixD::Zero(1, 32);
  x(0, 0) = 2688;
  x(0, 16) = 3;
  QuantizedMatrix q = quantize(x, parse_recipe("nvfp4"));
  EXPECT_EQ(*q.tensor_scale, 1.0f);
  EXPECT_EQ(q.scales.code(0, 0), 0x7E);  // 448
  EXPECT_EQ(q.scales.code(0, 1), 0x30);  // 0.5
  EXPECT_EQ(q.codes(0, 0), 0x7);         // 6
  EXPECT_EQ(q.codes(0, 16), 0x7);

  // A tensor scale that is not a power of two.
  x = MatrixD::Zero(1, 32);
  x(0, 0) = 100;
  x(0, 16) = 1;
  x(0, 17) = 0.3;
  q = quantize(x, parse_recipe("nvfp4"));
  const float g = static_cast<float>(100.0 / 2688.0);
  EXPECT_EQ(*q.tensor_scale, g);
  const std::uint32_t b0 = encode(Format::e4m3fn, 100.0 / (6.0 * g));
  const std::uint32_t b1 = encode(Format::e4m3fn, 1.0 / (6.0 * g));
  EXPECT_EQ(q.scales.code(0, 0), b0);
  EXPECT_EQ(q.scales.code(0, 1), b1);
  EXPECT_EQ(q.scales.value(0, 1), static_cast<float>(decode(Format::e4m3fn, b1)));
  EXPECT_EQ(q.codes(0, 17), encode(Format::e2m1fn, 0.3 / (decode(Format::e4m3fn, b1) * g)));
  EXPECT_EQ(dequantize(q)(0, 17), decode(Format::e2m1fn, q.codes(0, 17)) * decode(Format::e4m3fn, b1) * g);

  // TE's "4over6" tensors use 256 as the E4M3 maximum: the largest block scale is 256.
  QuantizeOptions o;
  o.scale.nvfp4_scale_max = 256;
  EXPECT_EQ(decode(Format::e4m3fn, quantize(x, parse_recipe("nvfp4"), o).scales.code(0, 0)), 256.0);
}

TEST(IntegerCodes, OffsetBinaryWithFp16Scales) {
  // int4_g4: q = clamp(round(x / s), -7, 7), code = q + 7, s = fp16(amax / 7).
  MatrixD x(1, 8);
  x << 3.5, 1.2, -3.5, 0.25, 1.0, 0.75, -0.5, 0.0;
  const QuantizedMatrix q = quantize(x, parse_recipe("int4_g4"));
  EXPECT_EQ(q.scales.value(0, 0), 0.5f);
  const double s1 = decode(Format::fp16, encode(Format::fp16, 1.0 / 7.0));
  EXPECT_EQ(s1, 1170.0 / 8192);  // 1/7 to 10 bits
  EXPECT_EQ(q.scales.value(0, 1), static_cast<float>(s1));
  const std::vector<int> expected = {14, 9,  0, 7,   // 7, 2.4 -> 2, -7, 0.5 -> 0 (ties to even)
                                     14, 12, 3, 7};  // 7.0017 -> 7, 5.25 -> 5, -3.5009 -> -4, 0
  for (int j = 0; j < 8; ++j) EXPECT_EQ(q.codes(0, j), expected[static_cast<std::size_t>(j)]) << j;
  const MatrixD d = dequantize(q);
  EXPECT_EQ(d(0, 1), 1.0);
  EXPECT_EQ(d(0, 6), -4 * s1);

  QuantizeOptions away;
  away.scale.element_encode.rounding = Rounding::nearest_away;
  EXPECT_EQ(quantize(x, parse_recipe("int4_g4"), away).codes(0, 3), 8);  // 0.5 -> 1

  // int8: code = q + 127 in 0..254.
  MatrixD y(1, 4);
  y << 127, -127, 3, -0.0;
  const QuantizedMatrix q8 = quantize(y, parse_recipe("int8_g4"));
  EXPECT_EQ(q8.scales.value(0, 0), 1.0f);
  EXPECT_EQ(std::vector<std::uint8_t>(q8.codes.codes.begin(), q8.codes.codes.end()),
            (std::vector<std::uint8_t>{254, 0, 130, 127}));
  EXPECT_EQ(round_to_integer(-2.5, Rounding::nearest_even), -2);
  EXPECT_EQ(round_to_integer(-2.5, Rounding::toward_pos_inf), -2);
  EXPECT_EQ(round_to_integer(-2.25, Rounding::toward_neg_inf), -3);
  EXPECT_EQ(round_to_integer(2.75, Rounding::toward_zero), 2);
  EXPECT_EQ(round_to_integer(2.25, Rounding::stochastic, 0xC0000000u), 3);  // 0.25 + 0.75 reaches 1
  EXPECT_EQ(round_to_integer(2.25, Rounding::stochastic, 0xBFFFFFFFu), 2);
}

TEST(AmaxHistory, WindowMaxMostRecentAndUnusableAmaxes) {
  AmaxHistory max_history({3, AmaxCompute::max, 0});
  AmaxHistory recent({3, AmaxCompute::most_recent, 0});
  EXPECT_FALSE(max_history.scale_amax());  // TE's initial scale 1 is used until then
  const double steps[] = {1, 4, 2, 1, 1, 0, std::numeric_limits<double>::infinity()};
  const double inf = std::numeric_limits<double>::infinity();  // the largest scale (docs/recipes.md)
  const double expected_max[] = {1, 4, 4, 4, 2, 1, inf};     // window of 3
  const double expected_recent[] = {1, 4, 2, 1, 1, 1, inf};  // 0: keep previous
  for (int t = 0; t < 7; ++t) {
    max_history.record(steps[t]);
    recent.record(steps[t]);
    EXPECT_EQ(*max_history.scale_amax(), expected_max[t]) << "step " << t;
    EXPECT_EQ(*recent.scale_amax(), expected_recent[t]) << "step " << t;
  }
  EXPECT_EQ(max_history.window(), (std::vector<double>{1, 0, std::numeric_limits<double>::infinity()}));
  recent.record(std::numeric_limits<double>::quiet_NaN());  // NaN: keep previous
  EXPECT_EQ(*recent.scale_amax(), inf);
  recent.record(2);
  EXPECT_EQ(*recent.scale_amax(), 2);
  expect_input_error([] { AmaxHistory({0, AmaxCompute::max, 0}); }, {"history length 0", ">= 1"});
}

TEST(DelayedScaling, ScaleFromHistoryWithMargin) {
  const Recipe r = parse_recipe("delayed_max4_m2");
  EXPECT_EQ(r.delayed, (DelayedScaling{4, AmaxCompute::max, 2}));
  AmaxHistory history(r.delayed);
  MatrixD x(1, 2);
  x << 100, -50;
  QuantizeOptions o;
  o.history = &history;
  EXPECT_EQ(quantize(x, r, o).scales.value(0, 0), 1.0f);  // empty history: TE's initial scale
  history.record(100);
  const QuantizedMatrix q = quantize(x, r, o);
  EXPECT_EQ(q.scales.value(0, 0), static_cast<float>(400.0 / 448.0));  // amax * 2^margin / 448
  history.record(10);                                                  // the window's max is still 100
  EXPECT_EQ(quantize(x, r, o).scales.value(0, 0), q.scales.value(0, 0));

  expect_input_error([&] { quantize(x, r); }, {"delayed_max4_m2", "amax history"});
  AmaxHistory other({8, AmaxCompute::max, 2});
  o.history = &other;
  expect_input_error([&] { quantize(x, r, o); }, {"8 steps", "recipe's settings"});
  expect_input_error([&] { quantize(x, parse_recipe("tensor"), o); }, {"only to delayed"});
}

TEST(ScalePolicy, MeaningPow2FormatMaxAndStochasticRounding) {
  MatrixD x(1, 2);
  x << 1344, 1;
  QuantizeOptions quant;
  quant.scale.meaning = ScaleMeaning::quant;
  const QuantizedMatrix q = quantize(x, parse_recipe("tensor"), quant);
  const float third = static_cast<float>(1.0 / 3.0);
  EXPECT_EQ(q.scales.value(0, 0), third);  // q = 448 / 1344
  EXPECT_EQ(q.scales.meaning, ScaleMeaning::quant);
  EXPECT_EQ(dequantize(q)(0, 0), 448.0 / static_cast<double>(third));

  QuantizeOptions pow2;
  pow2.scale.pow2 = Pow2Scale::round_up;
  for (auto [amax, scale] : {std::pair{500.0, 2.0}, {448.0, 1.0}, {0.001, 0x1p-18}, {449.0, 2.0}}) {
    x << amax, amax / 2;
    EXPECT_EQ(quantize(x, parse_recipe("tensor"), pow2).scales.value(0, 0), scale) << amax;
  }

  x << 480, 1;
  EXPECT_EQ(quantize(x, parse_recipe("tensor", ElementType::of(Format::e4m3fnuz))).scales.value(0, 0), 2.0f);
  QuantizeOptions max240;
  max240.scale.format_max = 240;
  EXPECT_EQ(quantize(x, parse_recipe("tensor"), max240).scales.value(0, 0), 2.0f);

  x << 448, 1.0625;  // 1.0625 is halfway between e4m3fn's 1 and 1.125
  QuantizeOptions sr;
  sr.scale.element_encode.rounding = Rounding::stochastic;
  const std::vector<std::uint32_t> up = {0, 0x80000000u}, down = {0, 0x7FFFFFFFu};
  sr.random_bits = up;
  EXPECT_EQ(quantize(x, parse_recipe("tensor"), sr).codes(0, 1), 0x39);
  sr.random_bits = down;
  EXPECT_EQ(quantize(x, parse_recipe("tensor"), sr).codes(0, 1), 0x38);
  sr.random_bits = {};
  expect_input_error([&] { quantize(x, parse_recipe("tensor"), sr); }, {"random_bits", "2 (one per element)"});

  expect_input_error([&] { quantize(x, parse_recipe("mxfp8"), quant); }, {"mxfp8", "e8m0", "dequant"});
  expect_input_error([&] { quantize(x, parse_recipe("nvfp4"), pow2); }, {"nvfp4", "pow2 none"});
}

TEST(Recipe, NamesRoundTripAndOverridesAreChecked) {
  for (const char* name : {"tensor", "delayed", "delayed_recent16", "delayed_max4_m-2", "row", "col", "vec128", "vec32",
                           "blk128x128", "blk2x3", "mxfp8", "mxfp6", "mxfp4", "nvfp4", "int8_g128", "int4_g32"}) {
    const Recipe r = parse_recipe(name);
    EXPECT_EQ(r.name(), name);
    EXPECT_EQ(parse_recipe(r.name()), r);
  }
  EXPECT_EQ(
      parse_recipe("delayed"),
      (Recipe{
          ScalingScheme::delayed, ElementType::of(Format::e4m3fn), {0, 0}, DelayedScaling{1024, AmaxCompute::max, 0}}));
  EXPECT_EQ(parse_recipe("blk128x128").block, (BlockShape{128, 128}));
  EXPECT_EQ(parse_recipe("int4_g32").scale_type(), ScaleType::fp16);
  EXPECT_EQ(parse_recipe("vec128", std::nullopt, BlockShape{1, 64}).name(), "vec64");
  EXPECT_EQ(parse_recipe("blk128x128", std::nullopt, BlockShape{64, 32}).name(), "blk64x32");
  EXPECT_EQ(parse_recipe("int4_g32", std::nullopt, BlockShape{1, 128}).name(), "int4_g128");
  EXPECT_EQ(parse_recipe("mxfp8", ElementType::of(Format::e5m2)).element, ElementType::of(Format::e5m2));
  EXPECT_EQ(parse_recipe("vec128").description(), "vec128: 1x128 blocks, e4m3fn elements, fp32 scales");

  expect_input_error([] { parse_recipe("vec"); }, {"unknown recipe 'vec'", "blk<R>x<C>", "nvfp4"});
  expect_input_error([] { parse_recipe("blk128"); }, {"unknown recipe"});
  expect_input_error([] { parse_recipe("mxfp8", ElementType::of(Format::e2m1fn)); }, {"mxfp8", "8-bit MX element"});
  expect_input_error([] { parse_recipe("mxfp8", ElementType::of(Format::e4m3b15)); }, {"not an MX element"});
  expect_input_error([] { parse_recipe("int4_g32", ElementType::int8()); }, {"int4_g32", "does not take"});
  expect_input_error([] { parse_recipe("nvfp4", std::nullopt, BlockShape{1, 32}); }, {"nvfp4", "fixed"});
  expect_input_error([] { parse_recipe("int4_g32", std::nullopt, BlockShape{2, 32}); }, {"does not take block"});
  expect_input_error([] { parse_recipe("tensor", ElementType::of(Format::e8m0fnu)); }, {"e8m0fnu", "signed format"});
  expect_input_error([] { parse_recipe("tensor", ElementType::of(Format::bf16)); }, {"bf16", "at most 8 bits"});
  expect_input_error([] { parse_block_shape("128"); }, {"'128'", "RxC"});
  EXPECT_EQ(parse_block_shape("1x128"), (BlockShape{1, 128}));
}

}  // namespace
}  // namespace fp8check
