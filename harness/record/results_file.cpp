// Results files: the root (run metadata, format marker, schema version), /case_index and
// /cases; each case group is detail/results_case.cpp. Layout: docs/results-format.md.
#include "harness/record/results_file.hpp"

#include <set>

#include "harness/core/error.hpp"
#include "harness/record/detail/results_case.hpp"
#include "harness/record/detail/results_schema.hpp"
#include "harness/record/detail/run_metadata_fields.hpp"
#include "harness/record/hdf5_file.hpp"

namespace fp8check::record {
namespace {

void check_ids(const std::vector<CaseResult>& cases) {
  std::set<std::string_view> seen;
  for (const CaseResult& c : cases) {
    if (c.id.empty()) throw InputError("a case has an empty id: expected a unique, non-empty id per case");
    if (!seen.insert(c.id).second)
      throw InputError("case id '" + c.id + "' appears twice: expected a unique id per case");
  }
}

// The root says what the file is before anything else is read, so a foreign or newer
// file fails with that message rather than with the first attribute it lacks.
void check_format(const Hdf5Group& root, const std::string& file) {
  const std::string expected = "format = \"" + std::string(kResultsFormat) + "\"";
  if (!root.has_attribute("format"))
    throw InputError(file +
                     ": not an fp8check results file (no root attribute format): expected an HDF5 file "
                     "written by fp8check (run, merge, golden update) with " +
                     expected);
  const std::string format = root.string_attribute("format");
  if (format != kResultsFormat)
    throw InputError(file + ": not an fp8check results file (format \"" + format + "\"): expected " + expected);
  const std::int64_t version = root.int_attribute("schema_version");
  if (version != kResultsSchemaVersion) {
    const std::string hint = root.has_attribute("regenerate") ? root.string_attribute("regenerate") : "";
    throw InputError(file + ": results schema_version " + std::to_string(version) + ": expected " +
                     std::to_string(kResultsSchemaVersion) + " (this fp8check reads schema " +
                     std::to_string(kResultsSchemaVersion) + " only; read it with the fp8check that wrote it" +
                     (hint.empty() ? "" : ", or regenerate it: " + hint) + ")");
  }
}

}  // namespace

const CaseResult* ResultsFile::find(std::string_view id) const {
  for (const CaseResult& c : cases)
    if (c.id == id) return &c;
  return nullptr;
}

void write_results(const std::filesystem::path& path, const RunMetadata& metadata, const std::vector<CaseResult>& cases,
                   const ResultsWriteOptions& options) {
  check_ids(cases);
  Hdf5File file = Hdf5File::create(path);
  Hdf5Group& root = file.root();
  root.set_attribute("format", std::string(kResultsFormat));
  root.set_attribute("schema_version", std::int64_t{kResultsSchemaVersion});
  root.set_attribute("regenerate", options.regenerate.empty() ? metadata.command_line : options.regenerate);
  for (const detail::RunMetadataField& f : detail::kRunMetadataFields) {
    root.set_attribute(f.name, metadata.*f.member);
  }
  root.set_uint64_attribute("seed", metadata.seed);
  if (metadata.suite_case_count) root.set_attribute("suite_case_count", *metadata.suite_case_count);

  std::vector<std::string> ids;
  ids.reserve(cases.size());
  for (const CaseResult& c : cases) ids.push_back(c.id);
  root.write_strings("case_index", ids);
  Hdf5Group case_groups = root.create_group("cases");
  for (std::size_t i = 0; i < cases.size(); ++i) detail::write_case(case_groups, i, cases[i], options);
  file.commit();
}

ResultsFile read_results(const std::filesystem::path& path) {
  ResultsFile out;
  out.path = path.string();
  const Hdf5File file = Hdf5File::open(path);
  const Hdf5Group& root = file.root();
  check_format(root, out.path);
  out.metadata.schema_version = kResultsSchemaVersion;
  for (const detail::RunMetadataField& f : detail::kRunMetadataFields) {
    if (f.required || root.has_attribute(f.name)) out.metadata.*f.member = root.string_attribute(f.name);
  }
  out.metadata.seed = root.uint64_attribute("seed");
  if (root.has_attribute("suite_case_count")) {
    out.metadata.suite_case_count = root.int_attribute("suite_case_count");
    if (*out.metadata.suite_case_count < 0)
      detail::malformed(out.path, "/suite_case_count is " + std::to_string(*out.metadata.suite_case_count),
                        "a count >= 0");
  }
  out.regenerate = root.string_attribute("regenerate");

  // /case_index and /cases must agree: a shorter index would silently drop cases.
  const Hdf5Group case_groups = root.open_group("cases");
  const std::uint64_t groups = case_groups.link_count();
  const std::vector<std::uint64_t> index_shape = root.dataset_shape("case_index");
  if (index_shape != std::vector<std::uint64_t>{groups})
    detail::malformed(out.path,
                      "/case_index lists " + std::to_string(index_shape[0]) + " case(s) but /cases holds " +
                          std::to_string(groups) + " group(s)",
                      "one id in /case_index per group in /cases");
  const std::vector<std::string> ids = root.read_strings("case_index", groups);
  out.cases.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out.cases.push_back(detail::read_case(case_groups, i, out.path));
    if (out.cases.back().id != ids[i])
      detail::malformed(out.path,
                        "/cases/" + detail::case_group_name(i) + " has id '" + out.cases.back().id +
                            "' but /case_index says '" + ids[i] + "'",
                        "the same id in both");
  }
  try {
    check_ids(out.cases);
  } catch (const InputError& e) {
    throw InputError(out.path + ": " + e.what());
  }
  return out;
}

}  // namespace fp8check::record
