// Facts about this build and machine, recorded with every run (RunMetadata).
#pragma once

#include <string>

namespace fp8check {

struct BuildInfo {
  std::string version;        // project version
  std::string git_sha;        // at configure time; "unknown" outside a git checkout
  std::string compiler;       // "GNU 12.2.0"
  std::string compile_flags;  // the flags of the build type
  std::string cuda_version;   // nvcc version the GPU backends were built with, or "none"
};

const BuildInfo& build_info();
std::string host_name();
std::string utc_now_iso8601();

}  // namespace fp8check
