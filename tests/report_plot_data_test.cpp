// The report's building blocks: plots are derived from params and statistics as
// docs/reports.md says (worst value per x, series per accumulation model, the DeepSeek-V3
// reference, heatmap cells = worst observed/limit), only when the data are there; the
// summary orders failures by severity; gnuplot runs with a timeout; SVGs are made safe to
// inline; text escaping handles controls and invalid UTF-8.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "harness/report/gnuplot_runner.hpp"
#include "harness/report/gnuplot_script.hpp"
#include "harness/report/inline_svg.hpp"
#include "harness/report/plot_data.hpp"
#include "harness/report/run_summary.hpp"
#include "harness/report/text_format.hpp"
#include "report/synthetic_results.hpp"

namespace fp8check::testing {
namespace {

using report::Plot;

const Plot* find_plot(const std::vector<Plot>& plots, std::string_view id) {
  for (const Plot& p : plots)
    if (p.id == id) return &p;
  return nullptr;
}

TEST(ReportPlotData, ErrorVsKTakesTheWorstCasePerKWithOneSeriesPerModelAndSource) {
  std::vector<CaseResult> cases;
  const std::string models[] = {"fp32", "sm90-wgmma.p128", "sm90-wgmma"};
  for (const std::string& acc : models)
    for (const int k : {256, 1024, 4096})
      for (const double spread : {1.0, 1.5}) {  // two cases per point: the plot keeps the worse
        CaseResult c = synthetic_gemm_case("e4m3fn.e4m3fn", "tensor", "m128.n7168.k" + std::to_string(k), acc, "auto");
        c.kernel_error = synthetic_statistics(1e3, 0.01);  // max relative error (no floor) is not plotted
        c.total_error = synthetic_statistics(1e3, 0.02);
        c.metrics["kernel_max_error_over_max_reference"] = synthetic_k_error(acc, k) * spread;
        c.metrics["total_max_error_over_max_reference"] = synthetic_k_error(acc, k) * spread + 0.05;
        cases.push_back(c);
      }
  // A block of another study at one K (the accuracy suite's recipe block) is no sweep: not drawn.
  CaseResult stray = synthetic_gemm_case("e5m2.e4m3fn", "row.col", "m128.n256.k4096", "fp32", "auto");
  stray.kernel_error = synthetic_statistics(1, 1);
  stray.metrics["kernel_max_error_over_max_reference"] = 0.5;
  cases.push_back(stray);
  const std::vector<Plot> plots = report::derive_plots(cases);
  const Plot* p = find_plot(plots, "error-vs-k");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->series.size(), 6u);
  for (std::size_t m = 0; m < 3; ++m)
    for (const bool total : {false, true}) {
      const report::PlotSeries& s = p->series[2 * m + total];
      EXPECT_EQ(s.name, models[m] + (total ? " total" : " kernel"));
      EXPECT_EQ(s.dashed, total);
      ASSERT_EQ(s.points.size(), 3u);
      for (std::size_t i = 0; i < 3; ++i) {
        const double k = 256 << (2 * i);
        EXPECT_EQ(s.points[i].x, k);
        EXPECT_EQ(s.points[i].y, synthetic_k_error(models[m], k) * 1.5 + (total ? 0.05 : 0.0));
      }
    }
  ASSERT_TRUE(p->reference);
  EXPECT_EQ(p->reference->x, 4096);
  EXPECT_EQ(p->reference->y, 0.02);
  EXPECT_EQ(p->y_label, "max |D - ref| / max |ref|");
  EXPECT_TRUE(p->log_x && p->log_y);
  ASSERT_EQ(p->table.rows.size(), 3u);
  EXPECT_EQ(p->table.rows[2][0], "4096");
  EXPECT_EQ(p->table.rows[2][5], report::format_number(synthetic_k_error("sm90-wgmma", 4096) * 1.5));
  const Plot* frobenius = find_plot(plots, "error-vs-k-frobenius");
  ASSERT_NE(frobenius, nullptr);
  EXPECT_EQ(frobenius->series[0].points[0].y, 0.01);
  // The sweep shares one recipe and format; the stray case adds its own to the strip plots.
  ASSERT_NE(find_plot(plots, "distribution-recipe"), nullptr);
  EXPECT_EQ(find_plot(plots, "distribution-recipe")->categories, (std::vector<std::string>{"tensor", "row.col"}));
  EXPECT_EQ(find_plot(plots, "quantize-recipe"), nullptr) << "no quantize case";
  EXPECT_EQ(find_plot(plots, "config-sweep"), nullptr) << "one config is not a sweep";
  EXPECT_EQ(find_plot(plots, "attention-vs-seq"), nullptr);
}

TEST(ReportPlotData, KComesFromTheShapeOrAKParamAndZeroOrNonFiniteErrorsAreNotDrawn) {
  CaseResult by_param;
  by_param.params = {{"k", "7168"}};
  EXPECT_EQ(report::case_k(by_param), 7168);
  CaseResult by_shape = synthetic_gemm_case("e4m3fn.e4m3fn", "tensor", "m256.n512.k128.g128m", "fp32", "auto");
  EXPECT_EQ(report::case_k(by_shape), 128);
  by_shape.params[2].second = "m256.n512";
  EXPECT_EQ(report::case_k(by_shape), std::nullopt);

  std::vector<CaseResult> cases;
  for (const double e : {0.0, std::nan(""), 1e-3}) {
    CaseResult c = synthetic_gemm_case("e4m3fn.e4m3fn", "tensor", "m1.n1.k" + std::to_string(cases.size() + 1), "exact", "auto");
    c.kernel_error = synthetic_statistics(e, 0);
    c.metrics["kernel_max_error_over_max_reference"] = e;
    cases.push_back(c);
  }
  const std::vector<Plot> plots = report::derive_plots(cases);
  const Plot* p = find_plot(plots, "error-vs-k");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->series.size(), 1u);
  ASSERT_EQ(p->series[0].points.size(), 1u);
  EXPECT_EQ(p->series[0].points[0].y, 1e-3);
  EXPECT_NE(p->caption.find("2 value(s) are zero or not finite"), std::string::npos);
  EXPECT_EQ(p->table.rows[1][1], "nan");
}

