// Every reporter on one synthetic run (tests/report/synthetic_results.hpp), written through
// write_report_file into a temporary directory: the JSON parses and counts right, non-
// finite numbers are strings; the JUnit XML is well-formed for Python's xml.etree with one
// testcase per case and a failure per failing case; Markdown and HTML list the failing
// ids first; the HTML has an inline SVG per plot and no external reference, and says
// plainly when gnuplot is missing while still giving the tables.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "harness/core/error.hpp"
#include "harness/report/console_reporter.hpp"
#include "harness/report/html_reporter.hpp"
#include "harness/report/json_reporter.hpp"
#include "harness/report/plot_data.hpp"
#include "harness/report/run_summary.hpp"
#include "harness/report/text_format.hpp"
#include "harness/report/time_report.hpp"
#include "report/synthetic_results.hpp"

namespace fp8check::testing {
namespace {

namespace fs = std::filesystem;
using report::ReportOptions;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// stdout of a shell command, or nullopt when it exits non-zero.
std::optional<std::string> capture(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  return pclose(pipe) == 0 ? std::optional(out) : std::nullopt;
}

bool gnuplot_available() { return capture("gnuplot --version >/dev/null 2>&1").has_value(); }

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fp8check_report_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(std::string_view kind, const std::string& file, const ReportOptions& options = {}) {
    report::write_report_file(*report::make_reporter(kind, options), dir_ / file, metadata_, cases_);
    return read_text(dir_ / file);
  }
  std::int64_t count(Verdict v) const {
    return std::count_if(cases_.begin(), cases_.end(), [&](const CaseResult& c) { return c.verdict == v; });
  }
  std::int64_t failing() const {
    return std::count_if(cases_.begin(), cases_.end(), [](const CaseResult& c) { return is_failure(c.verdict); });
  }

