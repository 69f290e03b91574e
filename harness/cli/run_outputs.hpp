// What `run` and `verify` write and print once a run is judged: the results file
// (HDF5, atomically), the reports (console on stdout; JSON, JUnit XML, Markdown, HTML in
// the report folder), the regressions against the golden, and the status line. Returns
// the exit code the status gives.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "harness/run/suite_run.hpp"

namespace fp8check::cli {

struct RunOutputPaths {
  std::filesystem::path results;  // results.h5
  std::filesystem::path report;   // report folder
  std::filesystem::path golden;   // compared with, "" when none (printed only)
};

// What a run reads besides its golden, each with what it is ("the suite file"): the
// results file may be none of them.
using RunInputs = std::vector<std::pair<std::filesystem::path, std::string>>;

// Before the run: creates the report folder, then checks the results path (a missing or
// regular file in a directory that exists or can be made, not the report folder, no golden,
// not the golden compared with nor any of `inputs`): a bad path is exit 2 in a second,
// before any case runs, and nothing a run reads is replaced by its results.
void check_run_outputs(const RunOutputPaths& paths, const RunInputs& inputs);

int write_run_outputs(const RunOutcome& outcome, const RunOutputPaths& paths);

}  // namespace fp8check::cli
