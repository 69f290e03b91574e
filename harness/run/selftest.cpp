#include "harness/run/selftest.hpp"

#include <algorithm>
#include <cstdio>

namespace fp8check {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// "code mismatches vs reference quantizer: 12 (limit 0); ..." over the checks that failed.
std::string failed_checks(const CaseResult& r) {
  std::string out;
  for (const Check& c : r.checks)
    if (!c.passed)
      out += (out.empty() ? "" : "; ") + c.name + ": " + number(c.observed) + " (limit " + number(c.limit) + ")";
  return out;
}

// The params with the fault replaced by "none": what a clean twin's params are.
CaseParams clean_params(const CaseResult& r) {
  CaseParams p = r.params;
  for (auto& [axis, value] : p)
    if (axis == "fault") value = "none";
  return p;
}

}  // namespace

bool FaultFinding::caught() const {
  return !cases.empty() && std::all_of(cases.begin(), cases.end(), [](const SelftestCase& c) { return c.caught; });
}

SelftestOutcome judge_selftest(std::span<const CaseResult> results, std::span<const InjectableFault> classes) {
  SelftestOutcome out;
  for (const InjectableFault& f : classes) out.faults.push_back({std::string(f.op), std::string(f.name), {}});
  std::vector<const CaseResult*> clean;
  for (const CaseResult& r : results)
    if (r.param("fault") == "none") clean.push_back(&r);
  out.clean_twins = clean.size();

  bool internal = false;
  for (const CaseResult& r : results) {
    internal = internal || r.metrics.count("internal_error") > 0;
    const std::string_view fault = r.param("fault");
    if (fault.empty()) continue;  // an op without injectable faults
    if (fault == "none") {
      const bool all_green = std::all_of(r.checks.begin(), r.checks.end(), [](const Check& c) { return c.passed; });
      if (r.verdict != Verdict::pass)
        out.flagged.push_back({r.id, "clean twin " + std::string(verdict_name(r.verdict)) + ": " + r.reason});
      else if (!all_green)
        out.flagged.push_back({r.id, "clean twin passed with a failed check: " + failed_checks(r)});
      continue;
    }
    const CaseParams twin = clean_params(r);
    if (std::none_of(clean.begin(), clean.end(), [&](const CaseResult* c) { return c->op == r.op && c->params == twin; }))
      out.flagged.push_back({r.id, "no clean twin in the suite (the same case with fault = \"none\")"});
    const auto finding = std::find_if(out.faults.begin(), out.faults.end(),
                                      [&](const FaultFinding& f) { return f.op == r.op && f.fault == fault; });
    if (finding == out.faults.end()) continue;  // a fault not asked for
    const bool caught = r.verdict == Verdict::pass && r.metrics.count("fault_detected") &&
                        r.metrics.at("fault_detected") == 1.0;
    const std::string checks = failed_checks(r);
    finding->cases.push_back({r.id, caught, caught && !checks.empty() ? checks : r.reason});
  }

  const auto missed = std::count_if(out.faults.begin(), out.faults.end(), [](const FaultFinding& f) { return !f.caught(); });
  if (internal) {
    out.status = {3, "a case hit a bug of fp8check itself (internal error): see the cases' reasons"};
  } else if (missed > 0 || !out.flagged.empty()) {
    out.status = {1, std::to_string(missed) + " of " + std::to_string(out.faults.size()) +
                         " fault classes went unnoticed or had no case; " + std::to_string(out.flagged.size()) +
                         " clean twin(s) flagged or missing"};
  } else {
    out.status = {0, "all " + std::to_string(out.faults.size()) + " fault classes caught; all " +
                         std::to_string(out.clean_twins) + " clean twins pass"};
  }
  return out;
}

}  // namespace fp8check
