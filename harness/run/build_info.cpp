#include "harness/run/build_info.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>

namespace fp8check {

const BuildInfo& build_info() {
  static const BuildInfo info{FP8CHECK_VERSION, FP8CHECK_GIT_SHA, FP8CHECK_COMPILER, FP8CHECK_COMPILE_FLAGS,
                              FP8CHECK_CUDA_VERSION};
  return info;
}

std::string host_name() {
  char buf[256] = {};
  return gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : std::string("unknown");
}

std::string utc_now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace fp8check
