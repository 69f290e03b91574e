// The reference quantizer (harness/quantize/quantize.hpp): exact round trips for every
// recipe, scale meaning and layout; layouts and their padding; partial edge blocks;
// all-zero blocks; NaN policy; and the judge of kernels under test (quantize_compare.hpp).
// Scale rules on hand-worked numbers are in quantize_scales_test.cpp, single rounding of
// scaled values in quantize_rounding_test.cpp.
#include "harness/quantize/quantize.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/quantize/element_codec.hpp"
#include "harness/quantize/quantize_compare.hpp"
#include "tests/quantize_test_support.hpp"

namespace fp8check {
namespace {

using test_support::exact_blocks;
using test_support::expect_input_error;
using test_support::identical;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct RoundTripCase {
  std::string recipe;
  std::optional<ElementType> element;
  std::int64_t rows, cols;
};

// Shapes leave partial edge blocks wherever the block allows it.
const std::vector<RoundTripCase> kRoundTrips = {
    {"tensor", std::nullopt, 5, 7},
    {"tensor", ElementType::of(Format::e5m2), 5, 7},
    {"tensor", ElementType::of(Format::e4m3fnuz), 5, 7},
    {"tensor", ElementType::int8(), 5, 7},
    {"row", std::nullopt, 23, 9},
    {"col", std::nullopt, 9, 23},
    {"vec4", std::nullopt, 6, 11},
    {"blk2x3", std::nullopt, 7, 8},
    {"vec128", std::nullopt, 3, 260},
    {"blk128x128", std::nullopt, 130, 260},
    {"mxfp8", std::nullopt, 3, 70},
    {"mxfp8", ElementType::of(Format::e5m2), 3, 70},
    {"mxfp6", std::nullopt, 3, 70},
    {"mxfp6", ElementType::of(Format::e3m2fn), 3, 70},
    {"mxfp4", std::nullopt, 3, 70},
    {"nvfp4", std::nullopt, 3, 40},
    {"int8_g4", std::nullopt, 3, 10},
    {"int4_g32", std::nullopt, 3, 70},
    {"delayed_max4", std::nullopt, 5, 7},
};

TEST(Quantize, RoundTripIsExactForEveryRecipeMeaningAndLayout) {
  for (const RoundTripCase& c : kRoundTrips) {
    const Recipe r = parse_recipe(c.recipe, c.element);
    const bool float_scales = r.scale_type() == ScaleType::fp32 || r.scale_type() == ScaleType::fp16;
    const double global = r.scheme == ScalingScheme::nvfp4 ? 448 : 1;
    const test_support::ExactInput in = exact_blocks(r, c.rows, c.cols, global);
    AmaxHistory history(r.delayed);
    history.record(tensor_amax(in.x));
    for (ScaleMeaning meaning : {ScaleMeaning::dequant, ScaleMeaning::quant})
      for (Pow2Scale pow2 : {Pow2Scale::none, Pow2Scale::round_up})
        for (ScaleOrder order : {ScaleOrder::row_major, ScaleOrder::col_major, ScaleOrder::col_major_tma}) {
          if (!float_scales && (meaning != ScaleMeaning::dequant || pow2 != Pow2Scale::none)) continue;
          SCOPED_TRACE(r.description() + ", " + std::string(scale_meaning_name(meaning)) + ", pow2 " +
                       std::string(pow2_scale_name(pow2)) + ", " + std::string(scale_order_name(order)));
          QuantizeOptions o;
          o.scale.meaning = meaning;
          o.scale.pow2 = pow2;
          o.order = order;
          if (r.scheme == ScalingScheme::delayed) o.history = &history;
          const QuantizedMatrix q = quantize(in.x, r, o);
          EXPECT_TRUE(identical(dequantize(q), in.x));
          MatrixD scaled(c.rows, c.cols);
          for (std::int64_t i = 0; i < c.rows; ++i)
            for (std::int64_t j = 0; j < c.cols; ++j) scaled(i, j) = decode_element(r.element, q.codes(i, j));
          EXPECT_TRUE(identical(scaled, in.scaled));
          // The stored scale of every block is its multiplier (NVFP4: times the tensor scale).
          const ScaleLayout& l = q.scales.layout;
          const double max_multiplier = in.x.cwiseAbs().maxCoeff() / (global * r.element.max_magnitude());
          for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
            for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
              double m = test_support::block_multiplier(gi, gj);
              if (r.scheme == ScalingScheme::nvfp4) m = m * global / max_multiplier;
              const double stored = q.scales.value(gi, gj);
              ASSERT_EQ(meaning == ScaleMeaning::dequant ? stored : 1 / stored, m) << "block " << gi << ", " << gj;
            }
          if (r.scheme == ScalingScheme::nvfp4) {
            EXPECT_EQ(*q.tensor_scale, max_multiplier);
          }
        }
  }
}

TEST(ScaleLayout, OffsetsAndTmaPadding) {
  // 5x300 in 1x128 blocks: a 5x3 grid; TMA-aligned columns start every 8 fp32 (16 bytes).
  const ScaleLayout row = make_scale_layout(5, 300, {1, 128}, ScaleOrder::row_major, 4);
  const ScaleLayout col = make_scale_layout(5, 300, {1, 128}, ScaleOrder::col_major, 4);
  const ScaleLayout tma = make_scale_layout(5, 300, {1, 128}, ScaleOrder::col_major_tma, 4);
  const ScaleLayout tma_bytes = make_scale_layout(5, 300, {1, 128}, ScaleOrder::col_major_tma, 1);
  EXPECT_EQ(row.grid_rows, 5);
  EXPECT_EQ(row.grid_cols, 3);
  EXPECT_EQ(row.ld, 3);
  EXPECT_EQ(col.ld, 5);
  EXPECT_EQ(tma.ld, 8);
  EXPECT_EQ(tma_bytes.ld, 16);
  EXPECT_EQ(row.offset(3, 1), 10);
  EXPECT_EQ(col.offset(3, 1), 8);
  EXPECT_EQ(tma.offset(3, 1), 11);
  EXPECT_EQ(row.storage_size(), 15);
  EXPECT_EQ(tma.storage_size(), 24);
  EXPECT_EQ(make_scale_layout(8, 300, {1, 128}, ScaleOrder::col_major_tma, 4).ld, 8);  // already aligned
  EXPECT_EQ(make_scale_layout(7, 9, {0, 0}, ScaleOrder::col_major_tma, 4).storage_size(), 4);

  // The quantizer fills exactly the logical slots; padding stays 0.
  const Recipe r = parse_recipe("vec128");
  const test_support::ExactInput in = exact_blocks(r, 5, 300);
  QuantizeOptions o;
  o.order = ScaleOrder::col_major_tma;
  const QuantizedMatrix q = quantize(in.x, r, o);
  ASSERT_EQ(q.scales.layout, tma);
  const std::vector<float>& stored = q.scales.values_in(tma);
  for (std::int64_t gj = 0; gj < 3; ++gj)
    for (std::int64_t slot = 0; slot < 8; ++slot)
      EXPECT_EQ(stored[static_cast<std::size_t>(gj * 8 + slot)],
                slot < 5 ? test_support::block_multiplier(slot, gj) : 0.0);

  // Asking in another layout is an error naming both; converting explicitly is not.
  expect_input_error([&] { (void)q.scales.values_in(row); }, {describe(tma), describe(row)});
  const ScaleTensor converted = with_order(q.scales, ScaleOrder::row_major);
  EXPECT_EQ(converted.values_in(row), quantize(in.x, r).scales.values);
}

TEST(Quantize, PartialEdgeBlocksUseOnlyValidElements) {
  const Recipe vec = parse_recipe("vec128");
  const Recipe blk = parse_recipe("blk2x3");
  for (double fill : {kNaN, 1e30}) {
    // The input is a 3x130 view into a larger matrix whose other elements are `fill`.
    MatrixD big = MatrixD::Constant(8, 140, fill);
    auto view = big.topLeftCorner(3, 130);
    for (std::int64_t i = 0; i < 3; ++i)
      for (std::int64_t j = 0; j < 130; ++j) view(i, j) = (j < 128 ? 0.25 : 1.5) * ((i + j) % 3 - 1.0);
    view(1, 129) = -3;
    const MatrixD copy = view;
    for (const Recipe* r : {&vec, &blk}) {
      const QuantizedMatrix from_view = quantize(view, *r);
      const QuantizedMatrix from_copy = quantize(copy, *r);
      EXPECT_EQ(from_view.codes.codes, from_copy.codes.codes);
      EXPECT_EQ(from_view.scales.values, from_copy.scales.values);
      EXPECT_TRUE(identical(dequantize(from_view), dequantize(from_copy)));
    }
    // Row 1's last block holds columns 128 and 129 only: amax 3.
    EXPECT_EQ(quantize(view, vec).scales.value(1, 1), static_cast<float>(3.0 / 448.0));
    // blk2x3's corner block (rows 2, cols 129) holds one element: 1.5 * (131 % 3 - 1) = 1.5.
    EXPECT_EQ(quantize(view, blk).scales.value(1, 43), static_cast<float>(1.5 / 448.0));
  }
}

TEST(Quantize, AllZeroBlocksGetTheFloorScaleAndZeroCodes) {
  for (const char* name : {"tensor", "row", "vec4", "blk2x3", "mxfp8", "mxfp4", "nvfp4", "int4_g4", "int8_g4"}) {
    const Recipe r = parse_recipe(name);
    for (ZeroBlockScale zero : {ZeroBlockScale::one, ZeroBlockScale::smallest}) {
      SCOPED_TRACE(std::string(name) + ", zero-block " + std::string(zero_block_scale_name(zero)));
      QuantizeOptions o;
      o.scale.zero_block = zero;
      const QuantizedMatrix q = quantize(MatrixD::Zero(4, 12), r, o);
      const double floor = zero == ZeroBlockScale::one ? 1.0 : smallest_scale(r.scale_type());
      const ScaleLayout& l = q.scales.layout;
      for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
        for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) EXPECT_EQ(q.scales.value(gi, gj), floor);
      const bool one = zero == ZeroBlockScale::one;
      if (r.scale_type() == ScaleType::e8m0) {
        EXPECT_EQ(q.scales.code(0, 0), one ? 127 : 0);
      }
      if (r.scale_type() == ScaleType::e4m3) {
        EXPECT_EQ(q.scales.code(0, 0), one ? 0x38 : 0x01);
        EXPECT_EQ(*q.tensor_scale, one ? 1.0f : 0x1p-126f);
      }
      EXPECT_TRUE(identical(dequantize(q), MatrixD::Zero(4, 12)));
    }
  }
}

