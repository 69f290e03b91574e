// fp8check export SUITE --out cases.h5: the selected cases' inputs for a kernel outside
// fp8check (docs/exchange-format.md); `fp8check verify` judges what it computes.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/cli/suite_args.hpp"
#include "harness/core/error.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/exchange/export_cases.hpp"
#include "harness/io/output_path.hpp"
#include "harness/record/golden_update.hpp"

namespace fp8check::cli {

int run_export(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string suite, filter = "*", device, out;
  std::optional<std::string> shard;
  std::uint64_t seed = 0;
  po::options_description opts(
      "fp8check export SUITE [--filter P] [--shard I/N] [--seed N] [--device D] [--out cases.h5]\n\n"
      "Writes the inputs of every selected case, built exactly as `run` builds them, to an\n"
      "HDF5 file for a kernel outside fp8check: codes and scales of every operand, the FP64\n"
      "originals and the problem (docs/exchange-format.md). The cases name the backend\n"
      "'external'; the kernel writes outputs.h5 and `fp8check verify cases.h5 outputs.h5`\n"
      "judges it with the run pipeline. Exit: 0 written, 2 bad input.\n\nOptions");
  opts.add_options()("help,h", "show this help")("suite", po::value(&suite), "suite name or .toml path")(
      "filter", po::value(&filter)->default_value(filter), "GoogleTest-style filter on the suite's case ids, as fp8check list prints them")(
      "shard", po::value<std::string>(), "I/N (default: GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS)")(
      "seed", po::value(&seed), "override the suite seed")(
      "device", po::value(&device), "device profile for config selection (default: the suite's)")(
      "out", po::value(&out), "cases file (default out/SUITE/cases.h5)");
  po::positional_options_description pos;
  pos.add("suite", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, po::options_description(), pos, vm)) return kExitPass;
  if (suite.empty()) throw InputError("fp8check export needs a SUITE (a name such as smoke, or a .toml path)");
  if (vm.count("shard")) shard = vm["shard"].as<std::string>();

  const LoadedSuite s = load_suite_cases(suite, filter, shard, exchange::kExternalBackend, device);
  if (s.cases.empty()) throw InputError("the filter '" + filter + "' selects no case of suite " + s.spec.name);
  const std::filesystem::path path = out.empty() ? std::filesystem::path("out") / s.spec.name / "cases.h5" : std::filesystem::path(out);
  io::check_output_path(path);
  io::check_not_an_input(path, s.spec.file, "the suite file");
  record::refuse_to_replace_a_golden(path);
  if (path.has_parent_path()) io::create_output_directory(path.parent_path());

  exchange::ExportRequest request;
  request.suite_name = s.spec.name;
  request.suite_file = s.spec.file;
  request.suite_sha256 = s.spec.sha256;
  request.seed = vm.count("seed") ? seed : s.spec.seed;
  request.device = s.device;
  request.filter = filter;
  request.shard = shard.value_or("");
  request.cases = s.cases;
  request.command_line = "fp8check export";
  for (const std::string& a : args) request.command_line += " " + a;
  const exchange::ExportSummary summary = exchange::export_cases(
      path, request, [](std::size_t, const std::string& id, const std::string& status) {
        if (status != exchange::kReady) std::fprintf(stderr, "%-7s %s\n", status.c_str(), id.c_str());
      });
  std::printf("fp8check export %s: %zu case(s) -> %s (%zu ready, %zu skipped, %zu errors), seed %llu, device %s\n",
              s.spec.name.c_str(), s.cases.size(), path.string().c_str(), summary.ready, summary.skipped,
              summary.errors, static_cast<unsigned long long>(request.seed), s.device->name.c_str());
  return kExitPass;
}

}  // namespace fp8check::cli
