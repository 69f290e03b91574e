// The dense containers the harness passes between stages. Row-major Eigen
// matrices, so references/ (which depends on Eigen only) takes them as they are.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace fp8check {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VectorD = Eigen::VectorXd;

// Codes of a low-precision matrix, one code per byte (4/6-bit codes in the low bits),
// row-major with a leading dimension >= cols (padding columns are never read).
struct CodeMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t ld = 0;  // elements between the starts of consecutive rows
  std::vector<std::uint8_t> codes;

  CodeMatrix() = default;
  CodeMatrix(std::int64_t r, std::int64_t c, std::int64_t leading = 0)
      : rows(r), cols(c), ld(leading ? leading : c), codes(static_cast<std::size_t>(r * (leading ? leading : c))) {}
  std::uint8_t& operator()(std::int64_t i, std::int64_t j) { return codes[static_cast<std::size_t>(i * ld + j)]; }
  std::uint8_t operator()(std::int64_t i, std::int64_t j) const { return codes[static_cast<std::size_t>(i * ld + j)]; }
};

}  // namespace fp8check
