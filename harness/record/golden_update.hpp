// Received -> approved: what `fp8check golden update` would change in a golden, and
// writing it. A golden keeps what comparisons need - outputs (within a size budget),
// statistics, verdicts, run metadata - and drops checks, metrics and timings. Cases
// that still match keep the golden's record, so slow drift cannot ratchet the golden
// along update by update. docs/results-format.md, "Goldens".
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/record/golden.hpp"

namespace fp8check::record {

struct GoldenBudget {
  // Outputs of up to this many elements are kept whole; larger ones keep their digest
  // and an evenly strided sample of sample_elements values.
  std::int64_t max_output_elements = 4096;
  std::int64_t sample_elements = 1024;
  // All golden files in the golden's directory together (*.h5), after the update.
  std::uintmax_t max_total_bytes = std::uintmax_t{20} << 20;
};

// What a golden keeps of a case: see the file comment; regression and improved become
// pass (they were pass judged against the previous golden).
CaseResult golden_case(const CaseResult& received, const GoldenBudget& budget);

// Why `results` is not a whole run of its suite, one phrase ("shard 0/2 (from --shard)",
// "filter 'gemm/*'", "35 of 71 cases of the suite"), or nullopt for a whole run. A file
// that does not record the suite's case count (written before it was recorded) is judged
// by its shard and filter only.
std::optional<std::string> partial_run_reason(const ResultsFile& results);

struct GoldenUpdatePlan {
  std::vector<CaseComparison> added;    // new_case
  std::vector<CaseComparison> changed;  // every other status but match
  std::vector<std::string> removed;     // golden cases the results lack (never with allow_partial)
  std::int64_t kept = 0;                // golden cases the results lack, kept (allow_partial)
  std::int64_t unchanged = 0;
  RunMetadata metadata;           // of the results
  std::vector<CaseResult> cases;  // the golden after the update, sorted by id

  bool has_changes() const { return !added.empty() || !changed.empty() || !removed.empty(); }
};

// golden: nullptr when there is none yet (every case is new). A golden is the memory of
// one suite under one seed, so nothing can shrink or replace it by accident:
// - results of another suite or another seed than the golden's: InputError, always (to
//   start a golden afresh, remove the old one deliberately);
// - results that are not a whole run (partial_run_reason): InputError unless
//   allow_partial, which then only adds and changes cases, never removes one (the golden
//   keeps its own record of the cases the run lacks, and its own selection metadata).
GoldenUpdatePlan plan_golden_update(const ResultsFile& results, const ResultsFile* golden, const GoldenPolicy& policy,
                                    const GoldenBudget& budget, bool allow_partial);

// One line per added, changed and removed case, then a summary line (with the kept cases
// when there are any).
void print_golden_update(std::ostream& out, const GoldenUpdatePlan& plan);

// A golden's root attribute `regenerate` ends with this command (`fp8check golden update
// RESULTS --golden G --write`): it is what tells a golden from other results files.
inline constexpr std::string_view kGoldenUpdateCommand = "fp8check golden update";

// InputError when `target` holds a golden (a results file whose `regenerate` records
// kGoldenUpdateCommand). `run`, `verify` and `merge` write results, and check their output
// with this before they start: a golden changes only through `golden update`. A missing
// file, or one that is not an fp8check results file, is no golden.
void refuse_to_replace_a_golden(const std::filesystem::path& target);

// Writes plan.cases to `golden` atomically. InputError, leaving every file as it was, if
// the goldens in its directory would then exceed budget.max_total_bytes. Returns the
// new file's size in bytes.
std::uintmax_t write_golden(const std::filesystem::path& golden, const GoldenUpdatePlan& plan,
                            const GoldenBudget& budget, const std::string& regenerate);

}  // namespace fp8check::record
