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
#include "harness/io/output_path.hpp"
#include "harness/cli/run_outputs.hpp"
#include "harness/plugin/plugin_loader.hpp"
#include "harness/run/case_axes.hpp"
#include "harness/record/golden.hpp"
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
  std::string suite, backend, backend_lib, device, out, report_dir, golden;
  SelectionArgs selection;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::uint64_t seed = 0;
  po::options_description opts(
      "fp8check run SUITE [--filter P] [--shard I/N | --shard-total N] [--backend B] [--backend-lib LIB] [--jobs N]\n"
      "                   [--out results.h5] [--golden FILE | --no-golden] [--report DIR] [--seed N] [--device D]\n"
      "                   [--fail-on-skip]\n\n"
      "Runs every selected case (inputs -> quantize -> backend -> FP64 reference -> statistics ->\n"
      "verdict), compares with the golden (default golden/SUITE.h5 when present), writes the\n"
      "results (HDF5, atomically) and the reports (console, JSON, JUnit XML, Markdown, HTML).\n"
      "Exit: 0 all pass, 1 any fail/regression/error or no case judged (or any skip with --fail-on-skip),\n"
      "2 bad input, 3 internal error.\n\nOptions");
  opts.add_options()("help,h", "show this help")("suite", po::value(&suite), "suite name or .toml path")(
      "backend", po::value(&backend), "replace every case's backend (emulated, cuda, cublaslt, a plug-in)")(
      "backend-lib", po::value(&backend_lib),
      "load a plug-in backend (docs/plugins.md); every case runs on it unless --backend names another")(
      "jobs,j", po::value(&jobs)->default_value(jobs), "cases run in parallel")(
      "out", po::value(&out), "results file (default out/SUITE/results.h5)")(
      "golden", po::value(&golden), "golden results to compare with (default golden/SUITE.h5 if present)")(
      "no-golden", "do not compare with a golden")(
      "report", po::value(&report_dir), "report folder (default out/SUITE/report)")(
      "seed", po::value(&seed), "override the suite seed")(
      "device", po::value(&device), "device profile for config selection (default: the suite's)")(
      "no-baseline", "skip the exact-accumulation baseline check (faster)")(
      "fail-on-skip", "a skipped case fails the run (exit 1): for GPU nightlies, where a skip is lost coverage");
  selection.add_to(opts);
  po::positional_options_description pos;
  pos.add("suite", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, po::options_description(), pos, vm)) return kExitPass;
  if (suite.empty()) throw InputError("fp8check run needs a SUITE (a name such as smoke, or a .toml path)");
  if (jobs < 1) throw InputError("--jobs must be >= 1");
  if (vm.count("golden") && vm.count("no-golden"))
    throw InputError("--golden " + golden + " and --no-golden: expected one of them (compare with that golden, or with none)");
  selection.read(vm);
  if (vm.count("backend-lib")) backend = plugin::backend_from_library(backend_lib, backend);
  if (!backend.empty()) validate_backend_name(backend);  // exit 2 here, not an error verdict per case

  const LoadedSuite s = load_suite_cases(suite, selection, backend, device);
  require_cases(s);
  // Outputs are checked before the run: a bad path fails in a second, not after every case.
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
  if (!golden_path.empty()) {
    golden_file = record::read_results(golden_path);
    record::require_golden_of_suite("the run of " + s.spec.file, s.spec.name, *golden_file);
  }
  const RunOutputPaths outputs{out_path, report_path, golden_file ? golden_path : fs::path()};
  check_run_outputs(outputs, {{s.spec.file, "the suite file"}, {backend_lib, "the plug-in library"}});

  SuiteRun run;
  run.spec = &s.spec;
  run.device = s.device;
  run.cases = s.cases;
  run.seed = vm.count("seed") ? seed : s.spec.seed;
  run.jobs = jobs;
  run.baseline = !vm.count("no-baseline");
  run.fail_on_skip = vm.count("fail-on-skip") > 0;
  run.golden = golden_file ? &*golden_file : nullptr;
  run.command_line = joined(args);
  Progress progress(stderr);
  run.on_done = [&](const CaseResult& r, std::size_t done, std::size_t total) { progress.case_done(r, done, total); };
  // The BLAS line says which kernels the FP64 references run on (issue 14: a fallback core
  // costs 2x); run_suite records the same in the results' metadata.
  configure_blas_threads(jobs);
  const RunMetadata here = describe_this_run();
  std::fprintf(stderr, "fp8check run %s: %zu case(s), %d job(s), %d thread(s) per case, device profile %s, seed %llu\n",
               s.spec.name.c_str(), s.cases.size(), jobs, case_threads(jobs), s.device->name.c_str(),
               static_cast<unsigned long long>(run.seed));
  std::fprintf(stderr, "BLAS: %s\n", blas_summary(here).c_str());
  if (!here.blas_warning.empty()) std::fprintf(stderr, "warning: %s\n", here.blas_warning.c_str());
  RunOutcome outcome = run_suite(run);
  progress.finish();
  record_selection(s, outcome.metadata);
  return write_run_outputs(outcome, outputs);
}

}  // namespace fp8check::cli
