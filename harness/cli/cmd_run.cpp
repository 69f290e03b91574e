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
#include "harness/record/golden.hpp"
#include "harness/record/results_file.hpp"
#include "harness/report/reporter.hpp"
#include "harness/run/build_info.hpp"
#include "harness/run/progress.hpp"
#include "harness/run/runner.hpp"
#include "references/dense.hpp"

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
      "                   [--golden FILE | --no-golden] [--report DIR] [--seed N] [--device D]\n\n"
      "Runs every selected case (inputs -> quantize -> backend -> FP64 reference -> statistics ->\n"
      "verdict), compares with the golden (default golden/SUITE.h5 when present), writes the\n"
      "results (HDF5, atomically) and the reports (console, JSON, JUnit XML, Markdown, HTML).\n"
      "Exit: 0 all pass, 1 any fail/regression/error, 2 bad input, 3 internal error.\n\nOptions");
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
      "no-baseline", "skip the exact-accumulation baseline check (faster)");
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

  // Parallelism is across cases; the FP64 references' BLAS then runs one thread per job.
  if (jobs > 1) references::set_product_threads(1);
  RunContext ctx;
  ctx.seed = vm.count("seed") ? seed : s.spec.seed;
  ctx.device = s.device;
  ctx.baseline = !vm.count("no-baseline");
  Progress progress(stderr);
  std::fprintf(stderr, "fp8check run %s: %zu case(s), %d job(s), device profile %s, seed %llu\n", s.spec.name.c_str(),
               s.cases.size(), jobs, s.device->name.c_str(), static_cast<unsigned long long>(ctx.seed));
  std::vector<CaseResult> results = run_cases(s.cases, ctx, jobs, [&](const CaseResult& r, std::size_t done, std::size_t total) {
    progress.case_done(r, done, total);
  });
  progress.finish();

  if (golden_file) {
    const record::GoldenComparison cmp = record::compare_with_golden(results, *golden_file, {});
    record::apply_golden_verdicts(results, cmp);
    for (const CaseResult& r : results)
      if (r.verdict == Verdict::regression) std::fprintf(stderr, "regression %s\n           %s\n", r.id.c_str(), r.reason.c_str());
  }

  RunMetadata meta;
  const BuildInfo& b = build_info();
  meta.fp8check_version = b.version;
  meta.git_sha = b.git_sha;
  meta.compiler = b.compiler;
  meta.compile_flags = b.compile_flags;
  meta.cuda_version = b.cuda_version;
  meta.device = s.device->name + " (" + s.device->examples + ") profile; kernels run on the CPU (emulated)";
  meta.host = host_name();
  meta.started_at = utc_now_iso8601();
  meta.suite_name = s.spec.name;
  meta.suite_file = s.spec.file;
  meta.suite_sha256 = s.spec.sha256;
  meta.filter = filter;
  meta.shard = shard.value_or("");
  meta.seed = ctx.seed;
  meta.command_line = joined(args);

  if (out_path.has_parent_path()) fs::create_directories(out_path.parent_path());
  record::ResultsWriteOptions wopts;
  wopts.regenerate = meta.command_line;
  record::write_results(out_path, meta, results, wopts);
  fs::create_directories(report_path);
  report::make_reporter("console")->write(meta, results, std::cout);
  const std::pair<const char*, const char*> files[] = {
      {"json", "summary.json"}, {"junit", "junit.xml"}, {"markdown", "report.md"}, {"html", "report.html"}};
  for (const auto& [kind, name] : files)
    report::write_report_file(*report::make_reporter(kind), report_path / name, meta, results);
  std::printf("\nresults: %s\nreport:  %s\n%s", out_path.string().c_str(), (report_path / "report.html").string().c_str(),
              golden_file ? ("golden:  " + golden_path.string() + "\n").c_str() : "golden:  none (fp8check golden update records one)\n");
  for (const CaseResult& r : results)
    if (is_failure(r.verdict)) return kExitFail;
  return kExitPass;
}

}  // namespace fp8check::cli
