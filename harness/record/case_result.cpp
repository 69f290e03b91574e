#include "harness/record/case_result.hpp"

#include <cstdio>

#include "harness/core/error.hpp"

namespace fp8check {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::improved: return "improved";
    case Verdict::skipped: return "skipped";
    case Verdict::fail: return "fail";
    case Verdict::regression: return "regression";
    case Verdict::error: return "error";
  }
  return "?";
}

Verdict parse_verdict(std::string_view name) {
  for (Verdict v : {Verdict::pass, Verdict::improved, Verdict::skipped, Verdict::fail, Verdict::regression,
                    Verdict::error})
    if (verdict_name(v) == name) return v;
  throw InputError("unknown verdict '" + std::string(name) + "': expected pass, improved, skipped, fail, regression or error");
}

bool is_failure(Verdict v) { return v == Verdict::fail || v == Verdict::regression || v == Verdict::error; }

std::string_view CaseResult::param(std::string_view axis) const {
  for (const auto& [name, value] : params)
    if (name == axis) return value;
  return {};
}

void set_verdict_from_checks(CaseResult& result) {
  result.verdict = Verdict::pass;
  for (const Check& ch : result.checks) {
    if (ch.passed) continue;
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s: %.4g > %.4g", ch.name.c_str(), ch.observed, ch.limit);
    result.verdict = Verdict::fail;
    result.reason = buf;
    return;
  }
}

}  // namespace fp8check
