// fp8check run SUITE: expand, run, compare with the golden, record, report.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/cli/suite_args.hpp"
#include "harness/core/error.hpp"
#include "harness/cli/run_outputs.hpp"
#include "harness/record/results_file.hpp"
#include "harness/run/progress.hpp"
#include "harness/run/suite_run.hpp"

namespace fp8check::cli {
namespace {

namespace fs = std::filesystem;

std::string joined(const std::vector<std::string>& args) {
  std::string s = "fp8check run";
  for (const std::string& a : args) s += " " + a;
  return s;
}

}  // namespace

int run_run(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string suite, filter = "*", backend, device, out, report_dir, golden;
  std::optional<std::string> shard;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::uint64_t seed = 0;
  po::options_description opts(
      "fp8check run SUITE [--filter P] [--backend B] [--jobs N] [--shard I/N] [--out results.h5]\n"
      "                   [--golden FILE | --no-golden] [--report DIR] [--seed N] [--device D] [--fail-on-skip]\n\n"
      "Runs every selected case (inputs -> quantize -> backend -> FP64 reference -> statistics ->\n"
      "verdict), compares with the golden (default golden/SUITE.h5 when present), writes the\n"
      "results (HDF5, atomically) and the reports (console, JSON, JUnit XML, Markdown, HTML).\n"
      "Exit: 0 all pass, 1 any fail/regression/error or no case judged (or any skip with --fail-on-skip),\n"
      "2 bad input, 3 internal error.\n\nOptions");
  opts.add_options()("help,h", "show this help")("suite", po::value(&suite), "suite name or .toml path")(
      "filter", po::value(&filter)->default_value(filter), "GoogleTest-style filter on case ids")(
      "backend", po::value(&backend), "replace every case's backend (emulated, cuda, cublaslt)")(
      "jobs,j", po::value(&jobs)->default_value(jobs), "cases run in parallel")(
      "shard", po::value<std::string>(), "I/N (default: GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS)")(
      "out", po::value(&out), "results file (default out/SUITE/results.h5)")(
      "golden", po::value(&golden), "golden results to compare with (default golden/SUITE.h5 if present)")(
      "no-golden", "do not compare with a golden")(
      "report", po::value(&report_dir), "report folder (default out/SUITE/report)")(
      "seed", po::value(&seed), "override the suite seed")(
      "device", po::value(&device), "device profile for config selection (default: the suite's)")(
      "no-baseline", "skip the exact-accumulation baseline check (faster)")(
      "fail-on-skip", "a skipped case fails the run (exit 1): for GPU nightlies, where a skip is lost coverage");
  po::positional_options_description pos;
  pos.add("suite", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, po::options_description(), pos, vm)) return kExitPass;
  if (suite.empty()) throw InputError("fp8check run needs a SUITE (a name such as smoke, or a .toml path)");
  if (jobs < 1) throw InputError("--jobs must be >= 1");
  if (vm.count("shard")) shard = vm["shard"].as<std::string>();

  const LoadedSuite s = load_suite_cases(suite, filter, shard, backend, device);
  if (s.cases.empty()) throw InputError("the filter '" + filter + "' selects no case of suite " + s.spec.name);
  const fs::path out_path = out.empty() ? fs::path("out") / s.spec.name / "results.h5" : fs::path(out);
  const fs::path report_path = report_dir.empty() ? fs::path("out") / s.spec.name / "report" : fs::path(report_dir);
  fs::path golden_path = golden;
  if (golden.empty() && !vm.count("no-golden")) {
    for (const fs::path& dir : {fs::path("golden"), fs::path(FP8CHECK_SOURCE_DIR) / "golden"})
      if (fs::exists(dir / (s.spec.name + ".h5"))) {
        golden_path = dir / (s.spec.name + ".h5");
        break;
      }
  }
  // Read the golden before running: a corrupt golden is bad input, found in a second.
  std::optional<record::ResultsFile> golden_file;
  if (!golden_path.empty()) golden_file = record::read_results(golden_path);

  SuiteRun run;
  run.spec = &s.spec;
  run.device = s.device;
  run.cases = s.cases;
  run.seed = vm.count("seed") ? seed : s.spec.seed;
  run.jobs = jobs;
  run.baseline = !vm.count("no-baseline");
  run.fail_on_skip = vm.count("fail-on-skip") > 0;
  run.golden = golden_file ? &*golden_file : nullptr;
  run.filter = filter;
  run.shard = shard.value_or("");
  run.command_line = joined(args);
  Progress progress(stderr);
  run.on_done = [&](const CaseResult& r, std::size_t done, std::size_t total) { progress.case_done(r, done, total); };
  std::fprintf(stderr, "fp8check run %s: %zu case(s), %d job(s), device profile %s, seed %llu\n", s.spec.name.c_str(),
               s.cases.size(), jobs, s.device->name.c_str(), static_cast<unsigned long long>(run.seed));
  const RunOutcome outcome = run_suite(run);
  progress.finish();
  return write_run_outputs(outcome, {out_path, report_path, golden_file ? golden_path : fs::path()});
}

}  // namespace fp8check::cli
