// The GEMM references. Every kind reduces to one block operation on row ranges, so the
// arithmetic is written once (apply_gemm) and the kinds only check operands and slice.
#include "references/gemm_reference.hpp"

#include <optional>
#include <string>

#include "references/dense_product.hpp"
#include "references/operand_checks.hpp"

namespace fp8check::references {

namespace {

using detail::describe;
using detail::require_shape;
using ConstBlock = Eigen::Ref<const MatrixD>;
using Block = Eigen::Ref<MatrixD>;

// d = out_scale · (alpha · (a·b) + beta · c + bias); c is absent when beta == 0. The product
// is one GEMM with alpha folded in (dense_product.hpp); each later term is one rounding per
// element, and multiplying by 1 is skipped because it is exact.
void apply_gemm(const GemmEpilogue& e, const ConstBlock& a, const ConstBlock& b, BLayout b_layout,
                const std::optional<ConstBlock>& c, const RowVectorD* bias, Block d) {
  detail::multiply(e.alpha, a, b, b_layout == BLayout::n_by_k ? detail::Operand::transposed : detail::Operand::as_is, d);
  if (c) d += e.beta * *c;
  if (bias != nullptr) d.rowwise() += *bias;
  if (e.out_scale != 1.0) d *= e.out_scale;
}

// Checks the bias and whether C is needed (beta != 0) and present.
void check_addends(const std::string& context, const GemmEpilogue& e, bool has_c, const RowVectorD* bias,
                   std::int64_t n) {
  if (e.beta != 0.0 && !has_c) {
    detail::fail(context + ": beta is " + detail::exact_text(e.beta) +
                 " but no C was given; pass C, or beta = 0 for D without C");
  }
  if (bias != nullptr) detail::require_length(context, "bias", bias->cols(), n);
}

void check_per_problem(const std::string& context, const char* operand, const std::vector<MatrixD>& matrices,
                       std::int64_t count, std::int64_t rows, std::int64_t cols) {
  detail::require_length(context, std::string("the list of ") + operand, static_cast<std::int64_t>(matrices.size()),
                         count);
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    require_shape(context, std::string(operand) + "[" + std::to_string(i) + "]", matrices[i], rows, cols);
  }
}

// D is written before C is read, so they must be different matrices (unlike BLAS's in-place C).
void require_distinct_output(const std::string& context, const void* d, const void* a, const void* b,
                             const void* c) {
  if (d == a || d == b || d == c) detail::fail(context + ": D must be a different object from A, B and C");
}

}  // namespace

void gemm_reference_into(const GemmProblem& problem, const MatrixD& a, const MatrixD& b, MatrixD& d,
                         const MatrixD* c, const RowVectorD* bias) {
  problem.validate();
  const std::string context = describe(problem);
  require_shape(context, "A", a, problem.m, problem.k);
  require_shape(context, "B", b, problem.k, problem.n);
  const bool read_c = problem.epilogue.beta != 0.0;
  check_addends(context, problem.epilogue, c != nullptr, bias, problem.n);
  if (read_c) require_shape(context, "C", *c, problem.m, problem.n);
  require_distinct_output(context, &d, &a, &b, c);

  d.resize(problem.m, problem.n);
  std::optional<ConstBlock> c_block;
  if (read_c) c_block.emplace(*c);
  apply_gemm(problem.epilogue, a, b, BLayout::k_by_n, c_block, bias, d);
}

void gemm_reference_view(const GemmProblem& problem, ConstMatrixView a, ConstMatrixView b, BLayout b_layout,
                         MatrixView d, const std::optional<ConstMatrixView>& c, const RowVectorD* bias) {
  problem.validate();
  const std::string context = describe(problem);
  require_shape(context, "A", a, problem.m, problem.k);
  if (b_layout == BLayout::n_by_k) require_shape(context, "B (stored N×K)", b, problem.n, problem.k);
  else require_shape(context, "B", b, problem.k, problem.n);
  require_shape(context, "D (a view of the output)", d, problem.m, problem.n);
  const bool read_c = problem.epilogue.beta != 0.0;
  check_addends(context, problem.epilogue, c.has_value(), bias, problem.n);
  if (read_c) require_shape(context, "C", *c, problem.m, problem.n);
  // The product writes d before C is read: d must share no memory with an operand.
  const auto shares_memory = [&d](const ConstBlock& x) { return detail::views_overlap(d, x); };
  if (shares_memory(a) || shares_memory(b) || (read_c && shares_memory(*c)))
    detail::fail(context + ": D must not overlap A, B or C");
  apply_gemm(problem.epilogue, a, b, b_layout, read_c ? c : std::nullopt, bias, d);
}

