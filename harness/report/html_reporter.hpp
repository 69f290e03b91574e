// The accuracy report (accuracy_report.hpp) as ONE HTML file that opens offline: inline
// CSS, no scripts, no external references; plots drawn by gnuplot (gnuplot_runner.hpp)
// and embedded as inline SVG. When gnuplot cannot be run the report says so at the top
// of its plots and still gives every table.
#pragma once

#include "harness/report/reporter.hpp"

namespace fp8check::report {

class HtmlReporter final : public Reporter {
 public:
  explicit HtmlReporter(ReportOptions options = {}) : options_(std::move(options)) {}
  void write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const override;

 private:
  ReportOptions options_;
};

}  // namespace fp8check::report
