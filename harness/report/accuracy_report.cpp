#include "harness/report/accuracy_report.hpp"

#include <cmath>

#include "harness/record/run_status.hpp"
#include "harness/report/run_summary.hpp"
#include "harness/report/text_format.hpp"
#include "harness/report/time_report.hpp"

namespace fp8check::report {

namespace {

constexpr std::size_t kSkippedIdsShown = 5;
constexpr std::size_t kSlowestCasesShown = 10;

class Builder {
 public:
  explicit Builder(AccuracyReport& r) : r_(r) {}
  void heading(int level, std::string text, std::string anchor = "") {
    Block& b = add(Block::Kind::heading);
    b.level = level;
    b.text = std::move(text);
    b.anchor = std::move(anchor);
  }
  void paragraph(std::string text, Tone tone = Tone::plain) {
    Block& b = add(Block::Kind::paragraph);
    b.text = std::move(text);
    b.tone = tone;
  }
  void table(Table t) {
    add(Block::Kind::table).table = std::move(t);
  }
  void plot(Plot p) {
    add(Block::Kind::plot).plot = r_.plots.size();
    r_.plots.push_back(std::move(p));
  }

 private:
  Block& add(Block::Kind kind) {
    Block& b = r_.blocks.emplace_back();
    b.kind = kind;
    return b;
  }
  AccuracyReport& r_;
};

std::string statistic(const std::optional<ErrorStatistics>& s, double ErrorStatistics::*field) {
  return s ? format_number((*s).*field) : "-";
}

Table counts_table(const RunSummary& s) {
  Table t{{"", "total"}, {}};
  for (Verdict v : kVerdicts) t.header.emplace_back(verdict_name(v));
  const auto row = [&](const std::string& name, const VerdictCounts& c) {
    std::vector<std::string>& r = t.rows.emplace_back(1, name);
    r.push_back(std::to_string(c.total()));
    for (Verdict v : kVerdicts) r.push_back(std::to_string(c[v]));
  };
  row("all cases", s.all);
  for (const GroupCounts& g : s.by_op) row("op " + g.name, g.counts);
  for (const GroupCounts& g : s.by_backend) row("backend " + g.name, g.counts);
  return t;
}

void failing_case(Builder& b, const CaseResult& c) {
  b.heading(3, std::string(verdict_name(c.verdict)) + ": " + c.id);
  b.paragraph("Reason: " + (c.reason.empty() ? std::string("(none given)") : c.reason), Tone::bad);
  b.paragraph("Seed key " + (c.seed_key.empty() ? std::string("-") : c.seed_key) + " (regenerates this case's inputs); "
              "backend " + c.backend + ", config " + c.config + "; " + describe_params(c) + ".");
  if (!c.checks.empty()) {
    Table t{{"check", "observed", "limit", "observed / limit", "result", "how the limit was derived"}, {}};
    for (const Check& k : c.checks) {
      const bool has_ratio = std::isfinite(k.limit) && k.limit > 0;
      t.rows.push_back({k.name, format_number(k.observed), format_number(k.limit),
                        has_ratio ? format_number(k.observed / k.limit) : "-", k.passed ? "passed" : "FAILED",
                        k.detail});
    }
    b.table(std::move(t));
  }
  if (c.kernel_error || c.total_error) {
    b.paragraph("Max relative error: kernel " + statistic(c.kernel_error, &ErrorStatistics::max_relative_error) +
                ", total " + statistic(c.total_error, &ErrorStatistics::max_relative_error) +
                "; relative Frobenius: kernel " + statistic(c.kernel_error, &ErrorStatistics::relative_frobenius) +
                ", total " + statistic(c.total_error, &ErrorStatistics::relative_frobenius) + ".");
  }
}

Table metadata_table(const RunMetadata& m) {
  Table t{{"", ""}, {}};
  const auto add = [&](std::string key, std::string value) { t.rows.push_back({std::move(key), std::move(value)}); };
  add("suite", m.suite_name);
  add("suite file", m.suite_file);
  add("suite SHA-256", m.suite_sha256);
  add("filter", m.filter);
  add("shard", m.shard.empty() ? "-" : m.shard);
  add("seed", std::to_string(m.seed));
  add("started (UTC)", m.started_at);
  add("host", m.host);
  add("device", m.device);
  add("fp8check", m.fp8check_version + " (git " + m.git_sha + ")");
  add("compiler", m.compiler);
  add("compile flags", m.compile_flags);
  add("CUDA", m.cuda_version);
  // Which kernels the FP64 references ran on; "-" in files written before it was recorded.
  add("BLAS", m.blas.empty() ? "-" : m.blas);
  add("BLAS core", m.blas_core.empty() ? "-" : m.blas_core);
  add("BLAS threads per product", m.blas_threads.empty() ? "-" : m.blas_threads);
  if (!m.blas_warning.empty()) add("BLAS warning", m.blas_warning);
  add("command line", m.command_line);
  return t;
}

Table all_cases_table(std::span<const CaseResult> cases) {
  Table t{{"case", "verdict", "backend", "config", "kernel max rel", "total max rel", "total rel Frobenius",
           "worst observed / limit", "seconds"},
          {}};
  for (const CaseResult& c : cases) {
    const double ratio = worst_check_ratio(c);
    t.rows.push_back({c.id, std::string(verdict_name(c.verdict)), c.backend, c.config,
                      statistic(c.kernel_error, &ErrorStatistics::max_relative_error),
                      statistic(c.total_error, &ErrorStatistics::max_relative_error),
                      statistic(c.total_error, &ErrorStatistics::relative_frobenius),
                      std::isnan(ratio) ? "-" : format_number(ratio), format_fixed3(c.seconds)});
  }
  return t;
}

}  // namespace

AccuracyReport build_accuracy_report(const RunMetadata& metadata, std::span<const CaseResult> cases) {
  const RunSummary s = summarize(cases);
  AccuracyReport r;
  Builder b(r);
  r.title = "fp8check accuracy report: suite " + (metadata.suite_name.empty() ? "(unnamed)" : metadata.suite_name);
  b.heading(1, r.title);
  const RunStatus status = run_status(cases);
  if (s.all.failures() > 0)
    b.paragraph(status.line + "; they are listed first, below the summary.", Tone::bad);
  else
    b.paragraph(status.line + ".", status.exit_code == 0 ? Tone::good : Tone::bad);

  b.heading(2, "Summary", "summary");
  b.paragraph("Each case runs one kernel on keyed random inputs and compares its output with an FP64 reference. "
              "Kernel error is measured against the reference computed from the dequantized FP8 inputs, total error "
              "against the reference from the original inputs. Verdicts: pass and improved are within tolerance; "
              "fail is outside it; regression differs from the golden results; error could not be judged. "
              "Total time " + format_fixed3(s.total_seconds) + " s (sum over cases).");
  b.table(counts_table(s));

  if (!s.failures.empty()) {
    b.heading(2, "Failing cases (" + std::to_string(s.failures.size()) + ")", "failures");
    b.paragraph("Most severe first (error, regression, fail). Each check shows what was observed against its limit.");
    for (const CaseResult* c : s.failures) failing_case(b, *c);
  }

  if (!s.seeded_bugs.empty()) {
    b.heading(2, "Known bugs this run guards against", "known-bugs");
    b.paragraph("These cases replay a known bug: a public one (a suite block's seed_bug says which) or one injected "
                "into the kernel (the fault axis); the suite exists to catch each one. "
                "The explanation is the case's reason (or its metrics).");
    Table t{{"case", "verdict", "explanation"}, {}};
    for (const CaseResult* c : s.seeded_bugs)
      t.rows.push_back({c->id, std::string(verdict_name(c->verdict)), seeded_bug_explanation(*c)});
    b.table(std::move(t));
  }

  if (!s.skipped.empty()) {
    b.heading(2, "Skipped cases (" + std::to_string(s.all[Verdict::skipped]) + ")", "skipped");
    Table t{{"reason", "cases", "ids"}, {}};
    for (const SkipGroup& g : s.skipped) {
      std::string ids;
      for (std::size_t i = 0; i < g.cases.size() && i < kSkippedIdsShown; ++i) ids += (i ? ", " : "") + g.cases[i]->id;
      if (g.cases.size() > kSkippedIdsShown) ids += ", and " + std::to_string(g.cases.size() - kSkippedIdsShown) + " more";
      t.rows.push_back({g.reason, std::to_string(g.cases.size()), ids});
    }
    b.table(std::move(t));
  }

  b.heading(2, "Plots", "plots");
  std::vector<Plot> plots = derive_plots(cases);
  if (plots.empty())
    b.paragraph("No plots: the results hold no series to plot (error vs K, per recipe or format, config sweep, "
                "attention).", Tone::note);
  for (Plot& p : plots) {
    b.heading(3, p.title, "plot-" + p.id);
    b.plot(std::move(p));
  }

  if (std::optional<Plot> time = stage_time_plot(cases)) {
    b.heading(2, "Where the time goes", "time");
    b.plot(std::move(*time));
    b.paragraph("The " + std::to_string(std::min<std::size_t>(kSlowestCasesShown, cases.size())) +
                " slowest cases, seconds per stage:");
    b.table(slowest_cases_table(cases, kSlowestCasesShown));
  }

  b.heading(2, "Run", "run");
  b.table(metadata_table(metadata));
  b.heading(2, "All cases (" + std::to_string(cases.size()) + ")", "all-cases");
  b.table(all_cases_table(cases));
  return r;
}

}  // namespace fp8check::report
