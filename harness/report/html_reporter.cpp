#include "harness/report/html_reporter.hpp"

#include <ostream>

#include "harness/report/accuracy_report.hpp"
#include "harness/report/gnuplot_runner.hpp"
#include "harness/report/gnuplot_script.hpp"
#include "harness/report/inline_svg.hpp"
#include "harness/report/text_format.hpp"

namespace fp8check::report {

namespace {

constexpr const char* kStyle = R"(body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;margin:0;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:16px 28px 48px;background:#fff}
h1{font-size:1.6em;margin:.4em 0}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
h3{font-size:1.05em;margin:1.4em 0 .4em;word-break:break-all}
nav{font-size:.92em;margin-bottom:1em}nav a{margin-right:1.2em}
p.bad{border-left:4px solid #c62828;background:#fdecea;padding:.4em .8em}
p.good{border-left:4px solid #2e7d32;background:#edf7ed;padding:.4em .8em}
p.note{border-left:4px solid #9e9e9e;background:#f3f3f3;padding:.4em .8em;font-style:italic}
div.table{overflow-x:auto;margin:.6em 0}
table{border-collapse:collapse;font-size:.88em}
th,td{border:1px solid #d0d0d0;padding:3px 8px;text-align:left;vertical-align:top}
td:first-child{overflow-wrap:anywhere;min-width:12em}
th{background:#f0f0f0}tr:nth-child(even) td{background:#fafafa}
td.v-fail,td.v-regression,td.v-error,td.v-FAILED{color:#b71c1c;font-weight:600}
td.v-pass,td.v-improved{color:#1b5e20}td.v-skipped{color:#757575}
figure{margin:.6em 0}svg.plot{width:100%;max-width:960px;height:auto;border:1px solid #e0e0e0}
figcaption{font-size:.9em;color:#444;margin:.3em 0}
details{margin:.4em 0}summary{cursor:pointer;color:#333})";

std::string cell_class(const std::string& text) {
  for (const char* v : {"pass", "improved", "skipped", "fail", "regression", "error", "FAILED"})
    if (text == v) return std::string(" class=\"v-") + v + "\"";
  return "";
}

void write_table(std::ostream& out, const Table& t) {
  out << "<div class=\"table\"><table><thead><tr>";
  for (const std::string& h : t.header) out << "<th>" << escape_xml(h) << "</th>";
  out << "</tr></thead><tbody>\n";
  for (const auto& row : t.rows) {
    out << "<tr>";
    for (const std::string& c : row) out << "<td" << cell_class(c) << ">" << escape_xml(c) << "</td>";
    out << "</tr>\n";
  }
  out << "</tbody></table></div>\n";
}

const char* tone_class(Tone tone) {
  switch (tone) {
    case Tone::good: return " class=\"good\"";
    case Tone::bad: return " class=\"bad\"";
    case Tone::note: return " class=\"note\"";
    case Tone::plain: break;
  }
  return "";
}

// Each plot drawn, or why not. Once gnuplot is found missing, or has hung past the
// timeout, it is not tried again: a program that hangs once would cost the timeout per plot.
struct DrawnPlots {
  std::vector<std::string> svg;      // empty where not drawn
  std::vector<std::string> problem;  // why not drawn
  std::string gnuplot_unusable;      // set when gnuplot could not be started or timed out
};

DrawnPlots draw_plots(const std::vector<Plot>& plots, const ReportOptions& options) {
  DrawnPlots d;
  for (const Plot& p : plots) {
    d.svg.emplace_back();
    d.problem.emplace_back();
    if (!d.gnuplot_unusable.empty()) {
      d.problem.back() = d.gnuplot_unusable;
      continue;
    }
    const GnuplotResult r = run_gnuplot(options.gnuplot, gnuplot_script(p), options.gnuplot_timeout_seconds);
    if (r.status == GnuplotResult::Status::not_found || r.status == GnuplotResult::Status::timed_out)
      d.gnuplot_unusable = r.message;
    if (r.status != GnuplotResult::Status::ok) {
      d.problem.back() = r.message;
      continue;
    }
    if (auto svg = inline_svg(r.svg, p.id + "-", p.title)) d.svg.back() = std::move(*svg);
    else d.problem.back() = "gnuplot's output is not an SVG document";
  }
  return d;
}

void write_plot(std::ostream& out, const Plot& p, const std::string& svg, const std::string& problem) {
  out << "<figure id=\"figure-" << escape_xml(p.id) << "\">\n";
  if (!svg.empty()) out << svg << "\n";
  else out << "<p class=\"note\">Plot not drawn: " << escape_xml(problem) << ". The table below has its data.</p>\n";
  out << "<figcaption>" << escape_xml(p.caption);
  if (p.reference)
    out << " Reference (black circle and dotted line): " << escape_xml(p.reference_label) << ", at x = "
        << escape_xml(format_number(p.reference->x)) << ", y = " << escape_xml(format_number(p.reference->y)) << ".";
  out << "</figcaption>\n</figure>\n";
  out << (svg.empty() ? "<details open>" : "<details>") << "<summary>Data</summary>\n";
  write_table(out, p.table);
  out << "</details>\n";
}

void write_navigation(std::ostream& out, const AccuracyReport& report) {
  out << "<nav>";
  for (const Block& b : report.blocks)
    if (b.kind == Block::Kind::heading && b.level == 2 && !b.anchor.empty())
      out << "<a href=\"#" << escape_xml(b.anchor) << "\">" << escape_xml(b.text) << "</a>";
  out << "</nav>\n";
}

}  // namespace

void HtmlReporter::write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const {
  const AccuracyReport report = build_accuracy_report(metadata, cases);
  const DrawnPlots drawn = draw_plots(report.plots, options_);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << escape_xml(report.title) << "</title>\n<style>\n" << kStyle << "\n</style>\n</head>\n<body>\n<main>\n";
  bool navigation_written = false;
  for (const Block& b : report.blocks) {
    switch (b.kind) {
      case Block::Kind::heading:
        out << "<h" << b.level;
        if (!b.anchor.empty()) out << " id=\"" << escape_xml(b.anchor) << "\"";
        out << ">" << escape_xml(b.text) << "</h" << b.level << ">\n";
        if (b.level == 1 && !navigation_written) write_navigation(out, report), navigation_written = true;
        if (b.anchor == "plots" && !drawn.gnuplot_unusable.empty())
          out << "<p class=\"note\">The plots are not drawn: " << escape_xml(drawn.gnuplot_unusable)
              << ". Each plot's data is in the table in its place.</p>\n";
        break;
      case Block::Kind::paragraph: out << "<p" << tone_class(b.tone) << ">" << escape_xml(b.text) << "</p>\n"; break;
      case Block::Kind::table: write_table(out, b.table); break;
      case Block::Kind::plot:
        write_plot(out, report.plots.at(b.plot), drawn.svg.at(b.plot), drawn.problem.at(b.plot));
        break;
    }
  }
  out << "</main>\n</body>\n</html>\n";
}

}  // namespace fp8check::report
