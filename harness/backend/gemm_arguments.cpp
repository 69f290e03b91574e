#include "harness/backend/gemm_arguments.hpp"

#include <string>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

bool element_matches(const GemmOperand& op, ElementType t) {
  if (t.is_integer()) return op.storage == ElementStorage::int8_values;
  if (op.storage == ElementStorage::codes) return op.code_format == t.format;
  return op.storage == ElementStorage::f32_values;
}

}  // namespace

void GemmArguments::validate() const {
  desc.validate();
  problem.validate();
  a.validate("A");
  b.validate("B");
  config.validate();
  auto fail = [](const std::string& what) { throw InputError("GEMM arguments disagree with the problem: " + what); };
  if (problem.kind != desc.kind) fail("the run-time problem's kind differs from the descriptor's");
  if (problem.n != desc.n || problem.k != desc.k || problem.groups != desc.groups)
    fail("n, k or groups of the run-time problem differ from the descriptor's");
  const std::int64_t rows = desc.kind == GemmKind::grouped_contiguous ? desc.stored_rows() : desc.m;
  if (problem.m != rows) fail("m = " + std::to_string(problem.m) + ", expected " + std::to_string(rows));
  if (problem.output != desc.d_type) fail("output type differs from the descriptor's");
  if (a.k_major != desc.a_k_major || b.k_major != desc.b_k_major) fail("operand layouts differ from " + desc.layout());
  if (!element_matches(a, desc.a_type)) fail("A's element storage is not " + std::string(desc.a_type.name()));
  if (!element_matches(b, desc.b_type)) fail("B's element storage is not " + std::string(desc.b_type.name()));
  if (a.k != desc.k || b.k != desc.k || b.mn != desc.n) fail("operand extents differ from the descriptor's");
}

}  // namespace fp8check
