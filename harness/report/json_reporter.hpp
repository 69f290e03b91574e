// The machine-readable report: run metadata, the summary counts and every case (params,
// verdict, reason, checks, error statistics, metrics, output digest). The schema is in
// docs/reports.md ("JSON"); `format` and `schema_version` identify it.
//
// Non-finite doubles are not JSON numbers (RFC 8259, section 6), so every double field
// is either a number or one of the strings "inf", "-inf", "nan".
#pragma once

#include "harness/report/reporter.hpp"

namespace fp8check::report {

inline constexpr std::string_view kJsonReportFormat = "fp8check-report";
inline constexpr int kJsonReportSchemaVersion = 1;

class JsonReporter final : public Reporter {
 public:
  void write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const override;
};

}  // namespace fp8check::report
