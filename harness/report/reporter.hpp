// Reporters turn a run's results into one report each (console, JSON, JUnit XML,
// Markdown, HTML); docs/reports.md says what each contains. They read results only,
// never kernels: RunMetadata and CaseResult (harness/record/case_result.hpp) are the whole
// input. The shape follows Google Benchmark's BenchmarkReporter and nvbench's printers:
// one small subclass per output format behind one interface.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "harness/record/case_result.hpp"

namespace fp8check::report {

struct ReportOptions {
  // The gnuplot program the HTML report draws its plots with: a name looked up in PATH or
  // a path. When it cannot be run the report says so and still gives every table.
  std::string gnuplot = "gnuplot";
  double gnuplot_timeout_seconds = 30;  // per plot; a plot that takes longer is left out
  std::size_t console_width = 120;      // the console report wraps its lines at this width
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  // Writes the whole report to `out`. Results with NaN/inf statistics, empty fields or no
  // cases at all are valid input; InputError only when a resource is missing (the HTML
  // report's temporary directory), InternalError on broken invariants.
  virtual void write(const RunMetadata& metadata, std::span<const CaseResult> cases,
                     std::ostream& out) const = 0;
};

// The reporter kinds by name, for command lines.
inline constexpr std::string_view kReporterKinds = "console, json, junit, markdown, html";
// kind: one of kReporterKinds; InputError naming the accepted kinds otherwise.
std::unique_ptr<Reporter> make_reporter(std::string_view kind, const ReportOptions& options = {});
// The kind a file name asks for by its extension: .json, .xml (JUnit), .md, .html/.htm;
// InputError naming the accepted extensions otherwise.
std::string_view reporter_kind_for_path(const std::filesystem::path& path);

// Renders the report in memory, then replaces `path` atomically (io::write_file_atomically),
// so a failed report never leaves a partial file behind.
void write_report_file(const Reporter& reporter, const std::filesystem::path& path,
                       const RunMetadata& metadata, std::span<const CaseResult> cases);

}  // namespace fp8check::report
