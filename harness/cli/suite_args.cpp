#include "harness/cli/suite_args.hpp"

#include <filesystem>

#include "harness/core/error.hpp"
#include "harness/run/ops.hpp"
#include "harness/suite/case_filter.hpp"
#include "harness/suite/case_id.hpp"
#include "harness/suite/suite_loader.hpp"

namespace fp8check::cli {
namespace {

namespace fs = std::filesystem;

// A suite path must name a regular file (or a link to one): a directory is no suite, and
// reading a FIFO or a device would block or never end.
fs::path existing_suite_file(const fs::path& p) {
  std::error_code ec;
  const fs::file_status status = fs::status(p, ec);
  if (!fs::exists(status)) throw InputError("suite file '" + p.string() + "' does not exist");
  if (!fs::is_regular_file(status))
    throw InputError("suite file '" + p.string() + "' is " +
                     (fs::is_directory(status) ? "a directory" : "not a regular file") +
                     ": expected a .toml file such as suites/smoke.toml");
  return p;
}

fs::path find_suite(const std::string& suite) {
  if (suite.ends_with(".toml") || suite.find('/') != std::string::npos) return existing_suite_file(suite);
  for (const fs::path& dir : {fs::path("suites"), fs::path(FP8CHECK_SOURCE_DIR) / "suites"}) {
    const fs::path p = dir / (suite + ".toml");
    std::error_code ec;
    if (fs::exists(p, ec)) return existing_suite_file(p);
  }
  std::string known;
  std::error_code ec;
  const fs::path dir = fs::is_directory("suites", ec) ? fs::path("suites") : fs::path(FP8CHECK_SOURCE_DIR) / "suites";
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".toml") known += (known.empty() ? "" : ", ") + entry.path().stem().string();
  throw InputError("no suite named '" + suite + "': expected a .toml path or one of " + (known.empty() ? "(none found)" : known));
}

}  // namespace

void SelectionArgs::add_to(boost::program_options::options_description& opts) {
  namespace po = boost::program_options;
  opts.add_options()("filter", po::value(&filter)->default_value(filter), "GoogleTest-style filter on case ids")(
      "shard", po::value<std::string>(),
      "I/N, 0 <= I < N: only shard I of N (default: GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS, or a Slurm array task)")(
      "shard-total", po::value<std::string>(),
      "N: shard by a Kubernetes Indexed Job, shard JOB_COMPLETION_INDEX of N (the Job's completions)");
}

void SelectionArgs::read(const boost::program_options::variables_map& vm) {
  if (vm.count("shard")) shard = vm["shard"].as<std::string>();
  if (vm.count("shard-total")) shard_total = vm["shard-total"].as<std::string>();
}

LoadedSuite load_suite_cases(const std::string& suite, const SelectionArgs& selection,
                             const std::string& backend_override, const std::string& device_override) {
  LoadedSuite out;
  const fs::path file = find_suite(suite);
  // Filter and shard are checked before the (slower) load: a typo fails at once.
  const CaseFilter filter = CaseFilter::parse(selection.filter);
  out.filter = selection.filter;
  out.shard = choose_shard(selection.shard, selection.shard_total);
  // The device must be known before loading: config = "all" expands against it. The
  // suite's own device is read by a first load with the default profile.
  const DeviceProfile* device = &find_device_profile(device_override.empty() ? "sm_90" : device_override);
  AxisSchemaRegistry schemas = builtin_op_schemas(*device);
  out.spec = load_suite(file, schemas);
  if (device_override.empty() && !out.spec.device.empty() && out.spec.device != device->name) {
    try {
      device = &find_device_profile(out.spec.device);
    } catch (const InputError& e) {
      throw InputError(file.string() + ": [suite] device: " + e.what());
    }
    schemas = builtin_op_schemas(*device);
    out.spec = load_suite(file, schemas);
  }
  out.device = device;
  out.filtered_count = select_cases(out.spec.cases, filter, Shard{}).size();
  for (const CaseSpec& c : select_cases(out.spec.cases, filter, out.shard.shard)) {
    CaseInput in{c.id, c.op, c.params, c.tolerance, c.seed_bug};
    if (!backend_override.empty()) {
      for (auto& [axis, value] : in.params)
        if (axis == "backend") value = backend_override;
      in.id = make_case_id(*schemas.find(c.op), in.params);
    }
    out.cases.push_back(std::move(in));
  }
  return out;
}

LoadedSuite load_suite_cases(const std::string& suite, const std::string& filter,
                             const std::optional<std::string>& shard, const std::string& backend_override,
                             const std::string& device_override) {
  SelectionArgs selection;
  selection.filter = filter;
  selection.shard = shard;
  return load_suite_cases(suite, selection, backend_override, device_override);
}

void require_cases(const LoadedSuite& s) {
  if (s.cases.empty())
    throw InputError(empty_selection_reason(s.spec.name, s.spec.cases.size(), s.filter, s.filtered_count, s.shard));
}

void record_selection(const LoadedSuite& s, RunMetadata& metadata) {
  metadata.filter = s.filter.empty() ? "*" : s.filter;
  metadata.shard = s.shard.recorded();
  metadata.shard_source = std::string(shard_source_name(s.shard.source));
  metadata.suite_case_count = static_cast<std::int64_t>(s.spec.cases.size());
}

}  // namespace fp8check::cli
