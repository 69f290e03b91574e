#include "harness/report/console_reporter.hpp"

#include <algorithm>
#include <ostream>

#include "harness/record/run_status.hpp"
#include "harness/report/run_summary.hpp"
#include "harness/report/text_format.hpp"

namespace fp8check::report {

namespace {

constexpr std::size_t kCountColumn = 11;  // " regression" is the widest header
constexpr std::size_t kMaxNameColumn = 40;

std::string pad_right(std::string text, std::size_t width) {
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  text.resize(width, ' ');
  return text;
}

std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? " " + text : std::string(width - text.size(), ' ') + text;
}

// `text` wrapped to `width` columns, each line after the first indented by `indent`;
// the first line starts with `lead` (padded to `indent`).
void write_wrapped(std::ostream& out, const std::string& lead, std::size_t indent, const std::string& text,
                   std::size_t width) {
  const std::string first = pad_right(lead, std::max(indent, lead.size()));
  const std::size_t room = width > first.size() ? width - first.size() : 20;
  const std::vector<std::string> lines = wrap_words(text, room, width - indent);
  out << first << lines[0] << '\n';
  for (std::size_t i = 1; i < lines.size(); ++i) out << std::string(indent, ' ') << lines[i] << '\n';
}

// "verdict     id: reason [seed=KEY]": the id and the key are never split (an id longer
// than the width overflows its line); the reason wraps with a hanging indent.
void write_failure(std::ostream& out, const CaseResult& c, std::size_t width) {
  constexpr std::size_t kIndent = 12;
  const std::string lead = pad_right(std::string(verdict_name(c.verdict)), kIndent) + single_line(c.id) + ":";
  const std::string text = (c.reason.empty() ? "(no reason given)" : single_line(c.reason)) + " [seed=" +
                           (c.seed_key.empty() ? "-" : single_line(c.seed_key)) + "]";
  out << lead;
  std::size_t room = lead.size() + 1 < width ? width - lead.size() - 1 : 0;
  if (room < 20) {  // too little room left: the reason starts on its own line
    out << '\n' << std::string(kIndent, ' ');
    room = width - kIndent;
  } else {
    out << ' ';
  }
  const std::vector<std::string> lines = wrap_words(text, room, width - kIndent);
  out << lines[0] << '\n';
  for (std::size_t i = 1; i < lines.size(); ++i) out << std::string(kIndent, ' ') << lines[i] << '\n';
}

void write_count_row(std::ostream& out, const std::string& name, std::size_t name_width, const VerdictCounts& counts) {
  out << pad_right(name, name_width) << pad_left(std::to_string(counts.total()), kCountColumn);
  for (Verdict v : kVerdicts) out << pad_left(std::to_string(counts[v]), kCountColumn);
  out << '\n';
}

void write_count_table(std::ostream& out, const RunSummary& s) {
  std::size_t name_width = 12;
  for (const auto* groups : {&s.by_op, &s.by_backend})
    for (const GroupCounts& g : *groups) name_width = std::max(name_width, g.name.size() + 9);
  name_width = std::min(name_width, kMaxNameColumn);
  out << pad_right("", name_width) << pad_left("total", kCountColumn);
  for (Verdict v : kVerdicts) out << pad_left(std::string(verdict_name(v)), kCountColumn);
  out << '\n';
  write_count_row(out, "all", name_width, s.all);
  for (const GroupCounts& g : s.by_op) write_count_row(out, "op " + g.name, name_width, g.counts);
  for (const GroupCounts& g : s.by_backend) write_count_row(out, "backend " + g.name, name_width, g.counts);
}

std::string header_line(const RunMetadata& m) {
  std::string out;
  const auto add = [&](std::string_view key, const std::string& value) {
    if (value.empty()) return;
    out += (out.empty() ? "" : ", ") + std::string(key) + " " + single_line(value);
  };
  add("suite file", m.suite_file);
  add("filter", m.filter);
  add("shard", m.shard);
  add("device", m.device);
  add("cuda", m.cuda_version);
  add("blas core", m.blas_core);
  add("git", m.git_sha);
  add("started", m.started_at);
  return out;
}

}  // namespace

void ConsoleReporter::write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const {
  const RunSummary s = summarize(cases);
  const std::string suite = metadata.suite_name.empty() ? "(unnamed)" : single_line(metadata.suite_name);
  write_wrapped(out, "fp8check: ", 4,
                "suite " + suite + ", " + std::to_string(s.all.total()) + " cases in " + format_fixed3(s.total_seconds) +
                    " s (sum of case times)",
                width_);
  if (const std::string header = header_line(metadata); !header.empty()) write_wrapped(out, "    ", 4, header, width_);
  out << '\n';
  write_count_table(out, s);

  if (!s.failures.empty()) {
    out << "\nfailing cases (" << s.failures.size() << ", most severe first; the seed key regenerates the inputs):\n";
    for (const CaseResult* c : s.failures) write_failure(out, *c, width_);
  }
  if (!s.skipped.empty()) {
    out << "\nskipped cases (" << s.all[Verdict::skipped] << ") by reason:\n";
    for (const SkipGroup& g : s.skipped)
      write_wrapped(out, "  " + std::to_string(g.cases.size()), 8, single_line(g.reason), width_);
  }
  out << '\n';
  out << "result: " << run_status(cases).line << '\n';
}

}  // namespace fp8check::report
