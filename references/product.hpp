// The references' matrix products for callers that build on them: the terms of a GEMM's
// a-priori error bound (|A|·|B|), sums of products, operands read in place. Each is one BLAS
// call (dense_product.hpp: cblas_dgemm with OpenBLAS, else Eigen's product), never a loop.
#pragma once

#include "references/dense.hpp"

namespace fp8check::references {

// Read-only and writable views of row-major matrices: a whole MatrixD, or a block of rows of
// one (middleRows, topRows), without a copy.
using ConstMatrixView = Eigen::Ref<const MatrixD>;
using MatrixView = Eigen::Ref<MatrixD>;

// How B is stored: K×N (BLAS's B), or N×K, one row per output column, as weights are stored
// (cuBLASLt's "TN" layout; the harness's B). N×K is read in place as BLAS's transposed
// operand: never copied into a transpose.
enum class BLayout { k_by_n, n_by_k };

// d = alpha · a · op(b) + beta · d, op(b) = b (k_by_n) or bᵀ (n_by_k); a is M×K, op(b) K×N,
// d M×N. beta = 0: d is only written (it may hold anything before, NaN included).
// std::invalid_argument on mismatched shapes, non-finite alpha or beta, or d overlapping a or b.
void product(double alpha, ConstMatrixView a, ConstMatrixView b, BLayout b_layout, double beta, MatrixView d);

// d = alpha · |a| · |op(b)| + beta · d: the sums Σ_k |a_ik| |op(b)_kj| that the error bound of
// a computed product scales (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
// §3.5: |fl(AB) - AB| <= γ_K |A||B|). Copies |a| and |b| once, then one product.
void magnitude_product(double alpha, ConstMatrixView a, ConstMatrixView b, BLayout b_layout, double beta,
                       MatrixView d);

}  // namespace fp8check::references
