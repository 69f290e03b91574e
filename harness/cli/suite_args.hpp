// What `list` and `run` share: finding a suite by name or path, loading it with the
// built-in op schemas, selecting cases by filter and shard (from --shard, --shard-total or
// the environment: suite/shard.hpp), and recording that selection in a results file.
#pragma once

#include <boost/program_options.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/configs/device_profile.hpp"
#include "harness/record/case_result.hpp"
#include "harness/run/run_case.hpp"
#include "harness/suite/shard.hpp"
#include "harness/suite/suite_spec.hpp"

namespace fp8check::cli {

// The selection options of `list` and `run`: --filter, --shard, --shard-total.
struct SelectionArgs {
  std::string filter = "*";
  std::optional<std::string> shard;        // --shard I/N
  std::optional<std::string> shard_total;  // --shard-total N (Kubernetes Indexed Job)

  void add_to(boost::program_options::options_description& opts);
  // Copies the optional values out of the parsed options (after parse_options).
  void read(const boost::program_options::variables_map& vm);
};

struct LoadedSuite {
  SuiteSpec spec;
  const DeviceProfile* device = nullptr;
  std::vector<CaseInput> cases;  // after filter, backend override and shard
  std::string filter;            // as given
  std::size_t filtered_count = 0;  // cases the filter selects, before sharding
  ShardChoice shard;               // the shard and which source chose it
};

// `suite`: a path to a .toml file, or a name looked up as suites/NAME.toml in the working
// directory and then in the source tree. `device` overrides the suite's (default sm_90).
// InputError for a missing suite, a path that is not a regular file, a bad filter or shard.
LoadedSuite load_suite_cases(const std::string& suite, const SelectionArgs& selection,
                             const std::string& backend_override, const std::string& device_override);
// The same with only --filter and --shard (the shard may still come from the environment).
LoadedSuite load_suite_cases(const std::string& suite, const std::string& filter,
                             const std::optional<std::string>& shard, const std::string& backend_override,
                             const std::string& device_override);

// InputError when the selection holds no case, saying why: the filter selects nothing, or
// the shard is empty (more shards than the filter's cases). `run` calls it before running.
void require_cases(const LoadedSuite& s);

// Records the selection in a run's metadata: filter, shard ("" for a whole run),
// shard_source and the suite's case count, so that a results file says whether it is a
// whole run (golden_update.hpp: partial_run_reason).
void record_selection(const LoadedSuite& s, RunMetadata& metadata);

}  // namespace fp8check::cli