TEST(Quantize, NoScaleIsZeroInfOrNan) {
  // Tiny, huge and infinite amaxes are clamped to the scale type's range.
  MatrixD x(3, 8);
  x << 1e-300, -1e-300, 0, 0, 1e300, 2, 3, 4,                        //
      std::numeric_limits<double>::infinity(), 1, 2, 3, 4, 5, 6, 7,  //
      kNaN, 1e-30, 1e-31, 0, 0, 0, 0, 0;
  for (const char* name : {"tensor", "row", "vec4", "mxfp8", "nvfp4"}) {
    const QuantizedMatrix q = quantize(x, parse_recipe(name));
    for (float s : q.scales.values) EXPECT_TRUE(std::isfinite(s) && s > 0) << name << ": " << s;
    // NaN propagates where the element format has a NaN (e2m1fn has none: +max, as
    // CUDA), and is the only NaN.
    const MatrixD d = dequantize(q);
    EXPECT_EQ(std::isnan(d(2, 0)), std::string(name) != "nvfp4") << name;
    for (std::int64_t i = 0; i < d.size(); ++i)
      EXPECT_TRUE(i == 2 * 8 + 0 || !std::isnan(d.data()[i])) << name << " at " << i;
  }
}

TEST(Quantize, NanPolicyAndFullBlocks) {
  MatrixD x = MatrixD::Ones(3, 130);
  x(1, 2) = kNaN;
  QuantizeOptions reject;
  reject.nan = NanPolicy::reject;
  expect_input_error([&] { quantize(x, parse_recipe("vec128"), reject); }, {"(1, 2)", "NaN"});
  expect_input_error([&] { quantize(x, parse_recipe("int8_g4")); }, {"(1, 2)", "integer codes cannot hold NaN"});
  const QuantizedMatrix q = quantize(x, parse_recipe("vec128"));  // propagate: the default
  EXPECT_EQ(q.codes(1, 2), 0x7F);
  EXPECT_EQ(q.scales.value(1, 0), static_cast<float>(1.0 / 448.0));  // NaN is not the amax

  QuantizeOptions full;
  full.require_full_blocks = true;
  x(1, 2) = 1;
  expect_input_error([&] { quantize(x, parse_recipe("vec128"), full); }, {"3x130", "1x128", "divisible"});
  EXPECT_NO_THROW(quantize(MatrixD::Ones(3, 256), parse_recipe("vec128"), full));
  expect_input_error([&] { quantize(MatrixD(0, 4), parse_recipe("tensor")); }, {"0x4", "at least one element"});
}

