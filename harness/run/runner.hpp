// Runs a list of cases, `jobs` at a time, and returns their results in list order.
// Cases are independent and each is deterministic, so the results do not depend on
// `jobs`. Progress goes to a ProgressSink (a bar on a terminal, a line per failure
// otherwise: progress.hpp).
#pragma once

#include <functional>
#include <vector>

#include "harness/run/run_case.hpp"

namespace fp8check {

// Called once per finished case, from the thread that ran it, serialised by the runner.
using CaseDone = std::function<void(const CaseResult& result, std::size_t done, std::size_t total)>;

std::vector<CaseResult> run_cases(const std::vector<CaseInput>& cases, const RunContext& ctx, int jobs,
                                  const CaseDone& on_done = {});

}  // namespace fp8check
