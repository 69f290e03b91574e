// The dense types of the FP64 references. references/ depends on Eigen alone, so it
// spells out the same row-major alias as harness/core/matrix.hpp (fp8check::MatrixD is
// this very type): harness matrices are passed in as they are, without copies.
#pragma once

#include <Eigen/Core>

namespace fp8check::references {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVectorD = Eigen::Matrix<double, 1, Eigen::Dynamic, Eigen::RowMajor>;
using VectorD = Eigen::VectorXd;

// Which engine runs the references' matrix products: "OpenBLAS" (cblas_dgemm) or "Eigen"
// (dense_product.hpp). For benchmark and report context.
const char* product_backend();

// Threads the BLAS products may use. A harness running several cases at once sets 1, so
// its jobs do not oversubscribe the cores (results do not depend on it).
void set_product_threads(int threads);

}  // namespace fp8check::references