MatrixD gemm_reference(const GemmProblem& problem, const MatrixD& a, const MatrixD& b, const MatrixD* c,
                       const RowVectorD* bias) {
  MatrixD d;
  gemm_reference_into(problem, a, b, d, c, bias);
  return d;
}

std::vector<MatrixD> batched_gemm_reference(const BatchedGemmProblem& problem, const std::vector<MatrixD>& a,
                                            const std::vector<MatrixD>& b, const std::vector<MatrixD>* c,
                                            const RowVectorD* bias) {
  problem.validate();
  const std::string context = describe(problem);
  check_per_problem(context, "A", a, problem.batch, problem.m, problem.k);
  check_per_problem(context, "B", b, problem.batch, problem.k, problem.n);
  const bool read_c = problem.epilogue.beta != 0.0;
  check_addends(context, problem.epilogue, c != nullptr, bias, problem.n);
  if (read_c) check_per_problem(context, "C", *c, problem.batch, problem.m, problem.n);

  std::vector<MatrixD> d(a.size(), MatrixD(problem.m, problem.n));
  for (std::size_t i = 0; i < d.size(); ++i) {
    std::optional<ConstBlock> c_block;
    if (read_c) c_block.emplace((*c)[i]);
    apply_gemm(problem.epilogue, a[i], b[i], BLayout::k_by_n, c_block, bias, d[i]);
  }
  return d;
}

void grouped_contiguous_gemm_reference(const GroupedContiguousGemmProblem& problem, const MatrixD& a,
                                       const std::vector<MatrixD>& b, MatrixD& d, const MatrixD* c,
                                       const RowVectorD* bias) {
  problem.validate();
  const std::string context = describe(problem);
  const std::int64_t rows = problem.total_rows();
  require_shape(context, "A", a, rows, problem.k);
  check_per_problem(context, "B", b, problem.groups(), problem.k, problem.n);
  require_shape(context, "D (sized by the caller)", d, rows, problem.n);
  const bool read_c = problem.epilogue.beta != 0.0;
  check_addends(context, problem.epilogue, c != nullptr, bias, problem.n);
  if (read_c) require_shape(context, "C", *c, rows, problem.n);
  require_distinct_output(context, &d, &a, &b, c);

  for (std::int64_t g = 0; g < problem.groups(); ++g) {
    const std::int64_t first = problem.row_offset(g);
    const std::int64_t count = problem.group_rows[static_cast<std::size_t>(g)];
    std::optional<ConstBlock> c_rows;
    if (read_c) c_rows.emplace(c->middleRows(first, count));
    apply_gemm(problem.epilogue, a.middleRows(first, count), b[static_cast<std::size_t>(g)], BLayout::k_by_n, c_rows, bias,
               d.middleRows(first, count));
  }
}

void grouped_masked_gemm_reference(const GroupedMaskedGemmProblem& problem, const std::vector<MatrixD>& a,
                                   const std::vector<MatrixD>& b, std::vector<MatrixD>& d,
                                   const std::vector<MatrixD>* c, const RowVectorD* bias) {
  problem.validate();
  const std::string context = describe(problem);
  check_per_problem(context, "A", a, problem.groups, problem.max_rows, problem.k);
  check_per_problem(context, "B", b, problem.groups, problem.k, problem.n);
  check_per_problem(context, "D (sized by the caller)", d, problem.groups, problem.max_rows, problem.n);
  const bool read_c = problem.epilogue.beta != 0.0;
  check_addends(context, problem.epilogue, c != nullptr, bias, problem.n);
  if (read_c) check_per_problem(context, "C", *c, problem.groups, problem.max_rows, problem.n);
  require_distinct_output(context, &d, &a, &b, c);

  for (std::size_t g = 0; g < d.size(); ++g) {
    const std::int64_t count = problem.valid_rows[g];
    std::optional<ConstBlock> c_rows;
    if (read_c) c_rows.emplace((*c)[g].topRows(count));
    apply_gemm(problem.epilogue, a[g].topRows(count), b[g], BLayout::k_by_n, c_rows, bias, d[g].topRows(count));
  }
}

}  // namespace fp8check::references
