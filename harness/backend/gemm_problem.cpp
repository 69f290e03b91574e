#include "harness/backend/gemm_problem.hpp"

#include <bit>
#include <string>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"

namespace fp8check {

void GemmProblem::validate() const {
  auto fail = [](const std::string& what) { throw InputError("invalid emulated GEMM problem: " + what); };
  if (m < 0 || n < 1 || k < 1)
    fail("m = " + std::to_string(m) + ", n = " + std::to_string(n) + ", k = " + std::to_string(k) +
         "; expected m >= 0, n >= 1, k >= 1");
  if (groups < 1) fail("groups must be >= 1");
  if (kind == GemmKind::dense && groups != 1) fail("a dense GEMM has groups = 1 (use batched or a grouped kind)");
  if (kind == GemmKind::grouped_contiguous) {
    if (static_cast<std::int64_t>(group_row_offsets.size()) != groups + 1)
      fail("group_row_offsets has " + std::to_string(group_row_offsets.size()) + " entries; expected groups + 1 = " +
           std::to_string(groups + 1));
    if (group_row_offsets.front() != 0 || group_row_offsets.back() != m)
      fail("group_row_offsets must start at 0 and end at m = " + std::to_string(m));
    for (std::size_t g = 1; g < group_row_offsets.size(); ++g)
      if (group_row_offsets[g] < group_row_offsets[g - 1]) fail("group_row_offsets must be non-decreasing");
  } else if (!group_row_offsets.empty()) {
    fail("group_row_offsets is only for grouped_contiguous");
  }
  if (kind == GemmKind::grouped_masked) {
    if (static_cast<std::int64_t>(masked_m.size()) != groups)
      fail("masked_m has " + std::to_string(masked_m.size()) + " entries; expected one per group (" +
           std::to_string(groups) + ")");
    for (std::int64_t rows : masked_m)
      if (rows < 0 || rows > m)
        fail("masked_m entry " + std::to_string(rows) + " is outside [0, m = " + std::to_string(m) + "]");
  } else if (!masked_m.empty()) {
    fail("masked_m is only for grouped_masked");
  }
  if (beta != 0.0f) {
    if (c == nullptr) fail("beta != 0 needs C (set c, ldc)");
    if (ldc < n) fail("ldc " + std::to_string(ldc) + " is below n = " + std::to_string(n));
  }
}

double GemmOutput::value(std::int64_t b, std::int64_t r, std::int64_t c) const { return output_value(type, at(b, r, c)); }

void GemmOutput::prepare_for(const GemmProblem& p) {
  const std::int64_t want_batches = p.output_batches();
  const std::int64_t want_rows = p.stored_rows();
  if (type == p.output && batches == want_batches && rows == want_rows && cols == p.n &&
      bits.size() == static_cast<std::size_t>(want_batches * want_rows * p.n)) {
    return;
  }
  type = p.output;
  batches = want_batches;
  rows = want_rows;
  cols = p.n;
  bits.assign(static_cast<std::size_t>(batches * rows * cols), 0u);
}

std::vector<GemmRowUnit> gemm_row_units(const GemmProblem& p) {
  std::vector<GemmRowUnit> units;
  switch (p.kind) {
    case GemmKind::dense: units.push_back({0, 0, 0, p.m}); break;
    case GemmKind::batched:
      for (std::int64_t g = 0; g < p.groups; ++g) units.push_back({g, g, 0, p.m});
      break;
    case GemmKind::grouped_contiguous:
      for (std::int64_t g = 0; g < p.groups; ++g)
        units.push_back({0, g, p.group_row_offsets[g], p.group_row_offsets[g + 1] - p.group_row_offsets[g]});
      break;
    case GemmKind::grouped_masked:
      for (std::int64_t g = 0; g < p.groups; ++g) units.push_back({0, g, g * p.m, p.masked_m[g]});
      break;
  }
  return units;
}

}  // namespace fp8check
