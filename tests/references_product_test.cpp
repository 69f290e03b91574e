// The references' public products (product.hpp), the GEMM on views with B stored N×K
// (gemm_reference_view), and which BLAS kernels run (blas_info.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

#include "references/blas_info.hpp"
#include "references/gemm_reference.hpp"
#include "references/product.hpp"
#include "references_test_support.hpp"

namespace fp8check::references {
namespace {

using test_support::identical;
using test_support::integer_matrix;
using test_support::random_matrix;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Σ_k a_ik b_kj in long double (exact for the integer cases below).
MatrixD loop_product(const MatrixD& a, const MatrixD& b_kn, bool magnitudes) {
  MatrixD d(a.rows(), b_kn.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b_kn.cols(); ++j) {
      long double sum = 0;
      for (Eigen::Index p = 0; p < a.cols(); ++p)
        sum += magnitudes ? std::fabs(static_cast<long double>(a(i, p)) * b_kn(p, j))
                          : static_cast<long double>(a(i, p)) * b_kn(p, j);
      d(i, j) = static_cast<double>(sum);
    }
  return d;
}

TEST(Product, BStoredNByKIsReadInPlaceAndEqualsTheProductWithItsTranspose) {
  std::mt19937_64 rng(1);
  for (auto [m, n, k] : {std::tuple{1, 1, 1}, {7, 5, 3}, {33, 70, 129}, {128, 257, 64}}) {
    const MatrixD a = integer_matrix(m, k, rng), b_nk = integer_matrix(n, k, rng);
    const MatrixD b_kn = b_nk.transpose();
    MatrixD d = MatrixD::Constant(m, n, kNaN);  // beta = 0: d is only written
    product(2.0, a, b_nk, BLayout::n_by_k, 0.0, d);
    EXPECT_TRUE(identical(d, 2.0 * loop_product(a, b_kn, false))) << m << "x" << n << "x" << k;
    MatrixD d_kn(m, n);
    product(2.0, a, b_kn, BLayout::k_by_n, 0.0, d_kn);
    EXPECT_TRUE(identical(d_kn, d));
  }
}

TEST(Product, BetaOneAccumulatesASumOfProductsIntoRowsOfALargerMatrix) {
  std::mt19937_64 rng(2);
  const MatrixD a1 = integer_matrix(40, 64, rng), a2 = integer_matrix(40, 64, rng);
  const MatrixD b1 = integer_matrix(30, 64, rng), b2 = integer_matrix(30, 64, rng);
  MatrixD big = MatrixD::Constant(100, 30, -7.0);
  product(1.0, a1, b1, BLayout::n_by_k, 0.0, big.middleRows(10, 40));
  product(3.0, a2, b2, BLayout::n_by_k, 1.0, big.middleRows(10, 40));
  const MatrixD expected = loop_product(a1, b1.transpose(), false) + 3.0 * loop_product(a2, b2.transpose(), false);
  EXPECT_TRUE(identical(big.middleRows(10, 40), expected));
  EXPECT_TRUE((big.topRows(10).array() == -7.0).all());     // rows outside the view untouched
  EXPECT_TRUE((big.bottomRows(50).array() == -7.0).all());
}

TEST(Product, OperandsMayBeBlocksOfLargerMatrices) {
  std::mt19937_64 rng(3);
  const MatrixD big_a = integer_matrix(50, 96, rng), big_b = integer_matrix(80, 96, rng);
  MatrixD d(20, 33);
  product(1.0, big_a.middleRows(5, 20), big_b.middleRows(40, 33), BLayout::n_by_k, 0.0, d);
  EXPECT_TRUE(identical(d, loop_product(big_a.middleRows(5, 20), big_b.middleRows(40, 33).transpose(), false)));
}

TEST(MagnitudeProduct, IsTheProductOfAbsoluteValuesInBothLayouts) {
  std::mt19937_64 rng(4);
  const MatrixD a = integer_matrix(17, 200, rng), b_nk = integer_matrix(23, 200, rng);
  MatrixD d = MatrixD::Constant(17, 23, kNaN);
  magnitude_product(0.5, a, b_nk, BLayout::n_by_k, 0.0, d);
  const MatrixD expected = 0.5 * loop_product(a, b_nk.transpose(), true);
  EXPECT_TRUE(identical(d, expected));
  EXPECT_GT(d.minCoeff(), 0.0);  // signs never cancel in a magnitude
  MatrixD d_kn(17, 23);
  magnitude_product(0.5, a, b_nk.transpose(), BLayout::k_by_n, 0.0, d_kn);
  EXPECT_TRUE(identical(d_kn, expected));
  // Accumulating: a bound's sum of magnitude terms.
  magnitude_product(0.5, a, b_nk, BLayout::n_by_k, 1.0, d);
  EXPECT_TRUE(identical(d, 2.0 * expected));
}

TEST(MagnitudeProduct, BoundsTheProductOfRandomValues) {
  std::mt19937_64 rng(5);
  const MatrixD a = random_matrix(31, 300, rng), b = random_matrix(29, 300, rng);
  MatrixD d(31, 29), magnitude(31, 29);
  product(1.0, a, b, BLayout::n_by_k, 0.0, d);
  magnitude_product(1.0, a, b, BLayout::n_by_k, 0.0, magnitude);
  const MatrixD exact = loop_product(a, b.transpose(), false);
  const double gamma = 304 * 0x1p-53;
  for (Eigen::Index i = 0; i < d.size(); ++i) {
    EXPECT_LE(std::fabs(exact.data()[i]), magnitude.data()[i] * (1 + gamma));
    EXPECT_LE(std::fabs(d.data()[i] - exact.data()[i]), gamma * magnitude.data()[i]);  // Higham §3.5
  }
}

TEST(Product, RejectsMismatchedShapesOverlapAndNonFiniteScalars) {
  MatrixD a(4, 8), b(5, 8), d(4, 5), wrong(4, 6), square(8, 8);
  a.setOnes();
  b.setOnes();
  square.setOnes();
  const auto message = [](auto&& call) {
    try {
      call();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { product(1.0, a, b, BLayout::k_by_n, 0.0, d); }).find("K of A and B differ"), std::string::npos);
  EXPECT_NE(message([&] { product(1.0, a, b, BLayout::n_by_k, 0.0, wrong); }).find("D is 4x6, the product needs 4x5"),
            std::string::npos);
  EXPECT_NE(message([&] { product(kNaN, a, b, BLayout::n_by_k, 0.0, d); }).find("alpha"), std::string::npos);
  EXPECT_NE(message([&] { magnitude_product(1.0, a, b, BLayout::n_by_k, INFINITY, d); }).find("beta"),
            std::string::npos);
  EXPECT_NE(message([&] { product(1.0, square, square, BLayout::n_by_k, 0.0, square); }).find("overlap"),
            std::string::npos);
  EXPECT_EQ(message([&] { product(1.0, a, b, BLayout::n_by_k, 0.0, d); }), "no error");
}

TEST(GemmReferenceView, EqualsGemmReferenceWithATransposedCopyOfB) {
  std::mt19937_64 rng(6);
  const std::int64_t m = 48, n = 40, k = 96;
  const MatrixD a = integer_matrix(m, k, rng), b_nk = integer_matrix(n, k, rng), c = integer_matrix(m, n, rng);
  RowVectorD bias(n);
  for (std::int64_t j = 0; j < n; ++j) bias(j) = static_cast<double>(j % 5) - 2;
  GemmProblem p{m, n, k, {0.5, 2.0, 0.25}};
  const MatrixD expected = gemm_reference(p, a, b_nk.transpose(), &c, &bias);
  MatrixD out = MatrixD::Constant(m + 20, n, kNaN);
  gemm_reference_view(p, a, b_nk, BLayout::n_by_k, out.middleRows(10, m), ConstMatrixView(c), &bias);
  EXPECT_TRUE(identical(out.middleRows(10, m), expected));
  EXPECT_TRUE(out.topRows(10).array().isNaN().all());
  EXPECT_TRUE(out.bottomRows(10).array().isNaN().all());
  // beta = 0: C is not needed and not read.
  p.epilogue.beta = 0.0;
  MatrixD d(m, n);
  gemm_reference_view(p, a, b_nk, BLayout::n_by_k, d);
  EXPECT_TRUE(identical(d, gemm_reference(p, a, b_nk.transpose())));
}

TEST(GemmReferenceView, NamesTheOperandWithTheWrongShape) {
  const MatrixD a = MatrixD::Ones(4, 8), b_kn = MatrixD::Ones(8, 5);
  MatrixD d(4, 5);
  const GemmProblem p{4, 5, 8, {}};
  try {
    gemm_reference_view(p, a, b_kn, BLayout::n_by_k, d);
    FAIL() << "accepted a K×N B declared as N×K";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("B (stored N×K) is 8x5, the problem needs 5x8"), std::string::npos) << e.what();
  }
  EXPECT_THROW(gemm_reference_view(GemmProblem{4, 5, 8, {1.0, 1.0, 1.0}}, a, b_kn, BLayout::k_by_n, d),
               std::invalid_argument);  // beta != 0 without C
}

TEST(BlasInfo, CoreLevelsAndFallbackWarnings) {
  EXPECT_EQ(openblas_core_level("Prescott"), SimdLevel::sse);
  EXPECT_EQ(openblas_core_level("NEHALEM"), SimdLevel::sse);
  EXPECT_EQ(openblas_core_level("Sandybridge"), SimdLevel::avx);
  EXPECT_EQ(openblas_core_level("haswell"), SimdLevel::avx2);
  EXPECT_EQ(openblas_core_level("Zen"), SimdLevel::avx2);
  EXPECT_EQ(openblas_core_level("SkylakeX"), SimdLevel::avx512);
  EXPECT_EQ(openblas_core_level("Cooperlake"), SimdLevel::avx512);
  EXPECT_EQ(openblas_core_level("armv8"), std::nullopt);

  const std::string prescott = blas_fallback_warning("Prescott", SimdLevel::avx512);
  EXPECT_NE(prescott.find("Prescott"), std::string::npos) << prescott;
  EXPECT_NE(prescott.find("AVX-512"), std::string::npos) << prescott;
  EXPECT_NE(prescott.find("OPENBLAS_CORETYPE=SkylakeX"), std::string::npos) << prescott;
  EXPECT_EQ(prescott.find('\n'), std::string::npos);  // one line
  EXPECT_NE(blas_fallback_warning("Prescott", SimdLevel::avx2).find("OPENBLAS_CORETYPE=Haswell"), std::string::npos);
  EXPECT_NE(blas_fallback_warning("Sandybridge", SimdLevel::avx2), "");
  EXPECT_EQ(blas_fallback_warning("Haswell", SimdLevel::avx2), "");
  EXPECT_EQ(blas_fallback_warning("SkylakeX", SimdLevel::avx512), "");
  EXPECT_EQ(blas_fallback_warning("Prescott", SimdLevel::sse), "");
  EXPECT_EQ(blas_fallback_warning("somethingnew", SimdLevel::avx512), "");  // unknown: no guess
}

TEST(BlasInfo, SaysWhatRunsHere) {
  const BlasInfo info = blas_info();
  EXPECT_EQ(info.backend, product_backend());
  EXPECT_GE(info.threads, 1);
  if (info.backend == "OpenBLAS") {
    EXPECT_FALSE(info.core.empty());
    EXPECT_FALSE(info.config.empty());
    EXPECT_EQ(info.warning, blas_fallback_warning(info.core, info.cpu));
  } else {
    EXPECT_TRUE(info.core.empty());
    EXPECT_FALSE(info.fallback());
  }
  GTEST_LOG_(INFO) << info.backend << " core " << info.core << ", " << info.threads << " thread(s), CPU "
                   << simd_level_name(info.cpu) << (info.fallback() ? ": " + info.warning : "");
}

}  // namespace
}  // namespace fp8check::references
