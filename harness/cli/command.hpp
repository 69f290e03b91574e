// A subcommand of the fp8check program. Each lives in its own cmd_*.cpp and is
// listed in main.cpp. run() returns the process exit code (docs/cli.md):
// 0 all pass, 1 failure or regression, 2 usage/input error, 3 internal error.
#pragma once

#include <string>
#include <vector>

namespace fp8check::cli {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);  // args after the subcommand name
};

inline constexpr int kExitPass = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;

int run_formats(const std::vector<std::string>& args);
int run_convert(const std::vector<std::string>& args);
int run_configs(const std::vector<std::string>& args);
int run_devices(const std::vector<std::string>& args);
int run_list(const std::vector<std::string>& args);
int run_run(const std::vector<std::string>& args);
int run_report(const std::vector<std::string>& args);
int run_quantize(const std::vector<std::string>& args);
int run_compare(const std::vector<std::string>& args);
int run_golden(const std::vector<std::string>& args);
int run_merge(const std::vector<std::string>& args);
int run_emulate(const std::vector<std::string>& args);

}  // namespace fp8check::cli