TEST(Dequantize, PaddingIsNeverRead) {
  const Recipe r = parse_recipe("vec4");
  const test_support::ExactInput in = exact_blocks(r, 5, 10);
  QuantizeOptions o;
  o.order = ScaleOrder::col_major_tma;
  QuantizedMatrix q = quantize(in.x, r, o);
  // Codes with a wider leading dimension, NaN codes in the padding columns; NaN in the
  // padding slots of the scale storage.
  CodeMatrix wide(5, 10, 13);
  std::fill(wide.codes.begin(), wide.codes.end(), std::uint8_t{0x7F});
  for (std::int64_t i = 0; i < 5; ++i)
    for (std::int64_t j = 0; j < 10; ++j) wide(i, j) = q.codes(i, j);
  q.codes = wide;
  for (std::int64_t gj = 0; gj < 3; ++gj)
    for (std::int64_t slot = 5; slot < 8; ++slot) q.scales.values[static_cast<std::size_t>(gj * 8 + slot)] = NAN;
  EXPECT_TRUE(identical(dequantize(q), in.x));
}

TEST(QuantizeCompare, CountsMismatchesAndNamesTheFirst) {
  const Recipe r = parse_recipe("vec4");
  const test_support::ExactInput in = exact_blocks(r, 5, 10);
  const QuantizedMatrix expected = quantize(in.x, r);
  QuantizedMatrix actual = expected;
  EXPECT_TRUE(compare_quantized(expected, actual).exact());

  actual.codes(3, 5) ^= 1;
  actual.codes(4, 9) ^= 1;
  actual.scales.set(1, 0, actual.scales.value(1, 0) * 2);
  const QuantizeComparison c = compare_quantized(expected, actual);
  EXPECT_EQ(c.codes_compared, 50);
  EXPECT_EQ(c.code_mismatches, 2);
  EXPECT_EQ(c.scales_compared, 15);
  EXPECT_EQ(c.scale_mismatches, 1);
  ASSERT_TRUE(c.first_code_mismatch && c.first_scale_mismatch);
  EXPECT_EQ(c.first_code_mismatch->what, QuantizeMismatch::What::code);
  EXPECT_EQ(std::pair(c.first_code_mismatch->row, c.first_code_mismatch->col), std::pair(3L, 5L));
  EXPECT_EQ(c.first_scale_mismatch->what, QuantizeMismatch::What::scale);
  EXPECT_EQ(std::pair(c.first_scale_mismatch->row, c.first_scale_mismatch->col), std::pair(1L, 0L));
  EXPECT_NE(c.summary().find("2 of 50 differ, first at (3, 5)"), std::string::npos) << c.summary();
  EXPECT_NE(c.summary().find("1 of 15 differ, first at (1, 0)"), std::string::npos) << c.summary();

  // NaN codes agree whatever their bits; another scale layout (with NaN padding) agrees.
  QuantizedMatrix nan_expected = expected, nan_actual = expected;
  nan_expected.codes(0, 1) = 0x7F;
  nan_actual.codes(0, 1) = 0xFF;
  nan_actual.scales = with_order(expected.scales, ScaleOrder::col_major_tma);
  for (float& s : nan_actual.scales.values)
    if (s == 0) s = NAN;
  EXPECT_TRUE(compare_quantized(nan_expected, nan_actual).exact());

  // A different grid cannot be compared: the error names both layouts.
  QuantizedMatrix other = quantize(in.x, parse_recipe("vec4"));
  other.scales = quantize(in.x.leftCols(8), r).scales;
  expect_input_error([&] { compare_quantized(expected, other); },
                     {describe(expected.scales.layout), describe(other.scales.layout)});
}

TEST(QuantizeCompare, TensorScaleOfNvfp4) {
  const Recipe r = parse_recipe("nvfp4");
  const test_support::ExactInput in = exact_blocks(r, 2, 32, 448);
  const QuantizedMatrix expected = quantize(in.x, r);
  QuantizedMatrix actual = expected;
  actual.tensor_scale = *expected.tensor_scale * 2;
  const QuantizeComparison c = compare_quantized(expected, actual);
  EXPECT_EQ(c.scale_mismatches, 1);
  EXPECT_EQ(c.code_mismatches, 0);
  ASSERT_TRUE(c.first_scale_mismatch);
  EXPECT_EQ(c.first_scale_mismatch->what, QuantizeMismatch::What::tensor_scale);
  EXPECT_NE(c.summary().find("the tensor scale"), std::string::npos) << c.summary();
}

}  // namespace
}  // namespace fp8check
