// What `run` and `verify` write and print once a run is judged: the results file
// (HDF5, atomically), the reports (console on stdout; JSON, JUnit XML, Markdown, HTML in
// the report folder), the regressions against the golden, and the status line. Returns
// the exit code the status gives.
#pragma once

#include <filesystem>
#include <string>

#include "harness/run/suite_run.hpp"

namespace fp8check::cli {

struct RunOutputPaths {
  std::filesystem::path results;  // results.h5
  std::filesystem::path report;   // report folder
  std::filesystem::path golden;   // compared with, "" when none (printed only)
};

int write_run_outputs(const RunOutcome& outcome, const RunOutputPaths& paths);

}  // namespace fp8check::cli
