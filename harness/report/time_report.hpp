// Where a run's time went (docs/reports.md, "Time"): the seconds of every pipeline stage
// summed per op, as one stacked bar per op (stages in pipeline order), and the slowest
// cases with their stage breakdown. Only for results that recorded stage times.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "harness/record/case_result.hpp"
#include "harness/report/plot_data.hpp"

namespace fp8check::report {

// nullopt when no case recorded stage times.
std::optional<Plot> stage_time_plot(std::span<const CaseResult> cases);

// The `count` slowest cases (by CaseResult::seconds, ties in run order): id, seconds,
// then each stage's seconds.
Table slowest_cases_table(std::span<const CaseResult> cases, std::size_t count);

}  // namespace fp8check::report
