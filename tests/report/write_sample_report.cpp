// Writes every report of the synthetic run (synthetic_results.hpp) into a directory, for
// tests/report/html_chromium_test.sh and for looking at the reports by hand:
//   write_sample_report OUT_DIR
// OUT_DIR/expected.txt lists what the rendered HTML must show, one item a line:
//   "svg TITLE" per plot (its aria-label) and "case ID" per failing case.
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/report/plot_data.hpp"
#include "harness/report/reporter.hpp"
#include "harness/report/run_summary.hpp"
#include "synthetic_results.hpp"

int main(int argc, char** argv) {
  namespace report = fp8check::report;
  if (argc != 2) {
    std::cerr << "usage: write_sample_report OUT_DIR\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    const fp8check::RunMetadata metadata = fp8check::testing::synthetic_metadata();
    const std::vector<fp8check::CaseResult> cases = fp8check::testing::synthetic_results();
    for (const auto& [kind, file] : {std::pair{"html", "report.html"}, {"markdown", "report.md"}, {"json", "report.json"},
                                     {"junit", "report.xml"}, {"console", "console.txt"}})
      report::write_report_file(*report::make_reporter(kind), dir / file, metadata, cases);
    std::ofstream expected(dir / "expected.txt");
    for (const report::Plot& p : report::derive_plots(cases)) expected << "svg " << p.title << "\n";
    for (const fp8check::CaseResult* c : report::summarize(cases).failures) expected << "case " << c->id << "\n";
    return expected.flush() ? 0 : 3;
  } catch (const std::exception& e) {
    std::cerr << "write_sample_report: " << e.what() << "\n";
    return 3;
  }
}