  fs::path dir_;
  RunMetadata metadata_ = synthetic_metadata();
  std::vector<CaseResult> cases_ = synthetic_results();
};

TEST_F(ReportTest, JsonParsesWithTheRunsCountsAndEncodesNonFiniteAsStrings) {
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(write("json", "report.json"));
  EXPECT_EQ(j["format"], "fp8check-report");
  EXPECT_EQ(j["summary"]["verdicts"]["total"], cases_.size());
  for (Verdict v : report::kVerdicts) EXPECT_EQ(j["summary"]["verdicts"][std::string(verdict_name(v))], count(v));
  EXPECT_EQ(j["summary"]["failing_ids"].size(), static_cast<std::size_t>(failing()));
  ASSERT_EQ(j["cases"].size(), cases_.size());
  for (std::size_t i = 0; i < cases_.size(); ++i) {
    EXPECT_EQ(j["cases"][i]["id"], cases_[i].id);
    EXPECT_EQ(j["cases"][i]["checks"].size(), cases_[i].checks.size());
    EXPECT_EQ(j["cases"][i]["params"].size(), cases_[i].params.size());
  }
  const auto nan_case = std::find_if(j["cases"].begin(), j["cases"].end(), [](const auto& c) { return c["reason"] == kHostileReason; });
  ASSERT_NE(nan_case, j["cases"].end());
  // The hostile reason holds U+0001, which JSON escapes and parsing restores.
  EXPECT_EQ((*nan_case)["kernel_error"]["max_relative_error"], "inf");
  EXPECT_EQ((*nan_case)["kernel_error"]["relative_frobenius"], "nan");
  EXPECT_EQ((*nan_case)["kernel_error"]["sqnr_db"], "-inf");
  EXPECT_EQ((*nan_case)["kernel_error"]["unexpected_specials"]["nan"], 3);
  EXPECT_EQ((*nan_case)["metrics"]["amax_d"], "inf");
  EXPECT_EQ((*nan_case)["total_error"], nullptr);
  // Param order is axis order (ordered JSON), so a reader sees the case as the suite wrote it.
  EXPECT_EQ(j["cases"][0]["params"].begin().key(), "formats");
}

// Which BLAS the references ran on: the JSON run section and the HTML and Markdown Run table.
TEST_F(ReportTest, TheRunSectionSaysWhichBlasRan) {
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(write("json", "report.json"));
  EXPECT_EQ(j["run"]["blas"], metadata_.blas);
  EXPECT_EQ(j["run"]["blas_core"], "Prescott");
  EXPECT_EQ(j["run"]["blas_threads"], "2");
  EXPECT_EQ(j["run"]["blas_warning"], metadata_.blas_warning);
  ReportOptions options;
  options.gnuplot = (dir_ / "no-such-gnuplot").string();
  const std::string html = write("html", "report.html", options);
  for (const std::string& cell : {std::string("BLAS core"), std::string("Prescott"), std::string("BLAS warning"),
                                  report::escape_xml(metadata_.blas_warning)})
    EXPECT_NE(html.find("<td>" + cell + "</td>"), std::string::npos) << cell;
  const std::string markdown = write("markdown", "report.md");
  EXPECT_NE(markdown.find("BLAS threads per product"), std::string::npos);
  // Results written before the BLAS was recorded: "-", and no warning row.
  metadata_.blas = metadata_.blas_core = metadata_.blas_threads = metadata_.blas_warning = "";
  const std::string old = write("html", "old.html", options);
  EXPECT_NE(old.find("<td>BLAS core</td><td>-</td>"), std::string::npos);
  EXPECT_EQ(old.find("BLAS warning"), std::string::npos);
}

TEST_F(ReportTest, JunitIsWellFormedWithOneTestcasePerCaseAndAFailurePerFailingCase) {
  write("junit", "report.xml");
  const auto parsed = capture("PYTHONIOENCODING=utf-8 python3 -c '"
                              "import sys, xml.etree.ElementTree as ET\n"
                              "root = ET.parse(sys.argv[1]).getroot()\n"
                              "cases = list(root.iter(\"testcase\"))\n"
                              "print(len(cases), len(list(root.iter(\"failure\"))), len(list(root.iter(\"skipped\"))),"
                              " root.get(\"failures\"))\n"
                              "for c in cases:\n"
                              "  f = c.find(\"failure\")\n"
                              "  if f is not None: print(c.get(\"classname\") + \"|\" + c.get(\"name\") + \"|\" + "
                              "f.get(\"type\") + \"|\" + f.get(\"message\"))\n"
                              "' " + (dir_ / "report.xml").string());
  ASSERT_TRUE(parsed) << "python3 could not parse the JUnit XML (or python3 is missing)";
  std::string expected = std::to_string(cases_.size()) + " " + std::to_string(failing()) + " " +
                         std::to_string(count(Verdict::skipped)) + " " + std::to_string(failing()) + "\n";
  for (const CaseResult& c : cases_)
    if (is_failure(c.verdict))
      expected += metadata_.suite_name + "." + c.op + "|" + c.id + "|" + std::string(verdict_name(c.verdict)) + "|" +
                  (c.reason.empty() ? std::string(verdict_name(c.verdict)) : c.reason) + "\n";
  // The control character cannot be in XML 1.0: it reads back as U+FFFD, all else verbatim.
  const std::string control = "\x01", replacement = "\xEF\xBF\xBD";
  expected.replace(expected.find(control), 1, replacement);
  EXPECT_EQ(*parsed, expected);
}

TEST_F(ReportTest, ConsoleListsEachFailureWithSeedKeyGroupsSkipsAndFits120Columns) {
  const std::string text = write("console", "console.txt");
  std::size_t widest = 0;
  for (std::size_t at = 0, next; at < text.size(); at = next + 1) {
    next = text.find('\n', at);
    if (next == std::string::npos) next = text.size();
    widest = std::max(widest, next - at);
  }
  EXPECT_LE(widest, 120u);
  for (const CaseResult& c : cases_) {
    const std::size_t id = text.find(c.id + ":");
    if (!is_failure(c.verdict)) {
      EXPECT_EQ(id, std::string::npos) << c.id << " is not failing and should not be listed";
      continue;
    }
    ASSERT_NE(id, std::string::npos) << c.id;
    EXPECT_EQ(text.rfind('\n', id) + 1, text.rfind(std::string(verdict_name(c.verdict)), id)) << "verdict starts the line";
    // The seed key closes the entry: it comes before the next line that is not a continuation.
    std::size_t end = text.find('\n', id);
    while (end + 1 < text.size() && text[end + 1] == ' ') end = text.find('\n', end + 1);
    EXPECT_LT(text.find("[seed=" + c.seed_key + "]", id), end) << c.id;
  }
  EXPECT_NE(text.find("  2     e4m3fn needs native FP8, sm_89+; device is sm_86"), std::string::npos) << text;
  EXPECT_NE(text.find("result: " + std::to_string(failing()) + " of " + std::to_string(cases_.size())), std::string::npos);
  EXPECT_EQ(text.find('\x01'), std::string::npos) << "control characters must not reach a terminal";
}

// Positions of the failing ids in `text` (first occurrence), in summary order.
std::vector<std::size_t> failing_positions(const std::string& text, std::span<const CaseResult> cases,
                                           const std::function<std::string(const std::string&)>& escape) {
  std::vector<std::size_t> at;
  for (const CaseResult* c : report::summarize(cases).failures) at.push_back(text.find(escape(c->id)));
  return at;
}

TEST_F(ReportTest, MarkdownListsFailingCasesFirstMostSevereFirstAndTheSeededBugs) {
  const std::string md = write("markdown", "report.md");
  const std::vector<std::size_t> at = failing_positions(md, cases_, report::escape_markdown);
  ASSERT_FALSE(at.empty());
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end())) << "failures must appear in summary order";
  EXPECT_EQ(std::count(at.begin(), at.end(), std::string::npos), 0);
  for (const CaseResult& c : cases_) {
    if (is_failure(c.verdict) || c.verdict == Verdict::skipped) continue;
    EXPECT_GT(md.find(report::escape_markdown(c.id)), at.back()) << c.id;
  }
  const std::size_t bugs = md.find("## Known bugs this run guards against");
  ASSERT_NE(bugs, std::string::npos);
  EXPECT_NE(md.find("bug: scale\\_b not applied; kernel max\\_relative\\_error 0.93", bugs), std::string::npos);
  EXPECT_NE(md.find("seeds/quantize/amax\\_off\\_by\\_one | fail | metrics: code\\_mismatches=17", bugs), std::string::npos);
  EXPECT_EQ(md.find('\x01'), std::string::npos);
}

