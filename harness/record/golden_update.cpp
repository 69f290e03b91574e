#include "harness/record/golden_update.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>

#include "harness/core/error.hpp"
#include "harness/record/hdf5_file.hpp"

namespace fp8check::record {
namespace {

namespace fs = std::filesystem;

// sample_elements positions evenly strided over [0, n): floor(j * n / k), j = 0..k-1,
// increasing because n > k. 128-bit product: n may approach 2^63.
std::vector<std::size_t> strided_positions(std::size_t n, std::int64_t k) {
  std::vector<std::size_t> positions(static_cast<std::size_t>(k));
  for (std::size_t j = 0; j < positions.size(); ++j)
    positions[j] = static_cast<std::size_t>(static_cast<unsigned __int128>(j) * n / positions.size());
  return positions;
}

OutputRecord sampled(const OutputRecord& o, const GoldenBudget& budget) {
  const std::size_t n = o.values.size();
  if (static_cast<std::int64_t>(n) <= budget.max_output_elements ||
      static_cast<std::int64_t>(n) <= budget.sample_elements)
    return o;
  OutputRecord out{o.type, o.rows, o.cols, o.digest, false, {}, {}};
  for (const std::size_t p : strided_positions(n, budget.sample_elements)) {
    out.sample_index.push_back(o.complete ? static_cast<std::int64_t>(p) : o.sample_index[p]);
    out.values.push_back(o.values[p]);
  }
  return out;
}

std::uintmax_t size_of_results(const RunMetadata& metadata, const std::vector<CaseResult>& cases,
                               const std::string& regenerate) {
  // The size is known only once written: write to a scratch file, measure, remove.
  const fs::path scratch = fs::temp_directory_path() / ("fp8check-golden-size." + std::to_string(::getpid()) + ".h5");
  struct Remove {
    const fs::path& p;
    ~Remove() {
      std::error_code ec;
      fs::remove(p, ec);
    }
  } remove{scratch};
  write_results(scratch, metadata, cases, {.regenerate = regenerate});
  return fs::file_size(scratch);
}

std::string mib(std::uintmax_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

}  // namespace

CaseResult golden_case(const CaseResult& received, const GoldenBudget& budget) {
  CaseResult g = received;
  if (g.verdict == Verdict::regression || g.verdict == Verdict::improved) {
    g.verdict = Verdict::pass;
    g.reason.clear();
  }
  g.checks.clear();
  g.metrics.clear();
  g.seconds = 0;
  g.stage_seconds.clear();
  if (g.output) g.output = sampled(*g.output, budget);
  return g;
}

std::optional<std::string> partial_run_reason(const ResultsFile& results) {
  const RunMetadata& m = results.metadata;
  std::vector<std::string> reasons;
  if (!m.shard.empty())
    reasons.push_back("shard " + m.shard + (m.shard_source.empty() ? "" : " (from " + m.shard_source + ")"));
  if (!m.filter.empty() && m.filter != "*") reasons.push_back("filter '" + m.filter + "'");
  if (m.suite_case_count && static_cast<std::int64_t>(results.cases.size()) < *m.suite_case_count)
    reasons.push_back(std::to_string(results.cases.size()) + " of the suite's " + std::to_string(*m.suite_case_count) +
                      " cases");
  if (reasons.empty()) return std::nullopt;
  std::string text;
  for (const std::string& r : reasons) text += (text.empty() ? "" : ", ") + r;
  return text;
}

GoldenUpdatePlan plan_golden_update(const ResultsFile& results, const ResultsFile* golden, const GoldenPolicy& policy,
                                    const GoldenBudget& budget, bool allow_partial) {
  if (budget.sample_elements < 1 || budget.max_output_elements < 0)
    throw InputError("golden budget: expected sample_elements >= 1 and max_output_elements >= 0");
  const RunMetadata& m = results.metadata;
  const std::string afresh = " (to start the golden afresh, remove " + (golden ? golden->path : std::string()) +
                             " deliberately, then update it)";
  if (golden) require_golden_of_suite(results.path, m.suite_name, *golden);
  if (golden && m.seed != golden->metadata.seed)
    throw InputError(results.path + " ran with seed " + std::to_string(m.seed) + ", the golden " + golden->path +
                     " with seed " + std::to_string(golden->metadata.seed) +
                     ": every input differs, so every case would change; expected a run with the golden's seed" +
                     afresh);
  const ResultsFile none;
  const GoldenComparison comparison = compare_with_golden(results.cases, golden ? *golden : none, policy);
  if (const auto partial = partial_run_reason(results); partial && !allow_partial)
    throw InputError(results.path + " is not a whole run of suite " + m.suite_name + " (" + *partial +
                     "): it would remove the " + std::to_string(comparison.missing.size()) +
                     " golden case(s) it lacks; expected a whole run (merge the shards first: fp8check merge "
                     "OUT.h5 SHARD.h5 ...), or --allow-partial to only add and change cases");

  GoldenUpdatePlan plan;
  plan.metadata = m;
  if (golden && allow_partial) {
    // The golden still describes its whole run: only the cases are updated.
    plan.metadata.filter = golden->metadata.filter;
    plan.metadata.shard = golden->metadata.shard;
    plan.metadata.shard_source = golden->metadata.shard_source;
    plan.metadata.suite_case_count = golden->metadata.suite_case_count;
  }
  for (std::size_t i = 0; i < results.cases.size(); ++i) {
    const CaseComparison& c = comparison.cases[i];
    if (c.status == GoldenStatus::match) {
      plan.cases.push_back(*golden->find(c.id));
      ++plan.unchanged;
      continue;
    }
    (c.status == GoldenStatus::new_case ? plan.added : plan.changed).push_back(c);
    plan.cases.push_back(golden_case(results.cases[i], budget));
  }
  for (const std::string& id : comparison.missing) {
    if (allow_partial) {
      plan.cases.push_back(*golden->find(id));
      ++plan.kept;
    } else {
      plan.removed.push_back(id);
    }
  }
  std::sort(plan.cases.begin(), plan.cases.end(), [](const CaseResult& a, const CaseResult& b) { return a.id < b.id; });
  return plan;
}

void print_golden_update(std::ostream& out, const GoldenUpdatePlan& plan) {
  std::map<std::string_view, Verdict> verdicts;
  for (const CaseResult& c : plan.cases) verdicts.emplace(c.id, c.verdict);
  for (const CaseComparison& c : plan.added)
    out << "  new      " << c.id << "  (verdict " << verdict_name(verdicts.at(c.id)) << ")\n";
  for (const CaseComparison& c : plan.changed) out << "  changed  " << c.id << "  " << c.reason << "\n";
  for (const std::string& id : plan.removed) out << "  removed  " << id << "  (not in the results)\n";
  out << plan.added.size() << " new, " << plan.changed.size() << " changed, " << plan.removed.size() << " removed, ";
  if (plan.kept > 0) out << plan.kept << " kept (not in the partial run), ";
  out << plan.unchanged << " unchanged\n";
}

void refuse_to_replace_a_golden(const fs::path& target) {
  std::error_code ec;
  if (!fs::is_regular_file(target, ec)) return;
  std::string regenerate;
  try {
    const Hdf5File file = Hdf5File::open(target);
    const Hdf5Group& root = file.root();
    if (!root.has_attribute("format") || root.string_attribute("format") != kResultsFormat ||
        !root.has_attribute("regenerate"))
      return;
    regenerate = root.string_attribute("regenerate");
  } catch (const InputError&) {
    return;  // not a readable results file: no golden
  }
  if (regenerate.find(kGoldenUpdateCommand) != std::string::npos)
    throw InputError(target.string() + ": is a golden (written by " + std::string(kGoldenUpdateCommand) +
                     "): expected a results path that is no golden (a golden changes only through fp8check "
                     "golden update RESULTS --golden " + target.string() + " --write)");
}

std::uintmax_t write_golden(const fs::path& golden, const GoldenUpdatePlan& plan, const GoldenBudget& budget,
                            const std::string& regenerate) {
  const std::uintmax_t size = size_of_results(plan.metadata, plan.cases, regenerate);
  const fs::path dir = golden.parent_path().empty() ? fs::path(".") : golden.parent_path();
  std::uintmax_t others = 0;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".h5" && !fs::equivalent(e.path(), golden, ec))
      others += e.file_size();
  if (size + others > budget.max_total_bytes)
    throw InputError(golden.string() + " would be " + mib(size) + ", the goldens in " + dir.string() + " " +
                     mib(size + others) + " in all: expected at most " + mib(budget.max_total_bytes) +
                     " (smaller outputs or fewer cases in the golden suite); nothing written");
  write_results(golden, plan.metadata, plan.cases, {.regenerate = regenerate});
  return size;
}

}  // namespace fp8check::record
