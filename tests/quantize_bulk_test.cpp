// The quantizer's fast path against its definition: quantize() == quantize_reference()
// and dequantize() == dequantize_reference(), bit for bit, over every recipe, element
// format, convention, scale meaning and rule, rounding and overflow option, on inputs full
// of special values and rounding ties; and the AVX2 scaling kernels lane by lane against
// the scalar functions they replace (round_to_odd.hpp, convention_math.hpp).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/convert_bulk.hpp"
#include "harness/core/format_names.hpp"
#include "harness/generate/philox_stream.hpp"
#include "harness/quantize/quantize.hpp"
#include "harness/quantize/quantize_scale_avx2.hpp"
#include "tests/quantize_convention_support.hpp"

namespace fp8check {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Doubles that exercise every special lane: NaN, +-inf, +-0, beyond FLT_MAX, below the
// float range, double subnormals, fp32 midpoints, and ordinary values of many binades.
double special_value(std::uint64_t bits) {
  switch (bits % 16) {
    case 0: return kNaN;
    case 1: return (bits & 16) ? kInf : -kInf;
    case 2: return (bits & 16) ? 0.0 : -0.0;
    case 3: return std::ldexp(1.0 + static_cast<double>(bits >> 40) * 0x1p-24, 128 + static_cast<int>((bits >> 20) % 8));
    case 4: return std::ldexp(1.0 + static_cast<double>(bits >> 40) * 0x1p-24, -150 - static_cast<int>((bits >> 20) % 40));
    case 5: return std::ldexp(static_cast<double>(bits >> 12), -1074 - 52 + static_cast<int>((bits >> 6) % 40));
    case 6: return std::ldexp(1.0 + (static_cast<double>((bits >> 40) | 1) * 0x1p-24), static_cast<int>(bits % 64) - 32);
    default: break;
  }
  const double v = std::ldexp(1.0 + static_cast<double>(bits >> 12) * 0x1p-52, static_cast<int>((bits >> 4) % 80) - 40);
  return (bits & 32) ? -v : v;
}

MatrixD special_matrix(std::int64_t rows, std::int64_t cols, std::uint64_t key) {
  const PhiloxStream rng(key);
  MatrixD x(rows, cols);
  for (std::int64_t k = 0; k < x.size(); ++k) x.data()[k] = special_value(rng.bits64(static_cast<std::uint64_t>(k)));
  // Rows of ordinary keyed bf16 values between the special ones, so most blocks have finite scales.
  const MatrixD plain = conventions_test::bf16_activation(rows, cols, key + 1);
  for (std::int64_t i = 0; i < rows; i += 2) x.row(i) = plain.row(i);
  return x;
}

::testing::AssertionResult same_bits(const QuantizedMatrix& a, const QuantizedMatrix& b) {
  if (a.codes.codes != b.codes.codes) {
    std::size_t k = 0;
    while (a.codes.codes[k] == b.codes.codes[k]) ++k;
    return ::testing::AssertionFailure() << "code " << k << ": " << int(a.codes.codes[k]) << " vs "
                                         << int(b.codes.codes[k]);
  }
  if (a.scales.values.size() != b.scales.values.size() || a.scales.codes != b.scales.codes)
    return ::testing::AssertionFailure() << "scale storage differs";
  for (std::size_t k = 0; k < a.scales.values.size(); ++k)
    if (std::bit_cast<std::uint32_t>(a.scales.values[k]) != std::bit_cast<std::uint32_t>(b.scales.values[k]))
      return ::testing::AssertionFailure() << "scale " << k << ": " << a.scales.values[k] << " vs " << b.scales.values[k];
  if (a.tensor_scale.has_value() != b.tensor_scale.has_value() ||
      (a.tensor_scale && std::bit_cast<std::uint32_t>(*a.tensor_scale) != std::bit_cast<std::uint32_t>(*b.tensor_scale)))
    return ::testing::AssertionFailure() << "tensor scale differs";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult same_bits(const MatrixD& a, const MatrixD& b) {
  for (std::int64_t k = 0; k < a.size(); ++k)
    if (std::bit_cast<std::uint64_t>(a.data()[k]) != std::bit_cast<std::uint64_t>(b.data()[k]))
      return ::testing::AssertionFailure() << "element " << k << ": " << a.data()[k] << " vs " << b.data()[k];
  return ::testing::AssertionSuccess();
}

struct RecipeCase {
  const char* name;
  std::vector<Format> formats;
};

const std::vector<RecipeCase> kRecipes = {
    {"tensor", {Format::e4m3fn, Format::e5m2, Format::e4m3fnuz, Format::e5m2fnuz, Format::e4m3b11fnuz, Format::e4m3b15,
                Format::e2m1fn, Format::e2m3fn, Format::e3m2fn}},
    {"row", {Format::e4m3fn, Format::e5m2}},
    {"col", {Format::e4m3fn}},
    {"vec7", {Format::e4m3fn, Format::e5m2, Format::e4m3fnuz}},  // 7: groups and tails of the 4-wide kernels
    {"vec128", {Format::e4m3fn, Format::e5m2}},
    {"blk5x6", {Format::e4m3fn}},
    {"mxfp8", {Format::e4m3fn, Format::e5m2}},
    {"mxfp6", {Format::e2m3fn, Format::e3m2fn}},
    {"mxfp4", {Format::e2m1fn}},
    {"nvfp4", {Format::e2m1fn}},
};

TEST(QuantizeBulk, EqualsTheReferenceOnEveryRecipeFormatConventionAndOption) {
  const MatrixD x = special_matrix(13, 263, 41);
  const MatrixD ties = conventions_test::tie_rows({1.5, 3.0, 448, 21, 0.4375, 1e-3, 6.5e4, 7}, 128, Format::e4m3fn, 42);
  std::int64_t runs = 0;
  for (const RecipeCase& rc : kRecipes)
    for (Format f : rc.formats) {
      const Recipe r = parse_recipe(rc.name, ElementType::of(f));
      const bool fp32 = r.scale_type() == ScaleType::fp32;
      for (ConventionId id : all_conventions()) {
        if (!fp32 && id != ConventionId::exact) continue;
        for (ScaleMeaning meaning : {ScaleMeaning::dequant, ScaleMeaning::quant})
          for (Pow2Scale pow2 : {Pow2Scale::none, Pow2Scale::round_up})
            for (ZeroBlockScale zero : {ZeroBlockScale::one, ZeroBlockScale::smallest}) {
              if (!fp32 && (meaning != ScaleMeaning::dequant || pow2 != Pow2Scale::none)) continue;
              if (id == ConventionId::transformer_engine && zero != ZeroBlockScale::one) continue;
              QuantizeOptions o;
              o.scale.convention = {id, std::nullopt};
              o.scale.meaning = meaning;
              o.scale.pow2 = pow2;
              o.scale.zero_block = zero;
              o.order = (runs % 3 == 0) ? ScaleOrder::col_major_tma : ScaleOrder::row_major;
              SCOPED_TRACE(std::string(rc.name) + " " + std::string(format_name(f)) + " " + describe(o.scale));
              const QuantizedMatrix fast = quantize(x, r, o);
              ASSERT_TRUE(same_bits(fast, quantize_reference(x, r, o)));
              ASSERT_TRUE(same_bits(dequantize(fast), dequantize_reference(fast)));
              if (r.block.cols == 0 || r.block.cols >= 128) {
                const QuantizedMatrix t = quantize(ties, r, o);
                ASSERT_TRUE(same_bits(t, quantize_reference(ties, r, o)));
              }
              ++runs;
            }
      }
    }
  EXPECT_GT(runs, 300);
}

TEST(QuantizeBulk, EqualsTheReferenceForEveryRoundingAndOverflowOption) {
  const MatrixD x = special_matrix(9, 131, 43);
  const std::pair<const char*, Format> cases[] = {{"vec128", Format::e4m3fn}, {"vec128", Format::e5m2},
                                                 {"tensor", Format::e4m3fn}, {"tensor", Format::e2m1fn},
                                                 {"mxfp8", Format::e5m2},    {"nvfp4", Format::e2m1fn}};
  for (const auto& [recipe, f] : cases) {
    const Recipe r = parse_recipe(recipe, ElementType::of(f));
    for (Rounding rounding : {Rounding::nearest_even, Rounding::toward_zero, Rounding::toward_pos_inf,
                              Rounding::toward_neg_inf, Rounding::nearest_away})
      for (bool saturate : {true, false})
        for (bool clamp_inf : {true, false})
          for (bool small_max : {false, true}) {
            if (small_max && r.scale_type() != ScaleType::fp32) continue;
            QuantizeOptions o;
            o.scale.element_encode = {rounding, saturate, clamp_inf};
            // A format max below the element's: scaled values land beyond max, where the
            // overflow options act.
            if (small_max) o.scale.format_max = 0.875 * r.element.max_magnitude();
            SCOPED_TRACE(std::string(recipe) + " " + std::string(format_name(f)) + " " + describe(o.scale));
            const QuantizedMatrix fast = quantize(x, r, o);
            ASSERT_TRUE(same_bits(fast, quantize_reference(x, r, o)));
            ASSERT_TRUE(same_bits(dequantize(fast), dequantize_reference(fast)));
          }
  }
}

TEST(QuantizeBulk, StochasticRoundingAndIntegersKeepTheElementPath) {
  const MatrixD x = conventions_test::bf16_activation(4, 64, 44);
  QuantizeOptions o;
  o.scale.element_encode.rounding = Rounding::stochastic;
  std::vector<std::uint32_t> bits(static_cast<std::size_t>(x.size()));
  for (std::size_t k = 0; k < bits.size(); ++k) bits[k] = PhiloxStream(9).bits32(k);
  o.random_bits = bits;
  EXPECT_TRUE(same_bits(quantize(x, parse_recipe("vec32"), o), quantize_reference(x, parse_recipe("vec32"), o)));
  for (const char* r : {"int8_g32", "int4_g32"}) {
    const QuantizedMatrix q = quantize(x, parse_recipe(r));
    EXPECT_TRUE(same_bits(q, quantize_reference(x, parse_recipe(r))));
    EXPECT_TRUE(same_bits(dequantize(q), dequantize_reference(q)));
  }
}

#if FP8C_HAVE_AVX2_KERNELS
bool cpu_has_avx2_fma() { return cpu_has_avx2() && __builtin_cpu_supports("fma"); }

TEST(QuantizeScaleAvx2, ExactKernelEqualsTheScalarFunctionsLaneByLane) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2 + FMA: the kernels are never called here";
  const PhiloxStream rng(45);
  constexpr std::size_t kN = 1 << 16;
  std::vector<double> x(kN);
  std::vector<float> out(kN);
  std::int64_t vector_lanes = 0;
  for (double scale : {1.0, 0.3, 448.0 / 3, 0x1p-126, 0x1.fffffep127, 3e-300, 7.0 / 1024})
    for (bool multiply : {false, true}) {
      for (std::size_t k = 0; k < kN; ++k) x[k] = special_value(rng.bits64(k + static_cast<std::uint64_t>(scale * 1e6)));
      std::size_t k = 0;
      while (k < kN) {
        const std::size_t done = detail::avx2_scale_exact(x.data() + k, kN - k, scale, multiply, out.data() + k);
        for (std::size_t j = k; j < k + done; ++j) {
          const double d = multiply ? multiply_round_to_odd(x[j], scale) : divide_round_to_odd(x[j], scale);
          ASSERT_EQ(std::bit_cast<std::uint32_t>(out[j]), std::bit_cast<std::uint32_t>(round_to_odd_float(d)))
              << "x " << x[j] << " scale " << scale << " multiply " << multiply;
        }
        vector_lanes += static_cast<std::int64_t>(done);
        k += done + 4;  // the group the kernel left to the scalar code
      }
    }
  // The vector path ran on a large share (a group with any special lane falls back whole,
  // and 7 in 16 of these values are special).
  EXPECT_GT(vector_lanes, 100000);
}

TEST(QuantizeScaleAvx2, Fp32KernelEqualsScaleElement) {
  if (!cpu_has_avx2_fma()) GTEST_SKIP() << "this CPU has no AVX2 + FMA: the kernels are never called here";
  const PhiloxStream rng(46);
  constexpr std::size_t kN = 4099;  // a tail
  std::vector<double> x(kN);
  std::vector<float> out(kN);
  for (std::size_t k = 0; k < kN; ++k) x[k] = special_value(rng.bits64(k));
  for (ConventionId id : all_conventions()) {
    const ConventionArith a = convention_arith({id, std::nullopt});
    if (a.op == ElementOp::exact) continue;
    for (double amax : {1.0, 3.0e-7, 448.0, 1e30}) {
      const Fp32BlockScale b = fp32_block_scale(a, amax, 448, {});
      const bool divide = a.op == ElementOp::divide;
      detail::avx2_scale_fp32(x.data(), kN, divide ? b.s : b.q, divide, static_cast<int>(a.clamp), b.clamp_limit,
                              out.data());
      for (std::size_t k = 0; k < kN; ++k)
        ASSERT_EQ(std::bit_cast<std::uint32_t>(out[k]),
                  std::bit_cast<std::uint32_t>(static_cast<float>(scale_element(a, b, false, x[k]))))
            << convention_name(id) << " x " << x[k] << " amax " << amax;
    }
  }
}
#endif

}  // namespace
}  // namespace fp8check
