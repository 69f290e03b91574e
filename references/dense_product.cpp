#include "references/dense_product.hpp"

#include <algorithm>
#include <climits>
#include <string>

#include "references/operand_checks.hpp"

#ifdef FP8CHECK_REFERENCES_CBLAS
#include <cblas.h>
#endif

namespace fp8check::references {

void set_product_threads(int threads) {
#ifdef FP8CHECK_REFERENCES_CBLAS
  openblas_set_num_threads(threads < 1 ? 1 : threads);
#else
  (void)threads;  // Eigen's own products are single-threaded here (no OpenMP)
#endif
}

const char* product_backend() {
#ifdef FP8CHECK_REFERENCES_CBLAS
  return "OpenBLAS";
#else
  return "Eigen";
#endif
}

namespace detail {

namespace {

int blas_int(Eigen::Index value) {
  if (value > INT_MAX) fail("matrix product: size " + std::to_string(value) + " exceeds the BLAS limit 2^31 - 1");
  return static_cast<int>(value);
}

}  // namespace

int product_threads() {
#ifdef FP8CHECK_REFERENCES_CBLAS
  return openblas_get_num_threads();
#else
  return 1;
#endif
}

void multiply(double alpha, const Eigen::Ref<const MatrixD>& a, const Eigen::Ref<const MatrixD>& b, Operand op_b,
              Eigen::Ref<MatrixD> d, double beta) {
  const bool transposed = op_b == Operand::transposed;
  const Eigen::Index depth = a.cols();
  if (d.rows() == 0 || d.cols() == 0) return;
  if (depth == 0) {  // an empty sum; BLAS would also reject the zero leading dimensions
    if (beta == 0.0) d.setZero();
    else d *= beta;
    return;
  }
#ifdef FP8CHECK_REFERENCES_CBLAS
  // Row-major strides: the distance between rows, at least the row length.
  cblas_dgemm(CblasRowMajor, CblasNoTrans, transposed ? CblasTrans : CblasNoTrans, blas_int(d.rows()),
              blas_int(d.cols()), blas_int(depth), alpha, a.data(), blas_int(std::max(a.outerStride(), a.cols())),
              b.data(), blas_int(std::max(b.outerStride(), b.cols())), beta, d.data(),
              blas_int(std::max(d.outerStride(), d.cols())));
#else
  if (beta == 0.0) {
    if (transposed) d.noalias() = alpha * (a * b.transpose());
    else d.noalias() = alpha * (a * b);
  } else {
    d *= beta;
    if (transposed) d.noalias() += alpha * (a * b.transpose());
    else d.noalias() += alpha * (a * b);
  }
#endif
}

}  // namespace detail
}  // namespace fp8check::references
