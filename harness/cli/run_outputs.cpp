#include "harness/cli/run_outputs.hpp"

#include <cstdio>
#include <iostream>

#include "harness/io/output_path.hpp"
#include "harness/record/golden_update.hpp"
#include "harness/record/results_file.hpp"
#include "harness/report/reporter.hpp"

namespace fp8check::cli {

void check_run_outputs(const RunOutputPaths& paths, const RunInputs& inputs) {
  io::create_output_directory(paths.report);  // first: a results path equal to it is then a directory
  io::check_output_path(paths.results);
  io::check_not_an_input(paths.results, paths.golden, "the golden");
  for (const auto& [input, role] : inputs) io::check_not_an_input(paths.results, input, role);
  record::refuse_to_replace_a_golden(paths.results);
}

int write_run_outputs(const RunOutcome& outcome, const RunOutputPaths& paths) {
  for (const CaseResult& r : outcome.results)
    if (r.verdict == Verdict::regression) std::fprintf(stderr, "regression %s\n           %s\n", r.id.c_str(), r.reason.c_str());

  // Input errors (exit 2), not filesystem_error (exit 3), for a folder that is a file.
  if (paths.results.has_parent_path()) io::create_output_directory(paths.results.parent_path());
  record::ResultsWriteOptions wopts;
  wopts.regenerate = outcome.metadata.command_line;
  record::write_results(paths.results, outcome.metadata, outcome.results, wopts);
  io::create_output_directory(paths.report);
  report::make_reporter("console")->write(outcome.metadata, outcome.results, std::cout);
  const std::pair<const char*, const char*> files[] = {
      {"json", "summary.json"}, {"junit", "junit.xml"}, {"markdown", "report.md"}, {"html", "report.html"}};
  for (const auto& [kind, name] : files)
    report::write_report_file(*report::make_reporter(kind), paths.report / name, outcome.metadata, outcome.results);
  std::printf("\nresults: %s\nreport:  %s\n", paths.results.string().c_str(), (paths.report / "report.html").string().c_str());
  if (paths.golden.empty()) std::printf("golden:  none (fp8check golden update records one)\n");
  else std::printf("golden:  %s\n", paths.golden.string().c_str());
  // The console report's result line ignores --fail-on-skip; say it when it decides.
  const RunStatus plain = run_status(outcome.results);
  if (outcome.status.exit_code != plain.exit_code || outcome.status.line != plain.line)
    std::printf("status:  %s\n", outcome.status.line.c_str());
  return outcome.status.exit_code;
}

}  // namespace fp8check::cli
