#include "harness/report/markdown_reporter.hpp"

#include <ostream>

#include "harness/report/accuracy_report.hpp"
#include "harness/report/text_format.hpp"

namespace fp8check::report {

namespace {

std::string cell(const std::string& text) { return text.empty() ? " " : escape_markdown(text); }

void write_table(std::ostream& out, const Table& t) {
  out << '|';
  for (const std::string& h : t.header) out << ' ' << cell(h) << " |";
  out << "\n|";
  for (std::size_t i = 0; i < t.header.size(); ++i) out << "---|";
  out << '\n';
  for (const auto& row : t.rows) {
    out << '|';
    for (const std::string& c : row) out << ' ' << cell(c) << " |";
    out << '\n';
  }
  out << '\n';
}

void write_paragraph(std::ostream& out, const std::string& text, Tone tone) {
  const std::string escaped = escape_markdown(text);
  switch (tone) {
    case Tone::plain: out << escaped; break;
    case Tone::good:
    case Tone::bad: out << "**" << escaped << "**"; break;
    case Tone::note: out << "*" << escaped << "*"; break;
  }
  out << "\n\n";
}

void write_plot(std::ostream& out, const Plot& p) {
  write_paragraph(out, p.caption, Tone::plain);
  if (p.reference)
    write_paragraph(out, "Reference: " + p.reference_label + " (drawn at x = " + format_number(p.reference->x) +
                             ", y = " + format_number(p.reference->y) + ").",
                    Tone::plain);
  write_paragraph(out, "The HTML report draws this as a plot; the data:", Tone::note);
  write_table(out, p.table);
}

}  // namespace

void MarkdownReporter::write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const {
  const AccuracyReport report = build_accuracy_report(metadata, cases);
  for (const Block& b : report.blocks) {
    switch (b.kind) {
      case Block::Kind::heading: out << std::string(static_cast<std::size_t>(b.level), '#') << ' ' << escape_markdown(b.text) << "\n\n"; break;
      case Block::Kind::paragraph: write_paragraph(out, b.text, b.tone); break;
      case Block::Kind::table: write_table(out, b.table); break;
      case Block::Kind::plot: write_plot(out, report.plots.at(b.plot)); break;
    }
  }
}

}  // namespace fp8check::report
