// FP64 reference GEMMs: the answers GEMM kernels are judged against (docs/references.md).
//
//   D = out_scale · (alpha · (A·B) + beta · C + bias)
//
// A is M×K, B is K×N, C and D are M×N, bias is a length-N row added to every row.
// Operands are FP64: either the kernel's dequantized inputs (codes · scales), which
// isolates the kernel's own error, or the original high-precision tensors, which gives
// the total error of quantization plus kernel.
//
// Conventions (cuBLASLt's, cuBLASLt docs "cublasLtMatmul"):
// - C is read only when beta != 0, as BLAS's "when beta is zero, C need not be set".
// - out_scale multiplies last: the dequantization reciprocal, like cuBLASLt's D scale
//   (CUBLASLT_MATMUL_DESC_D_SCALE_POINTER), applied after the bias.
// - Batched and grouped kinds use one bias for every problem.
//
// Every function checks its descriptor (validate()) and its operands' shapes and throws
// std::invalid_argument naming the operand, its shape and the shape the problem needs.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <vector>

#include "references/dense.hpp"
#include "references/product.hpp"

namespace fp8check::references {

// The scalars of the epilogue, shared by every GEMM kind.
struct GemmEpilogue {
  double alpha = 1.0;
  double beta = 0.0;
  double out_scale = 1.0;

  void validate() const;  // every scalar finite
};

// One GEMM.
struct GemmProblem {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  GemmEpilogue epilogue;

  void validate() const;  // sizes >= 0, epilogue valid
};

// `batch` independent problems of one shape; operands are one matrix per problem.
struct BatchedGemmProblem {
  std::int64_t batch = 0;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  GemmEpilogue epilogue;

  void validate() const;
};

// DeepGEMM's grouped "contiguous" layout (MoE): the rows of every group's A are stacked in
// one matrix, group g has its own B (K×N) and group_rows[g] rows starting at row_offset(g).
// Each group starts at a multiple of row_alignment (DeepGEMM pads groups to its block M);
// the padding rows between groups are neither read (A, C) nor written (D).
struct GroupedContiguousGemmProblem {
  std::vector<std::int64_t> group_rows;  // M_g
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::int64_t row_alignment = 1;
  GemmEpilogue epilogue;

  void validate() const;
  std::int64_t groups() const { return static_cast<std::int64_t>(group_rows.size()); }
  std::int64_t row_offset(std::int64_t group) const;  // first row of `group`
  std::int64_t total_rows() const;                     // rows of A, C and D, padding included
};

// DeepGEMM's grouped "masked" layout: A is padded to max_rows rows per group and only the
// first valid_rows[g] rows of group g are computed; padded rows are neither read (A, C)
// nor written (D), so they keep whatever the caller put there.
struct GroupedMaskedGemmProblem {
  std::int64_t groups = 0;
  std::int64_t max_rows = 0;  // M_max
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::vector<std::int64_t> valid_rows;  // one per group, each in [0, max_rows]
  GemmEpilogue epilogue;

  void validate() const;
};

std::ostream& operator<<(std::ostream& os, const GemmEpilogue& e);
std::ostream& operator<<(std::ostream& os, const GemmProblem& p);
std::ostream& operator<<(std::ostream& os, const BatchedGemmProblem& p);
std::ostream& operator<<(std::ostream& os, const GroupedContiguousGemmProblem& p);
std::ostream& operator<<(std::ostream& os, const GroupedMaskedGemmProblem& p);

// One GEMM into d (resized to M×N; reusing d avoids reallocating it). c may be null when
// beta == 0; bias may be null (no bias).
void gemm_reference_into(const GemmProblem& problem, const MatrixD& a, const MatrixD& b, MatrixD& d,
                         const MatrixD* c = nullptr, const RowVectorD* bias = nullptr);
MatrixD gemm_reference(const GemmProblem& problem, const MatrixD& a, const MatrixD& b,
                       const MatrixD* c = nullptr, const RowVectorD* bias = nullptr);

// One GEMM into the view d, which already has the M×N shape (a whole matrix, or rows of a
// larger one): operands are read in place, B in either layout (K×N, or N×K as weights are
// stored; product.hpp), so nothing is copied or transposed. c is read only when beta != 0.
// d must not overlap a, b or c.
void gemm_reference_view(const GemmProblem& problem, ConstMatrixView a, ConstMatrixView b, BLayout b_layout,
                         MatrixView d, const std::optional<ConstMatrixView>& c = std::nullopt,
                         const RowVectorD* bias = nullptr);

// a, b (and c) hold `batch` matrices each; returns `batch` M×N results.
std::vector<MatrixD> batched_gemm_reference(const BatchedGemmProblem& problem, const std::vector<MatrixD>& a,
                                            const std::vector<MatrixD>& b, const std::vector<MatrixD>* c = nullptr,
                                            const RowVectorD* bias = nullptr);

// a: total_rows × K; b: one K×N per group; c and d: total_rows × N. d must have that shape
// already: only the groups' rows are written.
void grouped_contiguous_gemm_reference(const GroupedContiguousGemmProblem& problem, const MatrixD& a,
                                       const std::vector<MatrixD>& b, MatrixD& d, const MatrixD* c = nullptr,
                                       const RowVectorD* bias = nullptr);

// a: one max_rows × K per group; b: one K×N per group; c and d: one max_rows × N per group.
// d must have that shape already: only the first valid_rows[g] rows of d[g] are written.
void grouped_masked_gemm_reference(const GroupedMaskedGemmProblem& problem, const std::vector<MatrixD>& a,
                                   const std::vector<MatrixD>& b, std::vector<MatrixD>& d,
                                   const std::vector<MatrixD>* c = nullptr, const RowVectorD* bias = nullptr);

}  // namespace fp8check::references
