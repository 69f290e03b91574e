// Quantization conventions (harness/quantize/quant_convention.hpp): names and checks,
// and every convention against a literal reimplementation of its library's formula
// (tests/quantize_convention_support.hpp) on inputs built to land on rounding ties and
// near-ties, on special values and on keyed random data. Bit for bit: codes and scales.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"
#include "harness/quantize/element_codec.hpp"
#include "harness/quantize/quantize.hpp"
#include "tests/quantize_convention_support.hpp"
#include "tests/quantize_test_support.hpp"

namespace fp8check {
namespace {

using conventions_test::Assembled;
using conventions_test::GroupResult;
using test_support::expect_input_error;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfD = std::numeric_limits<double>::infinity();

TEST(QuantConvention, NamesParseBackAndUnknownNamesAreListed) {
  for (ConventionId id : all_conventions()) {
    const QuantConvention c = parse_quant_convention(convention_name(id));
    EXPECT_EQ(c.id, id);
    EXPECT_FALSE(c.amax_floor.has_value());
  }
  EXPECT_EQ(all_conventions().size(), 9u);
  expect_input_error([] { parse_quant_convention("DeepGEMM"); },
                     {"unknown quantization convention 'DeepGEMM'", "exact", "deepgemm", "transformer-engine", "vllm",
                      "vllm-triton", "mul-reciprocal-fp32", "mul-inverse-scale-fp32", "div-fp32"});
  EXPECT_EQ(default_amax_floor(ConventionId::deepgemm), 1e-4);
  EXPECT_EQ(default_amax_floor(ConventionId::vllm), 1e-10);
  EXPECT_EQ(default_amax_floor(ConventionId::exact), 0);
  EXPECT_EQ(default_amax_floor(ConventionId::transformer_engine), 0);
  EXPECT_EQ(describe(QuantConvention{}), "exact");
  EXPECT_EQ(describe(QuantConvention{ConventionId::deepgemm, std::nullopt}), "deepgemm (amax floor 0.0001)");
  EXPECT_EQ(describe(QuantConvention{ConventionId::div_fp32, 1e-6}), "div-fp32 (amax floor 1e-06)");
  for (ConventionId id : all_conventions()) {
    const bool library = id == ConventionId::deepgemm || id == ConventionId::deepgemm_legacy ||
                         id == ConventionId::transformer_engine || id == ConventionId::vllm ||
                         id == ConventionId::vllm_triton;
    EXPECT_EQ(!convention_source(id).empty(), library) << convention_name(id);
  }
}

TEST(QuantConvention, CheckNamesWhatDoesNotFit) {
  ScalePolicy p;
  p.convention = parse_quant_convention("deepgemm");
  for (const char* r : {"mxfp8", "mxfp4", "nvfp4", "int4_g32"})
    expect_input_error([&] { check_convention(parse_recipe(r), p); },
                       {"convention deepgemm applies to fp32 scales", r, "expected convention exact"});
  for (const char* r : {"tensor", "delayed", "row", "col", "vec128", "blk128x128"})
    EXPECT_NO_THROW(check_convention(parse_recipe(r), p)) << r;
  p.convention.amax_floor = -1;
  expect_input_error([&] { check_convention(parse_recipe("vec128"), p); }, {"amax floor", "finite value >= 0"});
  p.convention.amax_floor = kNaN;
  expect_input_error([&] { check_convention(parse_recipe("vec128"), p); }, {"amax floor"});
  p.convention = parse_quant_convention("transformer-engine");
  p.zero_block = ZeroBlockScale::smallest;
  expect_input_error([&] { check_convention(parse_recipe("tensor"), p); }, {"transformer-engine", "zero-block scale one"});
  // quantize() checks it too, before anything is computed.
  QuantizeOptions o;
  o.scale.convention = parse_quant_convention("vllm");
  expect_input_error([&] { (void)quantize(MatrixD::Ones(2, 32), parse_recipe("mxfp8"), o); },
                     {"convention vllm applies to fp32 scales"});
}

// ---- bit-for-bit against the literal formulas --------------------------------------

struct Case {
  std::string convention;
  std::function<GroupResult(const std::vector<float>&)> literal;
  bool pow2 = false;
  ScaleMeaning meaning = ScaleMeaning::dequant;
};

bool same_code(Format f, std::uint8_t a, std::uint8_t b) { return a == b || (is_nan_code(f, a) && is_nan_code(f, b)); }
bool same_scale(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

// Quantizes x with the convention and compares every code and scale with the literal
// formula run over the same blocks; names the first difference.
::testing::AssertionResult matches_literal(const MatrixD& x, const char* recipe, Format f, const Case& c) {
  const Recipe r = parse_recipe(recipe, ElementType::of(f));
  QuantizeOptions o;
  o.scale.convention = parse_quant_convention(c.convention);
  o.scale.pow2 = c.pow2 ? Pow2Scale::round_up : Pow2Scale::none;
  o.scale.meaning = c.meaning;
  const QuantizedMatrix q = quantize(x, r, o);
  const ScaleLayout& l = q.scales.layout;
  const Assembled want = conventions_test::by_blocks(x, l.block.rows, l.block.cols, c.literal);
  std::int64_t codes = 0, scales = 0;
  std::string first;
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (std::int64_t j = 0; j < x.cols(); ++j) {
      const std::uint8_t w = want.codes[static_cast<std::size_t>(i * x.cols() + j)];
      if (same_code(f, q.codes(i, j), w)) continue;
      if (codes++ == 0)
        first += " first code (" + std::to_string(i) + ", " + std::to_string(j) + "): x " +
                 std::to_string(x(i, j)) + " got " + std::to_string(q.codes(i, j)) + " want " + std::to_string(w);
    }
  for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
    for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
      const float w = want.scales[static_cast<std::size_t>(gi * l.grid_cols + gj)];
      if (same_scale(q.scales.value(gi, gj), w)) continue;
      if (scales++ == 0)
        first += " first scale (" + std::to_string(gi) + ", " + std::to_string(gj) + "): got " +
                 std::to_string(q.scales.value(gi, gj)) + " want " + std::to_string(w);
    }
  if (codes == 0 && scales == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << c.convention << " on " << recipe << ": " << codes << " codes, " << scales
                                       << " scales differ;" << first;
}

std::vector<Case> cases(Format f) {
  namespace lit = conventions_test;
  const float fmax = static_cast<float>(decode(f, format_spec(f).max_magnitude_code()));
  return {
      {"exact", [=](const auto& g) { return lit::exact(g, f, fmax); }},
      {"deepgemm", [=](const auto& g) { return lit::deepgemm(g, f, fmax, false); }},
      {"deepgemm", [=](const auto& g) { return lit::deepgemm(g, f, fmax, true); }, true},
      {"deepgemm-legacy", [=](const auto& g) { return lit::deepgemm_legacy(g, f, fmax); }},
      {"transformer-engine", [=](const auto& g) { return lit::transformer_engine(g, f, fmax, false); }},
      {"transformer-engine", [=](const auto& g) { return lit::transformer_engine(g, f, fmax, true); }, true},
      {"vllm", [=](const auto& g) { return lit::vllm(g, f, fmax, false); }},
      {"vllm", [=](const auto& g) { return lit::vllm(g, f, fmax, true); }, true},
      {"vllm-triton", [=](const auto& g) { return lit::vllm_triton_model(g, f, fmax); }},
      {"mul-reciprocal-fp32", [=](const auto& g) { return lit::mul_reciprocal_fp32(g, f, fmax); }},
      {"mul-inverse-scale-fp32", [=](const auto& g) { return lit::mul_inverse_scale_fp32(g, f, fmax); }},
      {"div-fp32", [=](const auto& g) { return lit::div_fp32(g, f, fmax); }},
  };
}

// Group amaxes that make ties likely: bf16 values with many trailing zeros, powers of
// two, 448 * 2^k (s exact), a keyed spread of bf16 values, and fp32-subnormal ones.
std::vector<double> tie_amaxes() {
  std::vector<double> a = {1.0, 1.5, 3.0, 0.75, 448, 224, 7, 5.0 / 1024, 96, 2.5, 1e3, 6.5e4,
                           21, 35, 63, 77, 91, 105, 3.5 / 64, 0.4375, 1.3125, 5.25e-3};
  for (int k = -20; k <= 20; k += 3) a.push_back(std::ldexp(1.0, k));
  for (int k = -10; k <= 10; k += 5) a.push_back(std::ldexp(448.0, k));
  const PhiloxStream rng(77);
  for (std::uint64_t n = 0; n < 96; ++n)  // bf16 values in [2^-24, 2^24)
    a.push_back(conventions_test::to_bf16(std::ldexp(1.0 + rng.uniform_closed_open(n), static_cast<int>(n % 48) - 24)));
  return a;
}

TEST(QuantConvention, EveryConventionMatchesItsLiteralFormulaOnTiesAndNearTies) {
  for (Format f : {Format::e4m3fn, Format::e5m2}) {
    const MatrixD ties = conventions_test::tie_rows(tie_amaxes(), 128, f, 5);
    for (const Case& c : cases(f)) {
      SCOPED_TRACE(std::string(format_name(f)));
      EXPECT_TRUE(matches_literal(ties, "vec128", f, c));
      EXPECT_TRUE(matches_literal(ties, "row", f, c));
      EXPECT_TRUE(matches_literal(ties, "vec32", f, c));
    }
  }
}

TEST(QuantConvention, TheTieInputsReallySeparateTheConventions) {
  // The inputs above are only adversarial if the conventions disagree on them.
  const MatrixD ties = conventions_test::tie_rows(tie_amaxes(), 128, Format::e4m3fn, 5);
  const auto codes = [&](const char* name) {
    QuantizeOptions o;
    o.scale.convention = parse_quant_convention(name);
    return quantize(ties, parse_recipe("vec128"), o).codes.codes;
  };
  const auto differ = [](const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    std::int64_t n = 0;
    for (std::size_t k = 0; k < a.size(); ++k) n += a[k] != b[k];
    return n;
  };
  const auto exact = codes("exact"), deepgemm = codes("deepgemm"), vllm = codes("vllm"), te = codes("transformer-engine");
  std::cout << "[ ties ] " << exact.size() << " codes; exact vs deepgemm " << differ(exact, deepgemm)
            << ", exact vs vllm " << differ(exact, vllm) << ", deepgemm vs vllm " << differ(deepgemm, vllm)
            << ", deepgemm vs transformer-engine " << differ(deepgemm, te) << "\n";
  // About 1e-3 of random bf16 codes differ (quantize_convention_rates_test); here far more.
  const auto rate = [&](std::int64_t n) { return static_cast<double>(n) / static_cast<double>(exact.size()); };
  EXPECT_GT(rate(differ(exact, deepgemm)), 0.05);
  EXPECT_GT(rate(differ(exact, vllm)), 0.004);
  EXPECT_GT(rate(differ(deepgemm, vllm)), 0.05);
  EXPECT_GT(rate(differ(deepgemm, te)), 0.05);
}

TEST(QuantConvention, EveryConventionMatchesOnBlocksAndRandomData) {
  const Format f = Format::e4m3fn;
  // 128x128 blocks (DeepGEMM's per_block_cast_to_fp8, TE's 2D block scaling), with a tie
  // block: rows 0..127 share the amax 3 * 2^-5 in column 0.
  std::vector<double> amaxes(256, 3.0 / 32);
  for (std::size_t k = 128; k < 256; ++k) amaxes[k] = 1.5;
  const MatrixD block_ties = conventions_test::tie_rows(amaxes, 256, f, 9);
  const MatrixD normal = conventions_test::bf16_activation(64, 512, 3);
  const MatrixD outliers =
      conventions_test::bf16_activation(32, 1024, 4, Distribution::llm_activation(1024, 0.01, 200));
  MatrixD fp32_valued(16, 256);  // not bf16: fp32 inputs
  std::vector<double> v(16 * 256);
  generate(Distribution::normal(0, 3), 6, v);
  for (std::int64_t k = 0; k < fp32_valued.size(); ++k) fp32_valued.data()[k] = static_cast<float>(v[k]);
  for (const Case& c : cases(f)) {
    EXPECT_TRUE(matches_literal(block_ties, "blk128x128", f, c));
    EXPECT_TRUE(matches_literal(normal, "vec128", f, c));
    EXPECT_TRUE(matches_literal(normal, "blk128x128", f, c));
    EXPECT_TRUE(matches_literal(normal, "tensor", f, c));
    EXPECT_TRUE(matches_literal(outliers, "vec128", f, c));
    EXPECT_TRUE(matches_literal(fp32_valued, "vec128", f, c));
  }
}

TEST(QuantConvention, SpecialBlocksFollowEachLibrary) {
  // One 1x8 group per row: zeros, -0, below every floor, fp32-subnormal values, NaN, +-inf.
  const double sub = std::ldexp(1.0, -130);
  MatrixD x(8, 8);
  x.row(0) << 0, 0, 0, 0, 0, 0, 0, 0;
  x.row(1) << -0.0, 0, -0.0, 0, 0, -0.0, 0, 0;
  x.row(2) << 3e-5, -1e-5, 2e-5, 0, 1e-6, -3e-5, 5e-6, 1e-5;
  x.row(3) << sub, -3 * sub, 7 * sub, sub / 2, 0, -sub, 5 * sub, 2 * sub;
  x.row(4) << 1, kNaN, -2, 0.5, 3, -1, 0.25, 2;
  x.row(5) << 1, kInfD, -2, 0.5, 3, -1, 0.25, 2;
  x.row(6) << 1, -kInfD, -2, kNaN, 3, -1, 0.25, 2;
  x.row(7) << 1e-11, -3e-12, 0, 2e-11, 0, 0, 1e-12, 0;  // below vLLM's eps
  for (const Case& c : cases(Format::e4m3fn)) {
    if (c.convention == "exact") continue;  // fp8check's own rules: quantize_scales_test.cpp
    EXPECT_TRUE(matches_literal(x, "vec8", Format::e4m3fn, c));
  }
  // What the libraries do with a NaN element (row 4), as the literal formulas say.
  const auto code_of_nan = [&](const char* name) {
    QuantizeOptions o;
    o.scale.convention = parse_quant_convention(name);
    return quantize(x, parse_recipe("vec8"), o).codes(4, 1);
  };
  EXPECT_EQ(code_of_nan("vllm"), 0xFE);         // fmaxf(NaN, -448) = -448
  EXPECT_EQ(code_of_nan("vllm-triton"), 0x7E);  // fmin.xorsign.abs: +448
  EXPECT_TRUE(is_nan_code(Format::e4m3fn, code_of_nan("transformer-engine")));
  QuantizeOptions deepgemm;
  deepgemm.scale.convention = parse_quant_convention("deepgemm");
  const QuantizedMatrix dg = quantize(x, parse_recipe("vec8"), deepgemm);
  EXPECT_TRUE(std::isnan(dg.scales.value(4, 0)));  // torch.amax propagates NaN: the whole group is NaN
  for (int j = 0; j < 8; ++j) EXPECT_TRUE(is_nan_code(Format::e4m3fn, dg.codes(4, j)));
  EXPECT_TRUE(std::isinf(dg.scales.value(5, 0)));  // amax inf: 1 / sf = 0, finite * 0 = 0, inf * 0 = NaN
  EXPECT_EQ(dg.codes(5, 0), 0x00);
  EXPECT_EQ(dg.codes(5, 2), 0x80);
  EXPECT_TRUE(is_nan_code(Format::e4m3fn, dg.codes(5, 1)));
  EXPECT_EQ(dg.scales.value(0, 0), static_cast<float>(1e-4f / 448.0f));  // the 1e-4 clamp
}

TEST(QuantConvention, TransformerEngineStoresItsScaleUnderTheQuantMeaning) {
  const MatrixD x = conventions_test::bf16_activation(8, 256, 11);
  const float fmax = 448;
  // The stored value is TE's `scale` = fmax / amax (no special case arises on this data).
  Case te_scale{"transformer-engine",
                [=](const std::vector<float>& g) {
                  GroupResult r = conventions_test::transformer_engine(g, Format::e4m3fn, fmax, false);
                  r.stored_scale = fmax / conventions_test::absmax_fmaxf(g, 0);
                  return r;
                },
                false, ScaleMeaning::quant};
  EXPECT_TRUE(matches_literal(x, "vec128", Format::e4m3fn, te_scale));
  EXPECT_TRUE(matches_literal(x, "tensor", Format::e4m3fn, te_scale));
}

TEST(QuantConvention, TransformerEngineDelayedScalingUsesTheHistoryAndMargin) {
  // TE delayed_scaling.cu: scale = (448 * 2^-margin) / amax_history in fp32; scale_inv = 1 / scale.
  const MatrixD x = conventions_test::bf16_activation(8, 64, 12);
  const Recipe r = parse_recipe("delayed_max4_m1");
  AmaxHistory history(r.delayed);
  for (double a : {2.75, 3.0625, 1.5}) history.record(a);
  QuantizeOptions o;
  o.scale.convention = parse_quant_convention("transformer-engine");
  o.history = &history;
  const QuantizedMatrix q = quantize(x, r, o);
  const float scale = (448.0f * 0.5f) / 3.0625f;
  EXPECT_EQ(q.scales.value(0, 0), 1.0f / scale);
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (std::int64_t j = 0; j < x.cols(); ++j)
      ASSERT_EQ(q.codes(i, j), conventions_test::cvt_satfinite(static_cast<float>(x(i, j)) * scale, Format::e4m3fn));
}

TEST(QuantConvention, AmaxFloorOverrides) {
  MatrixD x(1, 4);
  x << 1e-3, -2e-3, 5e-4, 0;
  for (const char* name : {"exact", "deepgemm", "div-fp32"}) {
    QuantizeOptions o;
    o.scale.convention = parse_quant_convention(name);
    o.scale.convention.amax_floor = 0.5;
    const QuantizedMatrix q = quantize(x, parse_recipe("row"), o);
    EXPECT_EQ(q.scales.value(0, 0), static_cast<float>(0.5 / 448)) << name;
  }
}

TEST(QuantConvention, ExactIsTheDefaultAndIsCorrectlyRounded) {
  // The default options are the exact convention, whose codes are the nearest code to the
  // exact x / s even where fp32 arithmetic would round to the other side of a tie.
  const MatrixD ties = conventions_test::tie_rows(tie_amaxes(), 128, Format::e4m3fn, 21);
  const QuantizedMatrix by_default = quantize(ties, parse_recipe("vec128"));
  QuantizeOptions o;
  o.scale.convention = parse_quant_convention("exact");
  EXPECT_EQ(by_default.codes.codes, quantize(ties, parse_recipe("vec128"), o).codes.codes);
  EXPECT_TRUE(matches_literal(ties, "vec128", Format::e4m3fn, cases(Format::e4m3fn).front()));
}

}  // namespace
}  // namespace fp8check
