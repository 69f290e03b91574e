// The GEMM descriptors: validation and text form.
#include <ostream>

#include "references/gemm_reference.hpp"
#include "references/operand_checks.hpp"

namespace fp8check::references {

using detail::describe;
using detail::exact_text;
using detail::require_finite;
using detail::require_non_negative;
using detail::require_positive;

namespace {

void print_rows(std::ostream& os, const std::vector<std::int64_t>& rows) {
  os << '[';
  for (std::size_t i = 0; i < rows.size(); ++i) os << (i ? ", " : "") << rows[i];
  os << ']';
}

}  // namespace

void GemmEpilogue::validate() const {
  const std::string context = "GEMM epilogue {" + describe(*this) + "}";
  require_finite(context, "alpha", alpha);
  require_finite(context, "beta", beta);
  require_finite(context, "out_scale", out_scale);
}

void GemmProblem::validate() const {
  const std::string context = describe(*this);
  require_non_negative(context, "m", m);
  require_non_negative(context, "n", n);
  require_non_negative(context, "k", k);
  epilogue.validate();
}

void BatchedGemmProblem::validate() const {
  const std::string context = describe(*this);
  require_non_negative(context, "batch", batch);
  require_non_negative(context, "m", m);
  require_non_negative(context, "n", n);
  require_non_negative(context, "k", k);
  epilogue.validate();
}

void GroupedContiguousGemmProblem::validate() const {
  const std::string context = describe(*this);
  for (std::int64_t rows : group_rows) require_non_negative(context, "a group's rows (group_rows)", rows);
  require_non_negative(context, "n", n);
  require_non_negative(context, "k", k);
  require_positive(context, "row_alignment", row_alignment);
  epilogue.validate();
}

std::int64_t GroupedContiguousGemmProblem::row_offset(std::int64_t group) const {
  std::int64_t offset = 0;
  for (std::int64_t g = 0; g < group; ++g) {
    const std::int64_t end = offset + group_rows[static_cast<std::size_t>(g)];
    offset = (end + row_alignment - 1) / row_alignment * row_alignment;
  }
  return offset;
}

std::int64_t GroupedContiguousGemmProblem::total_rows() const { return row_offset(groups()); }

void GroupedMaskedGemmProblem::validate() const {
  const std::string context = describe(*this);
  require_non_negative(context, "groups", groups);
  require_non_negative(context, "max_rows", max_rows);
  require_non_negative(context, "n", n);
  require_non_negative(context, "k", k);
  detail::require_length(context, "valid_rows", static_cast<std::int64_t>(valid_rows.size()), groups);
  for (std::int64_t rows : valid_rows) {
    if (rows < 0 || rows > max_rows) {
      detail::fail(context + ": valid_rows holds " + std::to_string(rows) + "; each must be in [0, max_rows = " +
                   std::to_string(max_rows) + "]");
    }
  }
  epilogue.validate();
}

std::ostream& operator<<(std::ostream& os, const GemmEpilogue& e) {
  return os << "alpha=" << exact_text(e.alpha) << ", beta=" << exact_text(e.beta)
            << ", out_scale=" << exact_text(e.out_scale);
}

std::ostream& operator<<(std::ostream& os, const GemmProblem& p) {
  return os << "GEMM {m=" << p.m << ", n=" << p.n << ", k=" << p.k << ", " << p.epilogue << '}';
}

std::ostream& operator<<(std::ostream& os, const BatchedGemmProblem& p) {
  return os << "batched GEMM {batch=" << p.batch << ", m=" << p.m << ", n=" << p.n << ", k=" << p.k << ", "
            << p.epilogue << '}';
}

std::ostream& operator<<(std::ostream& os, const GroupedContiguousGemmProblem& p) {
  os << "grouped contiguous GEMM {group_rows=";
  print_rows(os, p.group_rows);
  return os << ", n=" << p.n << ", k=" << p.k << ", row_alignment=" << p.row_alignment << ", " << p.epilogue
            << '}';
}

std::ostream& operator<<(std::ostream& os, const GroupedMaskedGemmProblem& p) {
  os << "grouped masked GEMM {groups=" << p.groups << ", max_rows=" << p.max_rows << ", n=" << p.n
     << ", k=" << p.k << ", valid_rows=";
  print_rows(os, p.valid_rows);
  return os << ", " << p.epilogue << '}';
}

}  // namespace fp8check::references
