// Reading cases.h5 back for `fp8check verify`: the suite, seed, device profile and the
// cases (ids, ops, axis values, tolerance overrides, seed_bug) exactly as export selected
// them, so run_suite rebuilds every input from (seed, case id) as `run` does. Only the
// attributes are read; the tensors are for the user's kernel.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/run/run_case.hpp"

namespace fp8check::exchange {

struct ExportedCases {
  std::string file;
  std::string suite, suite_file, suite_sha256;
  std::uint64_t seed = 0;
  std::string device;  // the device profile's name
  std::string filter, shard, digest;
  std::vector<CaseInput> cases;  // entry order
};

// InputError (exit 2) naming the file, the entry and the fix for anything that is not a
// cases file of this version or does not hold together: a missing attribute, params that
// are not a JSON object of strings, an id its params do not give, a case for another
// backend than external, a digest that does not match the cases.
ExportedCases read_cases_file(const std::filesystem::path& path);

}  // namespace fp8check::exchange
