// Argument checks shared by the fast emulated GEMM and its plain reference.
#include <string>

#include "harness/core/error.hpp"
#include "kernels/emulated/gemm_emulated.hpp"

namespace fp8check::detail {
namespace {

void expect_extent(const char* role, const char* what, std::int64_t got, std::int64_t want, const char* why) {
  if (got != want)
    throw InputError(std::string("GEMM operand ") + role + ": " + what + " is " + std::to_string(got) +
                     " but the problem needs " + std::to_string(want) + " (" + why + ")");
}

}  // namespace

void validate_gemm_arguments(const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                             const GemmConfig& config, const AccumulationModel& model, int threads) {
  problem.validate();
  config.validate();
  model.validate();
  if (threads < 0) throw InputError("GEMM threads " + std::to_string(threads) + " must be >= 0 (0 = all hardware threads)");
  a.validate("A");
  b.validate("B");
  expect_extent("A", "mn", a.mn, problem.stored_rows(), "stored rows: m, or groups * m for grouped_masked");
  expect_extent("A", "k", a.k, problem.k, "K");
  expect_extent("A", "batches", a.batches, problem.output_batches(), "groups for batched, else 1");
  expect_extent("B", "mn", b.mn, problem.n, "N");
  expect_extent("B", "k", b.k, problem.k, "K");
  expect_extent("B", "batches", b.batches, problem.kind == GemmKind::dense ? 1 : problem.groups,
                "one B matrix per batch or group");
  if (a.is_integer() != b.is_integer())
    throw InputError("GEMM operands: A is " + std::string(a.is_integer() ? "integer" : "floating-point") +
                     " but B is " + (b.is_integer() ? "integer" : "floating-point") +
                     "; both must be integers (INT8/INT4) or both low-precision floats");
}

}  // namespace fp8check::detail
