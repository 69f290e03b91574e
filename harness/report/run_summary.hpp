// What every report says first: counts per verdict, per op and per backend, the total
// time, the failing cases (most severe first), the skipped cases grouped by reason, and
// the cases that run a deliberately seeded bug. Computed once from the results; the
// pointers refer into the span summarize() was given.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/record/case_result.hpp"

namespace fp8check::report {

inline constexpr std::array kVerdicts = {Verdict::pass, Verdict::improved, Verdict::skipped,
                                         Verdict::fail, Verdict::regression, Verdict::error};

struct VerdictCounts {
  std::array<std::int64_t, kVerdicts.size()> count{};  // indexed by the Verdict's value
  std::int64_t operator[](Verdict v) const { return count[static_cast<std::size_t>(v)]; }
  std::int64_t total() const;
  std::int64_t failures() const;  // fail + regression + error
};

struct GroupCounts {
  std::string name;  // an op ("gemm") or a backend ("emulated")
  VerdictCounts counts;
};

struct SkipGroup {
  std::string reason;  // CaseResult::reason, "(no reason given)" when empty
  std::vector<const CaseResult*> cases;
};

struct RunSummary {
  VerdictCounts all;
  std::vector<GroupCounts> by_op;       // in order of first appearance
  std::vector<GroupCounts> by_backend;  // in order of first appearance
  double total_seconds = 0;             // sum of the finite CaseResult::seconds
  // is_failure() cases, most severe verdict first (error, regression, fail; the enum's
  // order), then in run order.
  std::vector<const CaseResult*> failures;
  std::vector<SkipGroup> skipped;              // by reason, in order of first appearance
  std::vector<const CaseResult*> seeded_bugs;  // is_seeded_bug_case, in run order
};

RunSummary summarize(std::span<const CaseResult> cases);

// A case that runs a kernel with a deliberately seeded bug: its params have an axis
// `seed_bug`, or its id starts with "seeds/" (docs/reports.md).
bool is_seeded_bug_case(const CaseResult& c);
// One line on a seeded-bug case: the bug (param seed_bug), then the reason, or the
// metrics when there is no reason.
std::string seeded_bug_explanation(const CaseResult& c);

// max over checks of observed / limit, for checks with a finite limit > 0 and a
// non-NaN observed value; NaN when there is no such check.
double worst_check_ratio(const CaseResult& c);
// "name: observed 0.0123 vs limit 0.01 (detail) FAILED" - one check as one line.
std::string describe_check(const Check& check);
// "formats=e4m3fn.e4m3fn recipe=tensor ..." in axis order.
std::string describe_params(const CaseResult& c);

}  // namespace fp8check::report
