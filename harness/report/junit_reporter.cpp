#include "harness/report/junit_reporter.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

#include "harness/report/run_summary.hpp"
#include "harness/report/text_format.hpp"

namespace fp8check::report {

namespace {

// JUnit times are plain decimals in seconds; a non-finite time is written as 0.
std::string junit_time(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6f", seconds);
  return buffer;
}

std::string attribute(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + escape_xml(value) + "\"";
}

// The body of a <failure>: what a reader needs to understand and reproduce the failure.
std::string failure_text(const CaseResult& c) {
  std::string text = "verdict: " + std::string(verdict_name(c.verdict)) + "\n";
  if (!c.reason.empty()) text += "reason: " + c.reason + "\n";
  for (const Check& check : c.checks) text += "check " + describe_check(check) + "\n";
  text += "seed key: " + c.seed_key + "\n";
  text += "backend: " + c.backend + ", config: " + c.config + "\n";
  text += "params: " + describe_params(c) + "\n";
  for (const auto& [name, value] : c.metrics) text += "metric " + name + " = " + format_number(value) + "\n";
  return text;
}

void write_property(std::ostream& out, std::string_view name, const std::string& value) {
  out << "      <property" << attribute("name", name) << attribute("value", value) << "/>\n";
}

}  // namespace

void JunitReporter::write(const RunMetadata& metadata, std::span<const CaseResult> cases, std::ostream& out) const {
  const RunSummary s = summarize(cases);
  const std::string suite = metadata.suite_name.empty() ? "fp8check" : metadata.suite_name;
  const std::string tests = std::to_string(s.all.total());
  const std::string failures = std::to_string(s.all.failures());
  const std::string skipped = std::to_string(s.all[Verdict::skipped]);
  const std::string time = junit_time(s.total_seconds);

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites" << attribute("name", "fp8check") << attribute("tests", tests)
      << attribute("failures", failures) << attribute("errors", "0") << attribute("skipped", skipped)
      << attribute("time", time) << ">\n";
  out << "  <testsuite" << attribute("name", suite) << attribute("tests", tests) << attribute("failures", failures)
      << attribute("errors", "0") << attribute("skipped", skipped) << attribute("time", time);
  if (!metadata.started_at.empty()) out << attribute("timestamp", metadata.started_at);
  if (!metadata.host.empty()) out << attribute("hostname", metadata.host);
  out << ">\n    <properties>\n";
  write_property(out, "suite_file", metadata.suite_file);
  write_property(out, "suite_sha256", metadata.suite_sha256);
  write_property(out, "git_sha", metadata.git_sha);
  write_property(out, "fp8check_version", metadata.fp8check_version);
  write_property(out, "compiler", metadata.compiler);
  write_property(out, "device", metadata.device);
  write_property(out, "seed", std::to_string(metadata.seed));
  write_property(out, "filter", metadata.filter);
  write_property(out, "shard", metadata.shard);
  write_property(out, "command_line", metadata.command_line);
  out << "    </properties>\n";

  for (const CaseResult& c : cases) {
    out << "    <testcase" << attribute("classname", suite + "." + c.op) << attribute("name", c.id)
        << attribute("time", junit_time(c.seconds));
    if (is_failure(c.verdict)) {
      const std::string message = c.reason.empty() ? std::string(verdict_name(c.verdict)) : c.reason;
      out << ">\n      <failure" << attribute("type", verdict_name(c.verdict)) << attribute("message", message) << ">"
          << escape_xml(failure_text(c)) << "</failure>\n    </testcase>\n";
    } else if (c.verdict == Verdict::skipped) {
      out << ">\n      <skipped" << attribute("message", c.reason) << "/>\n    </testcase>\n";
    } else {
      out << "/>\n";
    }
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace fp8check::report
