#include "harness/cli/suite_args.hpp"

#include <filesystem>

#include "harness/core/error.hpp"
#include "harness/run/ops.hpp"
#include "harness/suite/case_filter.hpp"
#include "harness/suite/case_id.hpp"
#include "harness/suite/shard.hpp"
#include "harness/suite/suite_loader.hpp"

namespace fp8check::cli {
namespace {

std::filesystem::path find_suite(const std::string& suite) {
  namespace fs = std::filesystem;
  if (suite.ends_with(".toml") || suite.find('/') != std::string::npos) {
    if (!fs::exists(suite)) throw InputError("suite file '" + suite + "' does not exist");
    return suite;
  }
  for (const fs::path& dir : {fs::path("suites"), fs::path(FP8CHECK_SOURCE_DIR) / "suites"}) {
    const fs::path p = dir / (suite + ".toml");
    if (fs::exists(p)) return p;
  }
  std::string known;
  const fs::path dir = fs::exists("suites") ? fs::path("suites") : fs::path(FP8CHECK_SOURCE_DIR) / "suites";
  if (fs::exists(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".toml") known += (known.empty() ? "" : ", ") + entry.path().stem().string();
  throw InputError("no suite named '" + suite + "': expected a .toml path or one of " + (known.empty() ? "(none found)" : known));
}

}  // namespace

LoadedSuite load_suite_cases(const std::string& suite, const std::string& filter,
                             const std::optional<std::string>& shard, const std::string& backend_override,
                             const std::string& device_override) {
  LoadedSuite out;
  const std::filesystem::path file = find_suite(suite);
  // The device must be known before loading: config = "all" expands against it. The
  // suite's own device is read by a first load with the default profile.
  const DeviceProfile* device = &find_device_profile(device_override.empty() ? "sm_90" : device_override);
  AxisSchemaRegistry schemas = builtin_op_schemas(*device);
  out.spec = load_suite(file, schemas);
  if (device_override.empty() && !out.spec.device.empty() && out.spec.device != device->name) {
    device = &find_device_profile(out.spec.device);
    schemas = builtin_op_schemas(*device);
    out.spec = load_suite(file, schemas);
  }
  out.device = device;
  const std::vector<CaseSpec> selected = select_cases(out.spec.cases, CaseFilter::parse(filter), resolve_shard(shard));
  for (const CaseSpec& c : selected) {
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

}  // namespace fp8check::cli
