// fp8check list SUITE [--filter GLOB] [--shard I/N]: the case ids a run would execute.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/cli/suite_args.hpp"
#include "harness/core/error.hpp"
#include "harness/plugin/plugin_loader.hpp"
#include "harness/run/case_axes.hpp"

namespace fp8check::cli {

int run_list(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string suite, backend, backend_lib, device;
  SelectionArgs selection;
  po::options_description opts(
      "fp8check list SUITE [--filter PATTERNS] [--shard I/N | --shard-total N] [--backend B] [--backend-lib LIB]\n"
      "                    [--device D]\n\n"
      "Prints the ids of the suite's cases (after filter and shard), one per line. SUITE is a\n"
      "name (suites/NAME.toml) or a path. PATTERNS are GoogleTest-style: 'POS1:POS2-NEG1:NEG2'\n"
      "with * and ?; write \\: for a literal ':' in an id (cfg\\:auto). The shard comes from\n"
      "--shard, GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS, a Slurm array task or a Kubernetes\n"
      "Indexed Job (JOB_COMPLETION_INDEX with --shard-total); stderr says which.\n\nOptions");
  opts.add_options()("help,h", "show this help")("suite", po::value(&suite), "suite name or .toml path")(
      "backend", po::value(&backend), "replace every case's backend")(
      "backend-lib", po::value(&backend_lib), "load a plug-in backend; the cases run on it unless --backend names another")(
      "device", po::value(&device), "device profile for config = all (default: the suite's, else sm_90)");
  selection.add_to(opts);
  po::positional_options_description pos;
  pos.add("suite", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, po::options_description(), pos, vm)) return kExitPass;
  if (suite.empty()) throw InputError("fp8check list needs a SUITE (a name such as smoke, or a .toml path)");
  selection.read(vm);
  if (vm.count("backend-lib")) backend = plugin::backend_from_library(backend_lib, backend);
  if (!backend.empty()) validate_backend_name(backend);  // exit 2 here, not an error verdict per case
  const LoadedSuite s = load_suite_cases(suite, selection, backend, device);
  for (const CaseInput& c : s.cases) std::printf("%s\n", c.id.c_str());
  std::fprintf(stderr, "%zu of %zu case(s) in suite %s, %s\n", s.cases.size(), s.spec.cases.size(),
               s.spec.name.c_str(), s.shard.describe().c_str());
  if (s.cases.empty())
    std::fprintf(stderr, "note: %s\n",
                 empty_selection_reason(s.spec.name, s.spec.cases.size(), s.filter, s.filtered_count, s.shard).c_str());
  return kExitPass;
}

}  // namespace fp8check::cli
