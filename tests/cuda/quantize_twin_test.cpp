// The CPU twin of fp8check's own quantize kernels (kernels/cuda/index/quantize_program.hpp:
// amax, scale and encode steps, index by index) against the CPU quantizer, bit for bit:
// element codes, scale values and codes, NVFP4's tensor scale, for every recipe kind the
// kernels take, every convention of fp32 scales, scale orders, policies, partial edge
// blocks, NaN/inf inputs, stochastic rounding and delayed scaling. Also what the kernels
// refuse, and that they reject what quantize() rejects.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "harness/core/error.hpp"
#include "harness/generate/philox_stream.hpp"
#include "harness/quantize/quant_convention.hpp"
#include "harness/quantize/quantize.hpp"
#include "kernels/cuda/index/quantize_plan.hpp"

namespace fp8check {
namespace {

// Values spread over 2^-20 .. 2^20 with random signs, some zero rows, some specials.
MatrixD input(std::int64_t rows, std::int64_t cols, std::uint64_t seed, bool specials) {
  const PhiloxStream s(seed);
  MatrixD x(rows, cols);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) {
      const std::uint64_t b = s.bits64(static_cast<std::uint64_t>(i * cols + j));
      const double mantissa = 1.0 + static_cast<double>(b >> 12) * 0x1p-52;
      const int exponent = static_cast<int>((b >> 4) % 41) - 20;
      x(i, j) = (b & 1 ? -1.0 : 1.0) * std::ldexp(mantissa, exponent) * (i == 2 ? 0.0 : 1.0);
      if (specials && (b >> 8) % 97 == 0) x(i, j) = std::numeric_limits<double>::quiet_NaN();
      if (specials && (b >> 8) % 97 == 1) x(i, j) = (b & 2) ? std::numeric_limits<double>::infinity() : -1e300;
    }
  return x;
}

void expect_same(const QuantizedMatrix& twin, const QuantizedMatrix& cpu, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(twin.codes.codes.size(), cpu.codes.codes.size());
  std::int64_t codes = 0;
  for (std::size_t i = 0; i < cpu.codes.codes.size(); ++i) codes += twin.codes.codes[i] != cpu.codes.codes[i];
  EXPECT_EQ(codes, 0) << "element codes differ";
  ASSERT_EQ(twin.scales.values.size(), cpu.scales.values.size());
  std::int64_t scales = 0;
  for (std::size_t i = 0; i < cpu.scales.values.size(); ++i)
    scales += std::memcmp(&twin.scales.values[i], &cpu.scales.values[i], sizeof(float)) != 0;
  EXPECT_EQ(scales, 0) << "scale values differ";
  EXPECT_EQ(twin.scales.codes, cpu.scales.codes);
  EXPECT_TRUE(twin.scales.layout == cpu.scales.layout);
  EXPECT_EQ(twin.scales.type, cpu.scales.type);
  EXPECT_EQ(twin.scales.meaning, cpu.scales.meaning);
  ASSERT_EQ(twin.tensor_scale.has_value(), cpu.tensor_scale.has_value());
  if (cpu.tensor_scale) {
    EXPECT_EQ(std::memcmp(&*twin.tensor_scale, &*cpu.tensor_scale, sizeof(float)), 0);
  }
}

void check(const MatrixD& x, const Recipe& recipe, const QuantizeOptions& o, const std::string& what) {
  const QuantizeArguments args{&x, recipe, o};
  ASSERT_EQ(cuda_index::why_no_own_quantize(args), "") << what;
  expect_same(cuda_index::run_quantize_twin(args), quantize(x, recipe, o), what);
}

TEST(QuantizeTwin, EveryFloatRecipeAndOrder) {
  const MatrixD x = input(37, 300, 5, false);
  for (const char* name : {"tensor", "row", "col", "vec128", "blk128x128", "blk32x32", "vec16", "mxfp8", "mxfp6", "mxfp4", "nvfp4"})
    for (ScaleOrder order : {ScaleOrder::row_major, ScaleOrder::col_major, ScaleOrder::col_major_tma}) {
      QuantizeOptions o;
      o.order = order;
      check(x, parse_recipe(name), o, std::string(name) + " " + std::string(scale_order_name(order)));
    }
  check(x, parse_recipe("tensor", ElementType::of(Format::e5m2)), {}, "tensor e5m2");
  check(x, parse_recipe("mxfp8", ElementType::of(Format::e5m2)), {}, "mxfp8 e5m2");
  check(x, parse_recipe("row", ElementType::of(Format::e4m3fnuz)), {}, "row e4m3fnuz");
}

TEST(QuantizeTwin, EveryConventionOfFp32Scales) {
  const MatrixD x = input(20, 260, 9, true);
  for (ConventionId id : {ConventionId::exact, ConventionId::mul_reciprocal_fp32, ConventionId::mul_inverse_scale_fp32,
                          ConventionId::div_fp32, ConventionId::deepgemm, ConventionId::deepgemm_legacy,
                          ConventionId::transformer_engine, ConventionId::vllm, ConventionId::vllm_triton})
    for (const char* name : {"tensor", "vec128", "blk128x128"}) {
      QuantizeOptions o;
      o.scale.convention.id = id;
      check(x, parse_recipe(name), o, std::string(name) + " " + std::string(convention_name(id)));
    }
}

TEST(QuantizeTwin, PoliciesSpecialsAndStochasticRounding) {
  const MatrixD x = input(33, 129, 13, true);
  for (const char* name : {"tensor", "vec128", "mxfp8", "nvfp4", "mxfp4"}) {
    QuantizeOptions o;
    check(x, parse_recipe(name), o, std::string(name) + " with NaN and inf");
    o.scale.zero_block = ZeroBlockScale::smallest;
    check(x, parse_recipe(name), o, std::string(name) + " smallest zero-block scale");
  }
  QuantizeOptions pow2;
  pow2.scale.pow2 = Pow2Scale::round_up;
  check(x, parse_recipe("vec128"), pow2, "vec128 pow2");
  QuantizeOptions quant;
  quant.scale.meaning = ScaleMeaning::quant;
  check(x, parse_recipe("row"), quant, "row quant meaning");
  QuantizeOptions mx;
  mx.scale.mx_rule = MxScaleRule::round_up;
  check(x, parse_recipe("mxfp8"), mx, "mxfp8 round_up");
  QuantizeOptions fmax;
  fmax.scale.format_max = 400;
  check(x, parse_recipe("tensor"), fmax, "format max 400");

  std::vector<std::uint32_t> bits(static_cast<std::size_t>(x.rows() * x.cols()));
  const PhiloxStream s(77);
  for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = s.bits32(i);
  QuantizeOptions stochastic;
  stochastic.scale.element_encode.rounding = Rounding::stochastic;
  stochastic.random_bits = bits;
  check(x, parse_recipe("vec128"), stochastic, "stochastic rounding");
}

TEST(QuantizeTwin, DelayedScalingFromTheHistory) {
  const MatrixD x = input(16, 64, 21, false);
  const Recipe recipe = parse_recipe("delayed_max4_m1");
  AmaxHistory history(recipe.delayed);
  QuantizeOptions o;
  o.history = &history;
  check(x, recipe, o, "delayed, empty history");
  history.record(3.5);
  history.record(1200.0);
  check(x, recipe, o, "delayed, two steps");
}

TEST(QuantizeTwin, RefusesIntegersAndRejectsWhatQuantizeRejects) {
  const MatrixD x = input(4, 64, 1, false);
  const QuantizeArguments ints{&x, parse_recipe("int8_g32"), {}};
  EXPECT_NE(cuda_index::why_no_own_quantize(ints).find("integer elements"), std::string::npos);
  MatrixD nan = x;
  nan(1, 2) = std::numeric_limits<double>::quiet_NaN();
  QuantizeOptions reject;
  reject.nan = NanPolicy::reject;
  const QuantizeArguments bad{&nan, parse_recipe("tensor"), reject};
  EXPECT_THROW(cuda_index::run_quantize_twin(bad), InputError);
  QuantizeOptions full;
  full.require_full_blocks = true;
  const QuantizeArguments partial{&x, parse_recipe("blk128x128"), full};
  EXPECT_THROW(cuda_index::run_quantize_twin(partial), InputError);
}

}  // namespace
}  // namespace fp8check
