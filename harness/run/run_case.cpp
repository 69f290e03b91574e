#include "harness/run/run_case.hpp"

#include <chrono>
#include <exception>
#include <new>

#include "harness/core/error.hpp"
#include "harness/run/ops.hpp"

namespace fp8check {

void mark_skipped(CaseResult& result, std::string reason) {
  result.verdict = Verdict::skipped;
  result.reason = std::move(reason);
}

void judge_injected_fault(std::string_view fault, CaseResult& result) {
  // A case with an injected kernel bug replays a real failure: it passes when the
  // harness catches the bug (some check fails) and fails when the bug goes unnoticed.
  result.metrics["fault_detected"] = result.verdict == Verdict::fail ? 1.0 : 0.0;
  if (result.verdict == Verdict::fail) {
    result.verdict = Verdict::pass;
    result.reason = "injected fault " + std::string(fault) + " caught: " + result.reason;
  } else if (result.verdict == Verdict::pass) {
    result.verdict = Verdict::fail;
    result.reason = "injected fault " + std::string(fault) + " went unnoticed: every check passed";
  }
}

CaseResult run_case(const CaseInput& c, const RunContext& ctx) {
  CaseResult result;
  result.id = c.id;
  result.op = c.op;
  result.params = c.params;
  // Known before the op parses anything, so a case that fails early still names its backend.
  for (const auto& [axis, value] : c.params)
    if (axis == "backend") result.backend = value;
  const auto start = std::chrono::steady_clock::now();
  // Verdicts as data: whatever goes wrong in one case is that case's error, never the
  // run's. A bug of fp8check itself is marked (metric internal_error) so the run's exit
  // code can say so (docs/cli.md: 3 only for a bug of fp8check).
  auto fail_with = [&](std::string reason, bool internal) {
    result.verdict = Verdict::error;
    result.reason = std::move(reason);
    result.checks.clear();
    if (internal) result.metrics["internal_error"] = 1;
  };
  try {
    find_op(c.op).run(c, ctx, result);
  } catch (const InputError& e) {
    fail_with(e.what(), false);
  } catch (const std::bad_alloc&) {
    fail_with("out of memory: the case's inputs, references or outputs do not fit in this machine's memory "
              "(use a smaller shape)", false);
  } catch (const Error& e) {
    fail_with("internal error at " + describe_location(e.where()) + ": " + e.what() + " (a bug of fp8check)", true);
  } catch (const std::exception& e) {
    fail_with(std::string("internal error: ") + e.what() + " (a bug of fp8check)", true);
  } catch (...) {
    fail_with("internal error: an unknown exception (a bug of fp8check)", true);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!c.seed_bug.empty()) result.params.emplace_back("seed_bug", c.seed_bug);
  return result;
}

}  // namespace fp8check
