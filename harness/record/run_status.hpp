// What a set of results says as a whole, in one line, and the exit code it gives
// (docs/cli.md): 0 every judged case passed; 1 a failure, regression or error, a run that
// judged no case at all, or (fail_on_skip) any skipped case; 3 a bug of fp8check itself
// (a case whose metric internal_error is set). A run that judged nothing is never a pass.
#pragma once

#include <span>
#include <string>

#include "harness/record/case_result.hpp"

namespace fp8check {

struct RunStatus {
  int exit_code = 0;
  // "all 71 judged cases passed (0 skipped)", "0 judged: 71 skipped: no GPU ...",
  // "3 of 71 cases failed, regressed or could not be judged", ...
  std::string line;
};

// `fail_on_skip`: a skipped case fails the run (GPU nightlies: no silent loss of coverage).
RunStatus run_status(std::span<const CaseResult> results, bool fail_on_skip = false);

}  // namespace fp8check
