#include "harness/report/run_summary.hpp"

#include <algorithm>
#include <cmath>

#include "harness/report/text_format.hpp"

namespace fp8check::report {

namespace {

constexpr std::string_view kSeedBugParam = "seed_bug";
constexpr std::string_view kSeedIdPrefix = "seeds/";

void count_into(std::vector<GroupCounts>& groups, const std::string& name, Verdict v) {
  auto it = std::find_if(groups.begin(), groups.end(), [&](const GroupCounts& g) { return g.name == name; });
  if (it == groups.end()) it = groups.insert(groups.end(), GroupCounts{name, {}});
  ++it->counts.count[static_cast<std::size_t>(v)];
}

}  // namespace

std::int64_t VerdictCounts::total() const {
  std::int64_t sum = 0;
  for (std::int64_t n : count) sum += n;
  return sum;
}

std::int64_t VerdictCounts::failures() const {
  return (*this)[Verdict::fail] + (*this)[Verdict::regression] + (*this)[Verdict::error];
}

RunSummary summarize(std::span<const CaseResult> cases) {
  RunSummary s;
  for (const CaseResult& c : cases) {
    ++s.all.count[static_cast<std::size_t>(c.verdict)];
    count_into(s.by_op, c.op, c.verdict);
    count_into(s.by_backend, c.backend, c.verdict);
    if (std::isfinite(c.seconds)) s.total_seconds += c.seconds;
    if (is_failure(c.verdict)) s.failures.push_back(&c);
    if (is_seeded_bug_case(c)) s.seeded_bugs.push_back(&c);
    if (c.verdict == Verdict::skipped) {
      const std::string reason = c.reason.empty() ? "(no reason given)" : c.reason;
      auto it = std::find_if(s.skipped.begin(), s.skipped.end(), [&](const SkipGroup& g) { return g.reason == reason; });
      if (it == s.skipped.end()) it = s.skipped.insert(s.skipped.end(), SkipGroup{reason, {}});
      it->cases.push_back(&c);
    }
  }
  std::stable_sort(s.failures.begin(), s.failures.end(),
                   [](const CaseResult* a, const CaseResult* b) { return a->verdict > b->verdict; });
  return s;
}

bool is_seeded_bug_case(const CaseResult& c) {
  const bool has_param = std::any_of(c.params.begin(), c.params.end(), [](const auto& p) { return p.first == kSeedBugParam; });
  // Cases that inject a known kernel bug (suites/seeds.toml: the `fault` axis).
  const std::string_view fault = c.param("fault");
  return has_param || c.id.starts_with(kSeedIdPrefix) || (!fault.empty() && fault != "none");
}

std::string seeded_bug_explanation(const CaseResult& c) {
  std::string out;
  if (const std::string_view bug = c.param(kSeedBugParam); !bug.empty()) out = "bug: " + std::string(bug) + "; ";
  if (const std::string_view fault = c.param("fault"); !fault.empty() && fault != "none")
    out = "injected bug: " + std::string(fault) + "; ";
  if (!c.reason.empty()) return out + c.reason;
  if (c.metrics.empty()) return out + "no reason recorded";
  out += "metrics:";
  for (const auto& [name, value] : c.metrics) out += " " + name + "=" + format_number(value);
  return out;
}

double worst_check_ratio(const CaseResult& c) {
  double worst = std::nan("");
  for (const Check& check : c.checks) {
    if (!(std::isfinite(check.limit) && check.limit > 0) || std::isnan(check.observed)) continue;
    const double ratio = check.observed / check.limit;
    if (std::isnan(worst) || ratio > worst) worst = ratio;
  }
  return worst;
}

std::string describe_check(const Check& check) {
  std::string out = check.name + ": observed " + format_number(check.observed) + " vs limit " + format_number(check.limit);
  if (!check.detail.empty()) out += " (" + check.detail + ")";
  if (!check.passed) out += " FAILED";
  return out;
}

std::string describe_params(const CaseResult& c) {
  std::string out;
  for (const auto& [name, value] : c.params) {
    if (!out.empty()) out += ' ';
    out += name + "=" + value;
  }
  return out;
}

}  // namespace fp8check::report
