// The accuracy report (accuracy_report.hpp) as GitHub-flavoured Markdown: headings,
// paragraphs and tables. Markdown has no offline plots, so each plot appears as its
// caption and data table; the HTML report draws them.
#pragma once

#include "harness/report/reporter.hpp"

namespace fp8check::report {

class MarkdownReporter final : public Reporter {
 public:
  void write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const override;
};

}  // namespace fp8check::report
