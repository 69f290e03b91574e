// `fp8check selftest`: the harness proves it catches the kernel bugs it claims to. The
// selftest suite (suites/selftest.toml) runs every injected fault class on a case built for
// it, next to its clean twin (the same case with fault = "none"); judge_selftest reads the
// results: each fault must be caught by some check on every case built for it, and each
// clean twin must pass with no check flagged (docs/selftest.md).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "harness/record/case_result.hpp"
#include "harness/record/run_status.hpp"
#include "harness/run/case_axes.hpp"
#include "kernels/emulated/emulated_backend.hpp"

namespace fp8check {

struct SelftestCase {
  std::string id;
  bool caught = false;  // the case passed because a check caught its fault
  // Caught: the checks that caught it, "name: observed (limit L); ...". Otherwise why not
  // (the verdict's reason: "went unnoticed: every check passed", a skip or an error).
  std::string how;
};

struct FaultFinding {
  std::string op, fault;
  std::vector<SelftestCase> cases;  // the suite's cases with this fault, in run order
  // At least one case, and every case caught it.
  bool caught() const;
};

struct FlaggedCase {
  std::string id;
  std::string why;  // a clean twin that did not pass; a fault case without a twin
};

struct SelftestOutcome {
  std::vector<FaultFinding> faults;  // every fault class asked for, in that order
  std::size_t clean_twins = 0;       // cases with fault = "none"
  std::vector<FlaggedCase> flagged;
  // 0: every fault caught, no twin flagged; 1 otherwise (3 for a bug of fp8check).
  RunStatus status;
};

// `classes`: the faults that must be caught (injectable_faults()). Results of ops without
// a fault axis are ignored.
SelftestOutcome judge_selftest(std::span<const CaseResult> results, std::span<const InjectableFault> classes);

}  // namespace fp8check
