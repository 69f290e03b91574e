#include "references/product.hpp"

#include <string>

#include "references/dense_product.hpp"
#include "references/operand_checks.hpp"

namespace fp8check::references {
namespace {

std::string shape_text(Eigen::Index rows, Eigen::Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

void check_product(const char* name, double alpha, const ConstMatrixView& a, const ConstMatrixView& b, BLayout layout,
                   double beta, const MatrixView& d) {
  const std::string context = name;
  detail::require_finite(context, "alpha", alpha);
  detail::require_finite(context, "beta", beta);
  const bool nk = layout == BLayout::n_by_k;
  const Eigen::Index depth = nk ? b.cols() : b.rows(), columns = nk ? b.rows() : b.cols();
  if (a.cols() != depth)
    detail::fail(context + ": A is " + shape_text(a.rows(), a.cols()) + " but B (" + (nk ? "N×K" : "K×N") + ") is " +
                 shape_text(b.rows(), b.cols()) + ": the K of A and B differ");
  if (d.rows() != a.rows() || d.cols() != columns)
    detail::fail(context + ": D is " + shape_text(d.rows(), d.cols()) + ", the product needs " +
                 shape_text(a.rows(), columns));
  if (detail::views_overlap(d, a) || detail::views_overlap(d, b)) detail::fail(context + ": D must not overlap A or B");
}

detail::Operand operand(BLayout layout) {
  return layout == BLayout::n_by_k ? detail::Operand::transposed : detail::Operand::as_is;
}

}  // namespace

void product(double alpha, ConstMatrixView a, ConstMatrixView b, BLayout b_layout, double beta, MatrixView d) {
  check_product("product", alpha, a, b, b_layout, beta, d);
  detail::multiply(alpha, a, b, operand(b_layout), d, beta);
}

void magnitude_product(double alpha, ConstMatrixView a, ConstMatrixView b, BLayout b_layout, double beta,
                       MatrixView d) {
  check_product("magnitude_product", alpha, a, b, b_layout, beta, d);
  const MatrixD abs_a = a.cwiseAbs(), abs_b = b.cwiseAbs();
  detail::multiply(alpha, abs_a, abs_b, operand(b_layout), d, beta);
}

}  // namespace fp8check::references
