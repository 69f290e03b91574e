// The dense types of the FP64 references. references/ sees no harness header, so it
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

// Threads the BLAS products may use (openblas_set_num_threads: process-wide). A harness
// running several cases at once sets 1, so its jobs do not oversubscribe the cores. The last
// bits of a product can depend on it: OpenBLAS orders the sums differently (seen with 0.3.21:
// a 777×999×555 product differs in 64 % of its elements between 1 and 2 threads, by up to
// 4e-11 relative where a sum cancels), so references are compared with tolerances.
void set_product_threads(int threads);

}  // namespace fp8check::references
