// Inputs with exact FP64 answers for the quantizer tests.
//
// exact_blocks(): block (bi, bj) holds multiplier(bi, bj) * v with v a value of the
// element type and the block's first element +-format_max, so the block's scale is
// exactly multiplier(bi, bj) (times a recipe-wide factor) and every x / s is exactly v:
// dequantize(quantize(x)) == x holds exactly, and a mis-indexed, transposed or inverted
// scale turns into an exact mismatch (multipliers differ between (bi, bj) and (bj, bi)).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/quantize/quantize.hpp"

namespace fp8check::test_support {

// 2^((bi + 2 bj) mod 20 - 4): distinct for (bi, bj) and (bj, bi), within fp16 scales.
inline double block_multiplier(std::int64_t bi, std::int64_t bj) {
  return std::ldexp(1.0, static_cast<int>((bi + 2 * bj) % 20) - 4);
}

// Every finite value of the element type, in code order.
inline std::vector<double> element_values(ElementType t) {
  std::vector<double> out;
  if (t.is_integer()) {
    const int m = static_cast<int>(t.max_magnitude());
    for (int v = -m; v <= m; ++v) out.push_back(v);
    return out;
  }
  for (std::uint32_t c = 0; c < format_spec(t.format).code_count(); ++c)
    if (const double v = decode(t.format, c); std::isfinite(v)) out.push_back(v);
  return out;
}

struct ExactInput {
  MatrixD x;       // multiplier * global * v
  MatrixD scaled;  // v: what every element must encode as
};

// `global` multiplies the whole tensor (NVFP4 uses 448 so its fp32 tensor scale is exact).
inline ExactInput exact_blocks(const Recipe& r, std::int64_t rows, std::int64_t cols, double global = 1) {
  const ScaleLayout l = make_scale_layout(rows, cols, r.block, ScaleOrder::row_major, 4);
  const std::vector<double> values = element_values(r.element);
  const double top = r.element.max_magnitude();
  ExactInput in{MatrixD(rows, cols), MatrixD(rows, cols)};
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) {
      const bool first = i % l.block.rows == 0 && j % l.block.cols == 0;
      const double v =
          first ? ((i + j) % 2 ? -top : top) : values[static_cast<std::size_t>(i * 31 + j * 17) % values.size()];
      in.scaled(i, j) = v;
      in.x(i, j) = v * block_multiplier(l.block_row(i), l.block_col(j)) * global;
    }
  return in;
}

// Same shape and every entry == (-0 equals +0); names the first mismatch.
inline ::testing::AssertionResult identical(const MatrixD& actual, const MatrixD& expected) {
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols())
    return ::testing::AssertionFailure() << "shape " << actual.rows() << "x" << actual.cols() << " vs "
                                         << expected.rows() << "x" << expected.cols();
  for (std::int64_t i = 0; i < actual.rows(); ++i)
    for (std::int64_t j = 0; j < actual.cols(); ++j)
      if (!(actual(i, j) == expected(i, j)))
        return ::testing::AssertionFailure()
               << "(" << i << ", " << j << "): " << actual(i, j) << " vs " << expected(i, j);
  return ::testing::AssertionSuccess();
}

// Expects InputError whose message contains every one of `parts`.
inline void expect_input_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

}  // namespace fp8check::test_support
