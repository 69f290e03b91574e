// Goldens: approved results files (same schema, results_file.hpp) checked into
// golden/<suite>.h5, and the comparison of a run against one. Deterministic backends
// (the CPU emulation) must reproduce the golden's output bit for bit; GPU backends may
// differ in the last bits (accumulation order), so for them the kernel error statistics
// must not drift beyond a ratio. docs/results-format.md, "Goldens".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/record/results_file.hpp"

namespace fp8check::record {

struct GoldenPolicy {
  // Cases whose backend declared itself deterministic (CaseResult::deterministic) are
  // compared bit for bit; so are the cases of these backends, whatever they declared.
  std::set<std::string, std::less<>> deterministic_backends = {"emulated"};
  // Other backends: a kernel-error statistic that grows by more than its threshold T
  // regresses; one that shrinks by more (ratio < 1/T) improves. T is derived per case from
  // the statistic's sampling spread (drift_threshold.hpp) with these two parameters...
  double drift_sigmas = 5;                // relative_frobenius: standard deviations
  double drift_tail_probability = 1e-4;   // max_abs_error: chance a seed change exceeds T
  // ...unless drift_ratio is set: then T is that one ratio for every case and statistic.
  std::optional<double> drift_ratio;
  // Values below a floor count as the floor, so noise near 0 is no drift.
  double max_abs_error_floor = 1e-6;          // tensor units
  double relative_frobenius_floor = 0x1p-24;  // ~ FP32 unit roundoff, dimensionless

  // InputError: drift_ratio > 1, drift_sigmas > 0, 0 < drift_tail_probability < 1, all
  // finite; floors finite and >= 0.
  void validate() const;
};

enum class GoldenStatus : std::uint8_t {
  match,            // equal (deterministic) or within the drift ratio (GPU)
  bits_changed,     // deterministic backend: output type, shape, digest or values differ
  verdict_changed,  // the verdict differs (regression/improved count as pass)
  drift_regressed,  // GPU backend: a kernel error statistic grew beyond the ratio
  drift_improved,   // GPU backend: one shrank beyond it, none grew
  new_case,         // not in the golden
};
std::string_view golden_status_name(GoldenStatus s);

// Output bits that differ, among the elements known on both sides (all, or the
// golden's sample). first_*: the smallest differing flat index, -1 if none.
struct BitsChange {
  std::int64_t compared = 0;
  std::int64_t differing = 0;
  std::int64_t first_index = -1, first_row = 0, first_col = 0;
  double received = 0, golden = 0;  // at first_index
  bool digest_changed = false;
};

struct DriftChange {
  std::string statistic;    // "max_abs_error" or "relative_frobenius" (of kernel_error)
  double from = 0, to = 0;  // golden, received
  double ratio = 1;         // max(to, floor) / max(from, floor)
  double threshold = 1;     // T of this statistic in this case (drift_threshold.hpp)
};

struct CaseComparison {
  std::string id;
  GoldenStatus status = GoldenStatus::match;
  std::string reason;  // one line; empty for match
  std::optional<BitsChange> bits;
  std::optional<DriftChange> drift;
};

struct GoldenComparison {
  std::vector<CaseComparison> cases;  // one per received case, in received order
  std::vector<std::string> missing;   // golden cases the run lacks, in golden order

  std::int64_t count(GoldenStatus s) const;
  // bits_changed, verdict_changed or drift_regressed anywhere (the exit-1 conditions).
  bool has_regressions() const;
};

// `seconds` (optional): receives the wall time of each received case's comparison.
GoldenComparison compare_with_golden(const std::vector<CaseResult>& received, const ResultsFile& golden,
                                     const GoldenPolicy& policy = {}, std::vector<double>* seconds = nullptr);

// InputError unless `golden` holds suite `suite`: against another suite's golden every
// case is new or missing, and the comparison would pass having judged nothing. `received`
// names what is compared ("results.h5", "the run of suites/smoke.toml").
void require_golden_of_suite(const std::string& received, const std::string& suite, const ResultsFile& golden);

// Run facts that make a comparison meaningless or suspicious (another suite, seed or
// suite file), one line each; empty when none.
std::vector<std::string> metadata_differences(const RunMetadata& received, const RunMetadata& golden);

// Turns pass into regression (bits_changed, drift_regressed) or improved
// (drift_improved), with the comparison's reason. Other verdicts stay: a failing case
// already says so.
void apply_golden_verdicts(std::vector<CaseResult>& results, const GoldenComparison& comparison);

}  // namespace fp8check::record
