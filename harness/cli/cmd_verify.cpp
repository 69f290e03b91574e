// fp8check verify cases.h5 outputs.h5: judges the outputs of a kernel outside fp8check
// with the run pipeline itself (the backend `external` serves them), and writes the same
// results, goldens comparison and reports as `run`.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/cli/run_outputs.hpp"
#include "harness/core/error.hpp"
#include "harness/exchange/cases_file.hpp"
#include "harness/exchange/external_backend.hpp"
#include "harness/record/golden.hpp"
#include "harness/record/results_file.hpp"
#include "harness/run/progress.hpp"
#include "harness/run/suite_run.hpp"
#include "kernels/emulated/accumulation_model.hpp"

namespace fp8check::cli {

int run_verify(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  namespace fs = std::filesystem;
  std::string cases_path, outputs_path, golden, report_dir, out, kernel_model;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  po::options_description opts(
      "fp8check verify CASES.h5 OUTPUTS.h5 [--golden G] [--report DIR] [--out results.h5]\n"
      "                [--kernel-model NAME] [--deterministic] [--fail-on-skip] [--jobs N]\n\n"
      "Judges a kernel outside fp8check: CASES.h5 from `fp8check export`, OUTPUTS.h5 from the\n"
      "kernel (docs/exchange-format.md). Every case runs through the run pipeline, with the\n"
      "backend 'external' serving the kernel's outputs: same statistics, bounds, verdicts,\n"
      "results file, golden comparison and reports as `fp8check run`. A missing, misshapen or\n"
      "unrepresentable output is that case's error; a file that is not the outputs of CASES.h5\n"
      "is bad input. Exit: 0 all pass, 1 any fail/regression/error or no case judged, 2 bad\n"
      "input, 3 internal error.\n\nOptions");
  opts.add_options()("help,h", "show this help")(
      "golden", po::value(&golden), "golden results to compare with (none by default)")(
      "report", po::value(&report_dir), "report folder (default out/SUITE/verify/report)")(
      "out", po::value(&out), "results file (default out/SUITE/verify/results.h5)")(
      "kernel-model", po::value(&kernel_model),
      "the arithmetic the kernel declares (an accumulation model: fp32, exact, ...): each GEMM case also checks "
      "that its bits equal the emulated model's")(
      "deterministic", "the kernel gives the same bits on every run: goldens compare bits (default: statistics drift)")(
      "fail-on-skip", "a skipped case fails the run (exit 1)")(
      "no-baseline", "skip the baseline checks (b) (faster)")(
      "jobs,j", po::value(&jobs)->default_value(jobs), "cases judged in parallel");
  po::options_description hidden;
  hidden.add_options()("cases", po::value(&cases_path))("outputs", po::value(&outputs_path));
  po::positional_options_description pos;
  pos.add("cases", 1).add("outputs", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, hidden, pos, vm)) return kExitPass;
  if (cases_path.empty() || outputs_path.empty())
    throw InputError("fp8check verify needs CASES.h5 (from fp8check export) and OUTPUTS.h5 (from your kernel)");
  if (jobs < 1) throw InputError("--jobs must be >= 1");
  if (!kernel_model.empty()) parse_accumulation_model(kernel_model);  // InputError naming the models

  // Both files are checked whole before any case runs: a wrong file is bad input.
  const exchange::ExportedCases cases = exchange::read_cases_file(cases_path);
  auto outputs = std::make_shared<const exchange::OutputsFile>(outputs_path, cases);
  exchange::register_external_backend(outputs, vm.count("deterministic") > 0);
  std::optional<record::ResultsFile> golden_file;
  if (!golden.empty()) {
    golden_file = record::read_results(golden);
    record::require_golden_of_suite(cases_path, cases.suite, *golden_file);
  }
  const fs::path base = fs::path("out") / cases.suite / "verify";
  const RunOutputPaths paths{out.empty() ? base / "results.h5" : fs::path(out),
                             report_dir.empty() ? base / "report" : fs::path(report_dir),
                             golden_file ? fs::path(golden) : fs::path()};
  check_run_outputs(paths, {{cases_path, "CASES.h5"}, {outputs_path, "OUTPUTS.h5"}});

  SuiteSpec spec;
  spec.name = cases.suite;
  spec.file = cases.suite_file;
  spec.sha256 = cases.suite_sha256;
  spec.seed = cases.seed;
  spec.device = cases.device;
  SuiteRun run;
  run.spec = &spec;
  run.device = &find_device_profile(cases.device);
  run.cases = cases.cases;
  run.seed = cases.seed;
  run.jobs = jobs;
  run.baseline = !vm.count("no-baseline");
  run.fail_on_skip = vm.count("fail-on-skip") > 0;
  run.declared_kernel_model = kernel_model;
  run.golden = golden_file ? &*golden_file : nullptr;
  run.filter = cases.filter;
  run.shard = cases.shard;
  run.command_line = "fp8check verify";
  for (const std::string& a : args) run.command_line += " " + a;
  Progress progress(stderr);
  run.on_done = [&](const CaseResult& r, std::size_t done, std::size_t total) { progress.case_done(r, done, total); };
  std::fprintf(stderr, "fp8check verify %s: %zu case(s) of suite %s, %d job(s), device profile %s, seed %llu\n",
               outputs_path.c_str(), cases.cases.size(), cases.suite.c_str(), jobs, run.device->name.c_str(),
               static_cast<unsigned long long>(cases.seed));
  const RunOutcome outcome = run_suite(run);
  progress.finish();
  return write_run_outputs(outcome, paths);
}

}  // namespace fp8check::cli
