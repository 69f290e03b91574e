// The one matrix product of the references, d = alpha · a · op(b), on row-major blocks.
// With OpenBLAS (FP8CHECK_REFERENCES_CBLAS) it is one cblas_dgemm call: OpenBLAS picks its
// kernels for the CPU at run time, so a portable build (no -march=native) still runs at the
// CPU's speed. Without it, Eigen's own product.
//
// cblas_dgemm is called directly rather than through EIGEN_USE_BLAS: that macro changes the
// bodies of Eigen's inline product templates, so one program mixing translation units with
// and without it holds two definitions of one symbol (an ODR violation; the linker keeps
// either). Called this way, Eigen's templates are the same everywhere.
#pragma once

#include "references/dense.hpp"

namespace fp8check::references::detail {

enum class Operand { as_is, transposed };

// d (rows of a × columns of op(b)) = alpha · a · op(b) + beta · d. With beta = 0, d is not
// read (BLAS: "when beta is zero, C need not be set"), so it may hold anything, NaN included.
// d must not overlap a or b. Sizes above 2^31 - 1 (the int of the BLAS interface) throw
// std::invalid_argument.
void multiply(double alpha, const Eigen::Ref<const MatrixD>& a, const Eigen::Ref<const MatrixD>& b, Operand op_b,
              Eigen::Ref<MatrixD> d, double beta = 0.0);

// Threads one multiply() call runs on: OpenBLAS's own count (OPENBLAS_NUM_THREADS, default
// one per core), or 1 with Eigen (built without OpenMP).
int product_threads();

}  // namespace fp8check::references::detail