TEST_F(ReportTest, HtmlHasAnInlineSvgPerPlotTheFailingIdsAndNoExternalReference) {
  if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed (ci/setup installs gnuplot-nox)";
  const std::string html = write("html", "report.html");
  for (const report::Plot& p : report::derive_plots(cases_)) {
    const std::size_t figure = html.find("<figure id=\"figure-" + p.id + "\">");
    ASSERT_NE(figure, std::string::npos) << p.id;
    EXPECT_EQ(html.find("<svg", figure), html.find('<', figure + 1)) << p.id << ": the figure must start with its SVG";
  }
  const std::vector<std::size_t> at = failing_positions(html, cases_, report::escape_xml);
  EXPECT_EQ(std::count(at.begin(), at.end(), std::string::npos), 0);
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end()));
  EXPECT_LT(at.back(), html.find("id=\"plots\""));
  for (const char* external : {"http", "<link", "<script", "url(", "@import", "src="})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  EXPECT_NE(html.find("<text>DeepSeek-V3: ~2% at K=4096, no promotion</text>"), std::string::npos) << "in the SVG";
  EXPECT_EQ(html, write("html", "again.html")) << "equal results must give an identical report";
}

// Stage times: the JSON sums them per op, the HTML draws one stacked bar per op (segments in
// pipeline order) and lists the slowest cases; results without stage times get neither.
TEST_F(ReportTest, StageTimesAreSummedPerOpDrawnAsBarsAndTheSlowestCasesListed) {
  std::map<std::string, std::map<std::string, double>> expected;
  for (const CaseResult& c : cases_)
    for (const auto& [stage, seconds] : c.stage_seconds) expected[c.op][stage] += seconds;
  ASSERT_FALSE(expected.empty()) << "the synthetic run records stage times";
  const nlohmann::json j = nlohmann::json::parse(write("json", "report.json"));
  for (const auto& [op, stages] : expected)
    for (const auto& [stage, seconds] : stages)
      EXPECT_DOUBLE_EQ(j["summary"]["stage_seconds_by_op"][op][stage].get<double>(), seconds) << op << " " << stage;

  const std::optional<report::Plot> plot = report::stage_time_plot(cases_);
  ASSERT_TRUE(plot);
  EXPECT_EQ(plot->kind, report::PlotKind::bars);
  EXPECT_EQ(plot->series.size(), std::size(kCaseStages));
  EXPECT_EQ(plot->categories.size(), expected.size());
  const std::string md = write("markdown", "report.md");
  EXPECT_NE(md.find("## Where the time goes"), std::string::npos);
  const report::Table slowest = report::slowest_cases_table(cases_, 3);
  ASSERT_EQ(slowest.rows.size(), 3u);
  EXPECT_NE(md.find("| " + slowest.rows.front().front() + " |"), std::string::npos);
  if (gnuplot_available()) {
    const std::string html = write("html", "report.html");
    const std::size_t figure = html.find("<figure id=\"figure-time-by-stage\">");
    ASSERT_NE(figure, std::string::npos);
    EXPECT_EQ(html.find("<svg", figure), html.find('<', figure + 1));
  }

  for (CaseResult& c : cases_) c.stage_seconds.clear();
  EXPECT_FALSE(report::stage_time_plot(cases_));
  EXPECT_EQ(write("markdown", "plain.md").find("Where the time goes"), std::string::npos);
}

