// `fp8check export`: writes cases.h5 (docs/exchange-format.md) — every selected case's
// inputs exactly as the run pipeline builds them from (seed, case id), with everything a
// kernel needs to compute its output and nothing it must guess.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "harness/configs/device_profile.hpp"
#include "harness/run/run_case.hpp"

namespace fp8check::exchange {

struct ExportRequest {
  std::string suite_name, suite_file, suite_sha256;
  std::uint64_t seed = 0;
  const DeviceProfile* device = nullptr;  // the run's device profile
  std::string filter = "*";
  std::string shard;                      // "i/n" or ""
  std::vector<CaseInput> cases;           // backend "external", ids recomputed (suite_args)
  std::string command_line;
};

struct ExportSummary {
  std::size_t ready = 0, skipped = 0, errors = 0;
};

// Called once per case after it is written: index, id and its status ("ready", ...).
using ExportProgress = std::function<void(std::size_t index, const std::string& id, const std::string& status)>;

// Writes `path` atomically. A case the pipeline would skip (device, config) or could not
// build (bad input, out of memory) is written with that status and reason and no tensors;
// verify then skips or fails it exactly as run would. InputError for a bad request.
ExportSummary export_cases(const std::filesystem::path& path, const ExportRequest& request,
                           const ExportProgress& progress = {});

}  // namespace fp8check::exchange