TEST(ReportPlotData, TheSyntheticRunHasEveryPlotAndTheHeatmapHoldsTheWorstCheckRatio) {
  const std::vector<CaseResult> cases = synthetic_results();
  const std::vector<Plot> plots = report::derive_plots(cases);
  std::vector<std::string> ids;
  for (const Plot& p : plots) ids.push_back(p.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"error-vs-k", "error-vs-k-frobenius", "distribution-recipe", "distribution-format",
                                           "quantize-recipe", "quantize-format", "config-sweep", "attention-vs-seq",
                                           "attention-vs-logit-scale"}));
  const Plot* heat = find_plot(plots, "config-sweep");
  ASSERT_EQ(heat->rows.size(), 4u);  // three swept configs and the invalid config of the error case
  for (const report::HeatCell& cell : heat->cells) {
    double worst = std::nan("");
    for (const CaseResult& c : cases)
      if (c.param("config") == heat->rows[cell.row] && c.param("shape") == heat->categories[cell.col]) {
        const double r = report::worst_check_ratio(c);
        if (!std::isnan(r)) worst = std::isnan(worst) ? r : std::max(worst, r);
      }
    if (std::isnan(worst)) EXPECT_TRUE(std::isnan(cell.value));
    else EXPECT_EQ(cell.value, worst);
  }
  const Plot* seq = find_plot(plots, "attention-vs-seq");
  ASSERT_EQ(seq->series.size(), 4u);  // P e4m3fn / P bf16, kernel / total
  EXPECT_EQ(seq->series[0].name, "P e4m3fn kernel");
  EXPECT_EQ(seq->series[2].name, "P bf16 kernel");
}

