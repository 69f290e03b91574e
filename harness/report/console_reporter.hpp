// The terminal summary: counts per verdict (overall, per op, per backend) and the total
// time, then one entry per failing case (verdict, id, seed key, reason), then the skipped
// cases grouped by reason. Passing cases are not listed. Every line fits
// ReportOptions::console_width columns (reasons wrap with a hanging indent); the text
// depends on the results only, so two runs with equal results print the same.
#pragma once

#include "harness/report/reporter.hpp"

namespace fp8check::report {

class ConsoleReporter final : public Reporter {
 public:
  explicit ConsoleReporter(std::size_t width = 120) : width_(width < 60 ? 60 : width) {}
  void write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const override;

 private:
  std::size_t width_;
};

}  // namespace fp8check::report