TEST_F(ReportTest, HtmlWithoutGnuplotSaysSoAndStillGivesEveryTable) {
  ReportOptions options;
  options.gnuplot = (dir_ / "no-such-gnuplot").string();
  const std::string html = write("html", "report.html", options);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("The plots are not drawn: gnuplot could not be started as &#39;" + options.gnuplot), std::string::npos);
  for (const report::Plot& p : report::derive_plots(cases_)) {
    ASSERT_FALSE(p.table.rows.empty());
    EXPECT_NE(html.find("<td>" + report::escape_xml(p.table.rows.back().front()) + "</td>"), std::string::npos) << p.id;
  }
  EXPECT_NE(html.find(report::escape_xml(kHostileReason).substr(0, 40)), std::string::npos);
}

// A gnuplot that hangs is stopped at the timeout once, not once per plot (a report of many
// plots would otherwise take minutes: `report --gnuplot yes`).
TEST_F(ReportTest, AGnuplotThatHangsIsTriedOnce) {
  const fs::path fake = dir_ / "hanging-gnuplot", runs = dir_ / "runs.txt";
  std::ofstream(fake) << "#!/bin/sh\necho run >> '" << runs.string() << "'\nexec sleep 60\n";
  fs::permissions(fake, fs::perms::owner_all);
  ReportOptions options;
  options.gnuplot = fake.string();
  options.gnuplot_timeout_seconds = 0.2;
  ASSERT_GT(report::derive_plots(cases_).size(), 1u);
  const std::string html = write("html", "report.html", options);
  EXPECT_NE(html.find("The plots are not drawn: gnuplot (&#39;" + fake.string() + "&#39;) was stopped after"),
            std::string::npos);
  std::ifstream in(runs);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(text, "run\n");
}

TEST_F(ReportTest, ARunWithoutCasesIsReportedByEveryReporter) {
  cases_.clear();
  EXPECT_EQ(nlohmann::json::parse(write("json", "empty.json"))["summary"]["verdicts"]["total"], 0);
  EXPECT_NE(write("console", "empty.txt").find("result: 0 judged: the run holds no case"), std::string::npos);
  EXPECT_NE(write("junit", "empty.xml").find("<testsuites name=\"fp8check\" tests=\"0\""), std::string::npos);
  EXPECT_NE(write("markdown", "empty.md").find("No plots"), std::string::npos);
  EXPECT_EQ(write("html", "empty.html").find("<svg"), std::string::npos);
}

TEST_F(ReportTest, UnknownKindsAndExtensionsAreInputErrorsNamingTheAccepted) {
  EXPECT_THROW(report::make_reporter("pdf"), InputError);
  EXPECT_EQ(report::reporter_kind_for_path("a/b.xml"), "junit");
  try {
    report::reporter_kind_for_path("out.pdf");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(".json, .xml (JUnit), .md (Markdown) or .html"), std::string::npos);
  }
}

}  // namespace
}  // namespace fp8check::testing