// A kernel model other than fp32, and inputs other than normal, make series of their own:
// the wgmma model's error on all-positive data is not folded into the FP32 one's.
TEST(ReportPlotData, AttentionSeriesSeparateKernelModelsAndDistributions) {
  std::vector<CaseResult> cases;
  for (const char* acc : {"fp32", "sm90-wgmma"})
    for (const char* dist : {"normal", "uniform(0,1)"})
      for (int seq : {128, 4224}) {
        CaseResult c;
        c.op = "attention";
        c.params = {{"p", "e4m3"}, {"seq", std::to_string(seq)}, {"distribution", dist}, {"accumulation", acc}};
        c.id = std::string("attention/") + acc + "/" + dist + "/" + std::to_string(seq);
        c.kernel_error = synthetic_statistics(1e-3, 1e-3 * seq);
        c.total_error = synthetic_statistics(1e-3, 1e-3 * seq);
        cases.push_back(c);
      }
  const std::vector<Plot> plots = report::derive_plots(cases);
  const Plot* seq = find_plot(plots, "attention-vs-seq");
  ASSERT_NE(seq, nullptr);
  std::vector<std::string> names;
  for (const auto& s : seq->series) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"P e4m3 kernel", "P e4m3 total", "P e4m3, uniform(0,1) kernel",
                                             "P e4m3, uniform(0,1) total", "P e4m3, sm90-wgmma kernel",
                                             "P e4m3, sm90-wgmma total", "P e4m3, sm90-wgmma, uniform(0,1) kernel",
                                             "P e4m3, sm90-wgmma, uniform(0,1) total"}));
}

// Sweeps over several input distributions get one pair of error-vs-K plots each; quantize
// cases have their own strip plots and never enter the GEMM ones.
TEST(ReportPlotData, ErrorVsKPerDistributionAndQuantizeStripsApart) {
  std::vector<CaseResult> cases;
  for (const std::string dist : {"normal", "uniform(0,1)"})
    for (const int k : {512, 2048}) {
      CaseResult c = synthetic_gemm_case("e4m3fn.e4m3fn", "tensor", "m64.n64.k" + std::to_string(k), "sm90-wgmma", "auto");
      c.params[3].second = dist;
      c.kernel_error = synthetic_statistics(1, dist == "normal" ? 1e-4 : 1e-2);
      c.metrics["kernel_max_error_over_max_reference"] = dist == "normal" ? 2e-4 : 2e-2;
      cases.push_back(c);
    }
  CaseResult q;
  q.op = "quantize";
  q.params = {{"format", "e5m2"}, {"recipe", "blk128x128"}, {"shape", "r64.c64"}};
  q.total_error = synthetic_statistics(0.1, 0.01);
  cases.push_back(q);
  const std::vector<Plot> plots = report::derive_plots(cases);
  const Plot* normal = find_plot(plots, "error-vs-k-normal");
  const Plot* uniform = find_plot(plots, "error-vs-k-frobenius-uniform-0-1");
  ASSERT_NE(normal, nullptr);
  ASSERT_NE(uniform, nullptr);
  EXPECT_NE(normal->title.find("normal"), std::string::npos);
  EXPECT_EQ(normal->series[0].points[1].y, 2e-4);
  EXPECT_EQ(uniform->series[0].points[1].y, 1e-2);
  EXPECT_EQ(find_plot(plots, "error-vs-k"), nullptr);
  ASSERT_NE(find_plot(plots, "quantize-recipe"), nullptr);
  EXPECT_EQ(find_plot(plots, "quantize-recipe")->categories, std::vector<std::string>{"blk128x128"});
  EXPECT_EQ(find_plot(plots, "distribution-recipe")->categories, std::vector<std::string>{"tensor"});
}

TEST(ReportSummary, FailuresAreMostSevereFirstAndSkipsGroupByReason) {
  const std::vector<CaseResult> cases = synthetic_results();
  const report::RunSummary s = report::summarize(cases);
  ASSERT_FALSE(s.failures.empty());
  for (std::size_t i = 1; i < s.failures.size(); ++i) EXPECT_GE(s.failures[i - 1]->verdict, s.failures[i]->verdict);
  EXPECT_EQ(s.failures.front()->verdict, Verdict::error);
  ASSERT_EQ(s.skipped.size(), 2u);
  EXPECT_EQ(s.skipped[0].cases.size(), 2u);
  EXPECT_EQ(s.all.total(), static_cast<std::int64_t>(cases.size()));
  ASSERT_EQ(s.seeded_bugs.size(), 2u);
  EXPECT_EQ(report::seeded_bug_explanation(*s.seeded_bugs[1]), "metrics: code_mismatches=17");
}

