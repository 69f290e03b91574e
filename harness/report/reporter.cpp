#include "harness/report/reporter.hpp"

#include <sstream>

#include "harness/core/error.hpp"
#include "harness/io/atomic_file.hpp"
#include "harness/report/console_reporter.hpp"
#include "harness/report/html_reporter.hpp"
#include "harness/report/json_reporter.hpp"
#include "harness/report/junit_reporter.hpp"
#include "harness/report/markdown_reporter.hpp"

namespace fp8check::report {

std::unique_ptr<Reporter> make_reporter(std::string_view kind, const ReportOptions& options) {
  if (kind == "console") return std::make_unique<ConsoleReporter>(options.console_width);
  if (kind == "json") return std::make_unique<JsonReporter>();
  if (kind == "junit") return std::make_unique<JunitReporter>();
  if (kind == "markdown") return std::make_unique<MarkdownReporter>();
  if (kind == "html") return std::make_unique<HtmlReporter>(options);
  throw InputError("unknown report kind '" + std::string(kind) + "': expected one of " + std::string(kReporterKinds));
}

std::string_view reporter_kind_for_path(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return "json";
  if (ext == ".xml") return "junit";
  if (ext == ".md") return "markdown";
  if (ext == ".html" || ext == ".htm") return "html";
  throw InputError("cannot tell the report kind of '" + path.string() +
                   "' from its extension: expected .json, .xml (JUnit), .md (Markdown) or .html");
}

void write_report_file(const Reporter& reporter, const std::filesystem::path& path, const RunMetadata& metadata,
                       std::span<const CaseResult> cases) {
  std::ostringstream text;
  reporter.write(metadata, cases, text);
  const std::string bytes = text.str();
  io::write_file_atomically(path, std::as_bytes(std::span(bytes.data(), bytes.size())));
}

}  // namespace fp8check::report
