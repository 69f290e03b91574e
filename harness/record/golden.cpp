#include "harness/record/golden.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "harness/core/error.hpp"
#include "harness/record/detail/golden_bits.hpp"
#include "harness/record/detail/number_text.hpp"
#include "harness/record/drift_threshold.hpp"

namespace fp8check::record {
namespace {

using detail::shortest_text;

// regression and improved are pass judged against a golden; the golden's own verdict
// (or the run's before apply_golden_verdicts) is what is compared.
Verdict base_verdict(Verdict v) { return v == Verdict::regression || v == Verdict::improved ? Verdict::pass : v; }

std::string ratio_text(double r) {
  char text[32];
  std::snprintf(text, sizeof text, "x%.3g", r);
  return text;
}

// The kernel-error statistic with the largest drift beyond its threshold, grown ones
// first; nullopt when every statistic is within it (or either side has none).
std::optional<DriftChange> kernel_error_drift(const CaseResult& received, const CaseResult& golden,
                                              const GoldenPolicy& policy) {
  if (!received.kernel_error || !golden.kernel_error) return std::nullopt;
  const DriftThresholds limits = drift_thresholds(*golden.kernel_error, *received.kernel_error, policy);
  struct Statistic {
    const char* name;
    double from, to, floor, threshold;
  };
  const Statistic statistics[] = {
      {"max_abs_error", golden.kernel_error->max_abs_error, received.kernel_error->max_abs_error,
       policy.max_abs_error_floor, limits.max_abs_error},
      {"relative_frobenius", golden.kernel_error->relative_frobenius, received.kernel_error->relative_frobenius,
       policy.relative_frobenius_floor, limits.relative_frobenius},
  };
  // Statistics are ranked by how far beyond their own threshold they are (log ratio / log T).
  const auto excess = [](const DriftChange& d) { return std::fabs(std::log(d.ratio)) / std::log(d.threshold); };
  std::optional<DriftChange> grown, shrunk;
  for (const Statistic& s : statistics) {
    // Equal values (inf == inf included) do not drift; a NaN ratio counts as growth.
    const double ratio = s.from == s.to ? 1.0 : std::max(s.to, s.floor) / std::max(s.from, s.floor);
    const DriftChange change{s.name, s.from, s.to, ratio, s.threshold};
    if (!(ratio <= s.threshold)) {
      if (!grown || std::isnan(ratio) || excess(change) > excess(*grown)) grown = change;
    } else if (ratio * s.threshold < 1.0) {
      if (!shrunk || excess(change) > excess(*shrunk)) shrunk = change;
    }
  }
  return grown ? grown : shrunk;
}

std::string drift_reason(const DriftChange& d) {
  const bool grew = !(d.ratio <= d.threshold);
  return std::string("kernel ") + d.statistic + (grew ? " grew" : " shrank") + " from " + shortest_text(d.from) +
         " to " + shortest_text(d.to) + " (" + ratio_text(d.ratio) + (grew ? " > " : " < ") +
         ratio_text(grew ? d.threshold : 1.0 / d.threshold) + ")";
}

CaseComparison compare_case(const CaseResult& received, const CaseResult& golden, const GoldenPolicy& policy) {
  CaseComparison out{received.id, GoldenStatus::match, "", std::nullopt, std::nullopt};
  std::string verdict_change;
  if (base_verdict(received.verdict) != base_verdict(golden.verdict))
    verdict_change = "verdict " + std::string(verdict_name(base_verdict(golden.verdict))) + " -> " +
                     std::string(verdict_name(received.verdict)) +
                     (received.reason.empty() ? "" : " (" + received.reason + ")");

  auto set = [&](GoldenStatus status, std::string reason) {
    out.status = status;
    out.reason = verdict_change.empty() ? reason : reason + "; " + verdict_change;
  };
  if (received.deterministic || policy.deterministic_backends.contains(received.backend)) {
    const auto* r = received.output ? &*received.output : nullptr;
    const auto* g = golden.output ? &*golden.output : nullptr;
    if (auto difference = detail::compare_output_bits(r, g)) {
      out.bits = difference->bits;
      set(GoldenStatus::bits_changed, difference->reason);
      return out;
    }
  } else if (auto drift = kernel_error_drift(received, golden, policy)) {
    out.drift = drift;
    if (!(drift->ratio <= drift->threshold)) {
      set(GoldenStatus::drift_regressed, drift_reason(*drift));
      return out;
    }
    if (verdict_change.empty()) {
      set(GoldenStatus::drift_improved, drift_reason(*drift));
      return out;
    }
  }
  if (!verdict_change.empty()) {
    out.status = GoldenStatus::verdict_changed;
    out.reason = verdict_change;
  }
  return out;
}

}  // namespace

void GoldenPolicy::validate() const {
  if (drift_ratio && (!(*drift_ratio > 1.0) || !std::isfinite(*drift_ratio)))
    throw InputError("drift ratio " + shortest_text(*drift_ratio) + ": expected a finite ratio > 1, such as 1.25");
  if (!(drift_sigmas > 0) || !std::isfinite(drift_sigmas))
    throw InputError("drift sigmas " + shortest_text(drift_sigmas) + ": expected a finite number > 0, such as 5");
  if (!(drift_tail_probability > 0 && drift_tail_probability < 1))
    throw InputError("drift tail probability " + shortest_text(drift_tail_probability) +
                     ": expected a probability in (0, 1), such as 1e-4");
  for (const double floor : {max_abs_error_floor, relative_frobenius_floor})
    if (!(floor >= 0.0) || !std::isfinite(floor))
      throw InputError("drift floor " + shortest_text(floor) + ": expected a finite value >= 0");
}

std::string_view golden_status_name(GoldenStatus s) {
  switch (s) {
    case GoldenStatus::match: return "match";
    case GoldenStatus::bits_changed: return "bits_changed";
    case GoldenStatus::verdict_changed: return "verdict_changed";
    case GoldenStatus::drift_regressed: return "drift_regressed";
    case GoldenStatus::drift_improved: return "drift_improved";
    case GoldenStatus::new_case: return "new_case";
  }
  return "?";
}

std::int64_t GoldenComparison::count(GoldenStatus s) const {
  return std::count_if(cases.begin(), cases.end(), [s](const CaseComparison& c) { return c.status == s; });
}

bool GoldenComparison::has_regressions() const {
  return std::any_of(cases.begin(), cases.end(), [](const CaseComparison& c) {
    return c.status == GoldenStatus::bits_changed || c.status == GoldenStatus::verdict_changed ||
           c.status == GoldenStatus::drift_regressed;
  });
}

GoldenComparison compare_with_golden(const std::vector<CaseResult>& received, const ResultsFile& golden,
                                     const GoldenPolicy& policy, std::vector<double>* seconds) {
  policy.validate();
  std::map<std::string_view, const CaseResult*> golden_by_id;
  for (const CaseResult& g : golden.cases) golden_by_id.emplace(g.id, &g);
  GoldenComparison out;
  std::set<std::string_view> seen;
  if (seconds) seconds->clear();
  for (const CaseResult& r : received) {
    const auto start = std::chrono::steady_clock::now();
    const auto it = golden_by_id.find(r.id);
    seen.insert(r.id);
    if (it == golden_by_id.end())
      out.cases.push_back({r.id, GoldenStatus::new_case, "not in the golden", std::nullopt, std::nullopt});
    else out.cases.push_back(compare_case(r, *it->second, policy));
    if (seconds) seconds->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  for (const CaseResult& g : golden.cases)
    if (!seen.contains(g.id)) out.missing.push_back(g.id);
  return out;
}

void require_golden_of_suite(const std::string& received, const std::string& suite, const ResultsFile& golden) {
  const std::string& expected = golden.metadata.suite_name;
  if (suite != expected)
    throw InputError(received + " holds results of suite '" + suite + "', the golden " + golden.path +
                     " those of suite '" + expected + "': expected results of suite '" + expected +
                     "' (each suite has its own golden, golden/SUITE.h5)");
}

std::vector<std::string> metadata_differences(const RunMetadata& received, const RunMetadata& golden) {
  std::vector<std::string> out;
  auto differ = [&](const char* what, const std::string& r, const std::string& g, const char* why) {
    if (r != g) out.push_back(std::string(what) + " differs: run '" + r + "', golden '" + g + "'" + why);
  };
  differ("suite_name", received.suite_name, golden.suite_name, "");
  differ("suite_sha256", received.suite_sha256, golden.suite_sha256, " (the suite file changed)");
  differ("seed", std::to_string(received.seed), std::to_string(golden.seed), " (so does every input)");
  return out;
}

void apply_golden_verdicts(std::vector<CaseResult>& results, const GoldenComparison& comparison) {
  std::map<std::string_view, const CaseComparison*> by_id;
  for (const CaseComparison& c : comparison.cases) by_id.emplace(c.id, &c);
  for (CaseResult& r : results) {
    const auto it = by_id.find(r.id);
    if (r.verdict != Verdict::pass || it == by_id.end()) continue;
    const CaseComparison& c = *it->second;
    if (c.status == GoldenStatus::bits_changed || c.status == GoldenStatus::drift_regressed) {
      r.verdict = Verdict::regression;
      r.reason = c.reason;
    } else if (c.status == GoldenStatus::drift_improved) {
      r.verdict = Verdict::improved;
      r.reason = c.reason;
    }
  }
}

}  // namespace fp8check::record
