// The accuracy report that the Markdown and HTML reporters render: written for a reader
// who did not write the suite. Order (docs/reports.md): title and verdict line; summary
// counts; failing cases first, each with reason, checks (observed vs limit) and seed key;
// known bugs this run guards against (seeded-bug cases); skipped cases by reason; plots,
// each with its data table; run metadata; every case in one table.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "harness/report/plot_data.hpp"
#include "harness/report/report_blocks.hpp"
#include "harness/record/case_result.hpp"

namespace fp8check::report {

struct AccuracyReport {
  std::string title;
  std::vector<Block> blocks;
  std::vector<Plot> plots;  // Block::plot indexes into these
};

AccuracyReport build_accuracy_report(const RunMetadata& metadata, std::span<const CaseResult> cases);

}  // namespace fp8check::report
