// Each injected QuantizeFault changes codes or scales where its real bug would, and is
// bit-identical to the reference quantizer elsewhere (quantize_fault.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <span>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/quantize/quantize_compare.hpp"
#include "kernels/emulated/quantize_fault.hpp"

namespace fp8check {
namespace {

MatrixD normal_input(std::int64_t rows, std::int64_t cols, std::uint64_t key = 17) {
  MatrixD x(rows, cols);
  generate(Distribution::normal(), key, std::span<double>(x.data(), static_cast<std::size_t>(x.size())));
  return x;
}

QuantizeComparison with_fault(const MatrixD& x, const Recipe& r, QuantizeFault f, const QuantizeOptions& o = {}) {
  return compare_quantized(quantize(x, r, o), quantize_with_fault(x, r, o, f));
}

Recipe recipe(const char* name, Format f = Format::e4m3fn) { return parse_recipe(name, ElementType::of(f)); }

// Calls f(i, j, want, got) for every e4m3fn element whose value differs between the
// reference quantizer's codes and the faulty ones; returns how many did.
template <typename F>
std::int64_t for_each_changed_element(const QuantizedMatrix& ref, const QuantizedMatrix& faulty, F&& f) {
  std::int64_t changed = 0;
  for (std::int64_t i = 0; i < ref.codes.rows; ++i)
    for (std::int64_t j = 0; j < ref.codes.cols; ++j) {
      const double want = decode(Format::e4m3fn, ref.codes(i, j)), got = decode(Format::e4m3fn, faulty.codes(i, j));
      if (want == got) continue;
      ++changed;
      f(i, j, want, got);
    }
  return changed;
}

TEST(QuantizeFaults, NamesParseBack) {
  for (QuantizeFault f : kAllQuantizeFaults) EXPECT_EQ(parse_quantize_fault(quantize_fault_name(f)), f);
  EXPECT_THROW(parse_quantize_fault("nonesuch"), InputError);
}

TEST(QuantizeFaults, NoneIsTheReferenceQuantizer) {
  const MatrixD x = normal_input(16, 256);
  EXPECT_TRUE(with_fault(x, recipe("vec128"), QuantizeFault::none).exact());
}

TEST(QuantizeFaults, WrongFp8VariantWritesFnuzCodesForOcpFormatsOnly) {
  const MatrixD x = normal_input(16, 256);
  for (Format f : {Format::e4m3fn, Format::e5m2}) {
    const Recipe r = recipe("vec128", f);
    const QuantizedMatrix faulty = quantize_with_fault(x, r, {}, QuantizeFault::wrong_fp8_variant);
    const QuantizeComparison c = compare_quantized(quantize(x, r), faulty);
    EXPECT_GT(c.code_mismatches, c.codes_compared / 2) << format_spec(f).name;
    EXPECT_EQ(c.scale_mismatches, 0);
    // The codes are the twin's: decoded as e4m3fnuz / e5m2fnuz they are the right values.
    const Format twin = f == Format::e4m3fn ? Format::e4m3fnuz : Format::e5m2fnuz;
    const double s = faulty.scales.value(0, 0);
    EXPECT_NEAR(decode(twin, faulty.codes(0, 5)) * s, x(0, 5), std::fabs(x(0, 5)) / 8);
  }
  for (const char* name : {"int8_g32", "mxfp4"})
    EXPECT_TRUE(with_fault(x, parse_recipe(name), QuantizeFault::wrong_fp8_variant).exact()) << name;
}

TEST(QuantizeFaults, NoSaturationBitesOnlyWhereAScaledValueOverflows) {
  // MX (OCP floor rule): a block's largest scaled element lies in [256, 512): past 464 it
  // becomes NaN in e4m3fn without satfinite.
  const MatrixD x = normal_input(32, 1024);
  const QuantizedMatrix faulty = quantize_with_fault(x, parse_recipe("mxfp8"), {}, QuantizeFault::no_saturation);
  const QuantizeComparison c = compare_quantized(quantize(x, parse_recipe("mxfp8")), faulty);
  EXPECT_GT(c.code_mismatches, 0);
  EXPECT_EQ(c.scale_mismatches, 0);
  ASSERT_TRUE(c.first_code_mismatch);
  EXPECT_TRUE(std::isnan(decode(Format::e4m3fn, faulty.codes(c.first_code_mismatch->row, c.first_code_mismatch->col))));
  // amax-derived fp32 scales never let a finite element overflow ...
  EXPECT_TRUE(with_fault(x, recipe("vec128"), QuantizeFault::no_saturation).exact());
  EXPECT_TRUE(with_fault(x, recipe("tensor"), QuantizeFault::no_saturation).exact());
  // ... but an inf input is no longer clamped to max.
  MatrixD with_inf = x;
  with_inf(3, 7) = std::numeric_limits<double>::infinity();
  EXPECT_EQ(with_fault(with_inf, recipe("vec128"), QuantizeFault::no_saturation).code_mismatches, 1);
}

TEST(QuantizeFaults, RoundTowardZeroBitesOnlyWhereNearestEvenIsDeclared) {
  const MatrixD x = normal_input(16, 256);
  const Recipe r = recipe("vec128");
  const QuantizedMatrix ref = quantize(x, r);
  const QuantizedMatrix faulty = quantize_with_fault(x, r, {}, QuantizeFault::round_toward_zero);
  const std::int64_t changed =
      for_each_changed_element(ref, faulty, [](std::int64_t i, std::int64_t j, double want, double got) {
        EXPECT_LT(std::fabs(got), std::fabs(want)) << i << ", " << j;  // truncated: one step toward zero
      });
  EXPECT_GT(changed, x.size() / 4);
  EXPECT_GT(with_fault(x, parse_recipe("int8_g32"), QuantizeFault::round_toward_zero).code_mismatches, 0);
  QuantizeOptions up;
  up.scale.element_encode.rounding = Rounding::toward_pos_inf;
  EXPECT_TRUE(with_fault(x, r, QuantizeFault::round_toward_zero, up).exact());
}

// Integer inputs under MX's power-of-two scales land exactly halfway between two e4m3
// values (17 between 16 and 18): there, and only there, ties go away from zero.
TEST(QuantizeFaults, RoundHalfAwayBitesOnlyAtTies) {
  MatrixD x(16, 256);
  generate(Distribution::integers(-1000, 1000), 23, std::span<double>(x.data(), static_cast<std::size_t>(x.size())));
  const Recipe r = recipe("mxfp8");
  const QuantizedMatrix ref = quantize(x, r);
  const QuantizedMatrix faulty = quantize_with_fault(x, r, {}, QuantizeFault::round_half_away);
  const ScaleLayout& l = ref.scales.layout;
  const std::int64_t changed =
      for_each_changed_element(ref, faulty, [&](std::int64_t i, std::int64_t j, double want, double got) {
        const double scaled = x(i, j) / static_cast<double>(ref.scales.value(l.block_row(i), l.block_col(j)));
        EXPECT_EQ(scaled, (want + got) / 2) << i << ", " << j << ": not a tie";
        EXPECT_GT(std::fabs(got), std::fabs(want)) << i << ", " << j;  // away from zero
      });
  EXPECT_GT(changed, x.size() / 100);  // about 2 % of these integers are ties
  EXPECT_EQ(compare_quantized(ref, faulty).scale_mismatches, 0);
  EXPECT_TRUE(with_fault(normal_input(16, 256), recipe("vec128"), QuantizeFault::round_half_away).exact());
}

TEST(QuantizeFaults, InvertedScaleChangesEveryScaleButOne) {
  const MatrixD x = normal_input(16, 256);
  const QuantizeComparison c = with_fault(x, recipe("vec128"), QuantizeFault::inverted_scale);
  EXPECT_EQ(c.code_mismatches, 0);
  EXPECT_EQ(c.scale_mismatches, c.scales_compared);
  // e8m0 scales invert exactly: code c becomes 254 - c.
  const QuantizedMatrix mx = quantize(x, parse_recipe("mxfp8"));
  const QuantizedMatrix mx_faulty = quantize_with_fault(x, parse_recipe("mxfp8"), {}, QuantizeFault::inverted_scale);
  EXPECT_EQ(mx_faulty.scales.code(2, 3), 254 - mx.scales.code(2, 3));
  // A block whose amax is the format's max has scale 1: its inverse is itself.
  MatrixD top = x / x.cwiseAbs().maxCoeff() * 448.0;
  EXPECT_TRUE(with_fault(top, recipe("tensor"), QuantizeFault::inverted_scale).exact());
}

TEST(QuantizeFaults, TransposedScaleLayoutBitesOnlyOnATwoDimensionalScaleGrid) {
  const MatrixD x = normal_input(8, 384);  // vec128: a 8 x 3 grid
  const QuantizeComparison c = with_fault(x, recipe("vec128"), QuantizeFault::transposed_scale_layout);
  EXPECT_EQ(c.code_mismatches, 0);
  EXPECT_GT(c.scale_mismatches, 0);
  EXPECT_LT(c.scale_mismatches, c.scales_compared);  // the first and the last slot coincide
  QuantizeOptions col;
  col.order = ScaleOrder::col_major;
  EXPECT_GT(with_fault(x, recipe("vec128"), QuantizeFault::transposed_scale_layout, col).scale_mismatches, 0);
  for (const char* name : {"tensor", "row", "col"})
    EXPECT_TRUE(with_fault(x, recipe(name), QuantizeFault::transposed_scale_layout).exact()) << name;
}

}  // namespace
}  // namespace fp8check