TEST(ReportGnuplot, ATimedOutOrFailingGnuplotIsReportedNotHung) {
  if (report::run_gnuplot("gnuplot", "", 30).status == report::GnuplotResult::Status::not_found)
    GTEST_SKIP() << "gnuplot is not installed (ci/setup installs gnuplot-nox)";
  const auto start = std::chrono::steady_clock::now();
  const report::GnuplotResult slow = report::run_gnuplot("gnuplot", "pause 60", 0.3);
  EXPECT_EQ(slow.status, report::GnuplotResult::Status::timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  const report::GnuplotResult bad = report::run_gnuplot("gnuplot", "set terminal svg\nplot $nonexistent", 30);
  EXPECT_EQ(bad.status, report::GnuplotResult::Status::failed);
  EXPECT_NE(bad.message.find("nonexistent"), std::string::npos) << bad.message;
  EXPECT_EQ(report::run_gnuplot("/nonexistent/gnuplot", "", 30).status, report::GnuplotResult::Status::not_found);
}

TEST(ReportGnuplot, DrawnSvgsInlineWithUniqueIdsAndNoNamespaceUrls) {
  const std::vector<Plot> plots = report::derive_plots(synthetic_results());
  const report::GnuplotResult r = report::run_gnuplot("gnuplot", report::gnuplot_script(plots.at(0)), 30);
  if (r.status == report::GnuplotResult::Status::not_found) GTEST_SKIP() << "gnuplot is not installed";
  ASSERT_EQ(r.status, report::GnuplotResult::Status::ok) << r.message;
  ASSERT_NE(r.svg.find("id='gpPt0'"), std::string::npos) << "gnuplot's marker ids changed; inline_svg needs a look";
  const std::optional<std::string> svg = report::inline_svg(r.svg, "k-", "Error & K");
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->rfind("<svg", 0), 0u);
  EXPECT_EQ(svg->find("http"), std::string::npos);
  EXPECT_EQ(svg->find("id='gpPt0'"), std::string::npos);
  EXPECT_NE(svg->find("id='k-gpPt0'"), std::string::npos);
  EXPECT_EQ(svg->find("'#gpPt"), std::string::npos);
  EXPECT_NE(svg->find("aria-label=\"Error &amp; K\""), std::string::npos);
  EXPECT_EQ(report::inline_svg("<p>not svg</p>", "x-", "t"), std::nullopt);
}

TEST(ReportText, EscapingReplacesControlsAndInvalidUtf8AndKeepsValidText) {
  EXPECT_EQ(report::escape_xml("a<b>&\"'\t\x01\x7f\xE2\x89\xA4"), "a&lt;b&gt;&amp;&quot;&#39;&#9;\xEF\xBF\xBD\xEF\xBF\xBD\xE2\x89\xA4");
  EXPECT_EQ(report::sanitize_utf8("ok\xC3\x28 \xED\xA0\x80 \xF0\x9F\x98\x80"), "ok\xEF\xBF\xBD( \xEF\xBF\xBD \xF0\x9F\x98\x80");
  EXPECT_EQ(report::escape_markdown("a|b *c* <d>\nx_y"), "a\\|b \\*c\\* &lt;d> x\\_y");
  EXPECT_EQ(report::single_line("red\x1b[31m\tx\n"), "red\xEF\xBF\xBD[31m x ");  // no terminal escapes
  EXPECT_EQ(report::format_number(std::nan("")), "nan");
  EXPECT_EQ(report::format_number(-INFINITY), "-inf");
  EXPECT_EQ(report::format_number(0.019200000001), "0.0192");
  EXPECT_EQ(report::wrap_words("aa bb cc dd", 5, 8), (std::vector<std::string>{"aa bb", "cc dd"}));
  EXPECT_EQ(report::gnuplot_quote("it's\nx"), "'it''s x'");
}

}  // namespace
}  // namespace fp8check::testing
