// A suite run as a library call: the selected cases run `jobs` at a time, are compared
// with the golden when one is given, described by RunMetadata and concluded in a RunStatus
// (exit code and one line). The CLI (`fp8check run`) only parses options, prints and
// writes the files; tests and other programs call run_suite directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/configs/device_profile.hpp"
#include "harness/record/golden.hpp"
#include "harness/record/run_status.hpp"
#include "harness/run/runner.hpp"
#include "harness/suite/suite_spec.hpp"

namespace fp8check {

struct SuiteRun {
  const SuiteSpec* spec = nullptr;        // name, file and hash are recorded
  const DeviceProfile* device = nullptr;  // the run's device profile
  std::vector<CaseInput> cases;           // after filter, shard and backend override
  std::uint64_t seed = 0;
  int jobs = 1;
  // Threads inside one case (input generation, the emulated kernels, the references' BLAS
  // and the attention reference's heads): 0 = case_threads(jobs). No result bit depends on it.
  int threads_per_case = 0;
  bool baseline = true;      // check (b) where affordable (RunContext::baseline)
  bool fail_on_skip = false; // any skipped case fails the run
  std::string declared_kernel_model;  // RunContext::declared_kernel_model
  const record::ResultsFile* golden = nullptr;  // compared with when given
  record::GoldenPolicy golden_policy;
  std::string filter = "*";  // as given, recorded
  std::string shard;         // "i/n" as selected, "" when the run is whole
  std::string command_line;  // recorded, and the results file's `regenerate`
  CaseDone on_done;          // progress, called once per finished case
};

struct RunOutcome {
  RunMetadata metadata;
  std::vector<CaseResult> results;                 // in case order; golden verdicts applied
  std::optional<record::GoldenComparison> golden;  // when a golden was given
  RunStatus status;
};

// InputError for a run without a spec or device.
RunOutcome run_suite(const SuiteRun& run);

// RunMetadata of this build, machine and moment (build info, host, start time, the BLAS
// as it is now set up: references::blas_info()); the caller fills in what the run was.
RunMetadata describe_this_run();

// Threads one case may use when `jobs` cases run at once: the machine's hardware threads
// with one job (its stages would leave the other cores idle), else 1 (the jobs share the
// cores).
int case_threads(int jobs);

// Sets the references' BLAS threads for a run of `jobs` cases at once: 1 per product when
// jobs > 1 (the jobs already share the cores), else what the process started with
// (OpenBLAS: OPENBLAS_NUM_THREADS, or one per core). run_suite calls it; a caller that
// prints the run's BLAS before the run calls it first.
void configure_blas_threads(int jobs);

// "OpenBLAS 0.3.21 (...), core Cooperlake, 2 threads per product": the run header's BLAS.
std::string blas_summary(const RunMetadata& m);

}  // namespace fp8check
