// What `list` and `run` share: finding a suite by name or path, loading it with the
// built-in op schemas, selecting cases by filter and shard.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/configs/device_profile.hpp"
#include "harness/run/run_case.hpp"
#include "harness/suite/suite_spec.hpp"

namespace fp8check::cli {

struct LoadedSuite {
  SuiteSpec spec;
  const DeviceProfile* device = nullptr;
  std::vector<CaseInput> cases;  // after filter, backend override and shard
};

// `suite`: a path to a .toml file, or a name looked up as suites/NAME.toml in the working
// directory and then in the source tree. `device` overrides the suite's (default sm_90).
LoadedSuite load_suite_cases(const std::string& suite, const std::string& filter,
                             const std::optional<std::string>& shard, const std::string& backend_override,
                             const std::string& device_override);

}  // namespace fp8check::cli
