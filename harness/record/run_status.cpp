#include "harness/record/run_status.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

namespace fp8check {
namespace {

// "71 skipped: no GPU found (71)" or, with several reasons, the most common first.
std::string skipped_text(std::span<const CaseResult> results, std::int64_t skipped) {
  std::map<std::string, std::int64_t> by_reason;
  for (const CaseResult& r : results)
    if (r.verdict == Verdict::skipped) ++by_reason[r.reason.empty() ? "(no reason given)" : r.reason];
  std::vector<std::pair<std::string, std::int64_t>> reasons(by_reason.begin(), by_reason.end());
  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text = std::to_string(skipped) + " skipped: " + reasons.front().first;
  if (reasons.size() > 1)
    text += " (" + std::to_string(reasons.front().second) + " cases; " + std::to_string(reasons.size() - 1) +
            " other reason" + (reasons.size() > 2 ? "s" : "") + ")";
  return text;
}

}  // namespace

RunStatus run_status(std::span<const CaseResult> results, bool fail_on_skip) {
  const auto total = static_cast<std::int64_t>(results.size());
  std::int64_t skipped = 0, failures = 0, internal = 0;
  std::string first_internal;
  for (const CaseResult& r : results) {
    skipped += r.verdict == Verdict::skipped;
    failures += is_failure(r.verdict);
    if (const auto it = r.metrics.find("internal_error"); it != r.metrics.end() && it->second != 0) {
      if (internal++ == 0) first_internal = r.id;
    }
  }
  const std::int64_t judged = total - skipped;
  if (internal > 0)
    return {3, "internal error (a bug of fp8check) in " + std::to_string(internal) + " case(s), first " +
                   first_internal + "; " + std::to_string(failures) + " of " + std::to_string(total) +
                   " cases failed, regressed or could not be judged"};
  if (failures > 0)
    return {1, std::to_string(failures) + " of " + std::to_string(total) +
                   " cases failed, regressed or could not be judged"};
  if (total == 0) return {1, "0 judged: the run holds no case"};
  if (judged == 0) return {1, "0 judged: " + skipped_text(results, skipped)};
  if (fail_on_skip && skipped > 0)
    return {1, "--fail-on-skip: " + std::to_string(judged) + " judged cases passed, but " +
                   skipped_text(results, skipped)};
  return {0, "all " + std::to_string(judged) + " judged cases passed (" + std::to_string(skipped) + " skipped)"};
}

}  // namespace fp8check
