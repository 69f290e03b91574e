// fp8check selftest [--jobs N] [--suite FILE]: every injected kernel fault on the cases
// built for it, and their clean twins; exit 1 if a fault goes unnoticed or a twin is flagged.
#include <boost/program_options.hpp>
#include <algorithm>
#include <cstdio>
#include <thread>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/cli/suite_args.hpp"
#include "harness/core/error.hpp"
#include "harness/run/progress.hpp"
#include "harness/run/selftest.hpp"
#include "harness/run/suite_run.hpp"

namespace fp8check::cli {
namespace {

void print_outcome(const SelftestOutcome& o) {
  std::printf("%-32s %-9s %-10s %s\n", "fault", "op", "verdict", "case: how");
  for (const FaultFinding& f : o.faults) {
    if (f.cases.empty()) {
      std::printf("%-32s %-9s %-10s %s\n", f.fault.c_str(), f.op.c_str(), "NO CASE",
                  "the selftest suite has no case with this fault");
      continue;
    }
    for (const SelftestCase& c : f.cases)
      std::printf("%-32s %-9s %-10s %s\n    %s\n", f.fault.c_str(), f.op.c_str(), c.caught ? "caught" : "UNNOTICED",
                  c.id.c_str(), c.how.c_str());
  }
  std::printf("\nclean twins: %zu, flagged: %zu\n", o.clean_twins, o.flagged.size());
  for (const FlaggedCase& f : o.flagged) std::printf("  FLAGGED %s\n    %s\n", f.id.c_str(), f.why.c_str());
  std::printf("\nselftest: %s\n", o.status.line.c_str());
}

}  // namespace

int run_selftest(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string suite = "selftest";
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  po::options_description opts(
      "fp8check selftest [--jobs N] [--suite FILE]\n\n"
      "Proves the harness catches the kernel bugs the emulated backend can inject (docs/selftest.md):\n"
      "every GEMM, attention and quantize fault runs on a case built for it (suites/selftest.toml)\n"
      "next to its clean twin (fault = none). Prints per fault the case that caught it and the\n"
      "checks that did. Exit: 0 every fault caught and every clean twin passed; 1 a fault went\n"
      "unnoticed (or has no case) or a clean twin was flagged; 2 bad input; 3 internal error.\n\nOptions");
  opts.add_options()("help,h", "show this help")("jobs,j", po::value(&jobs)->default_value(jobs), "cases run in parallel")(
      "suite", po::value(&suite)->default_value(suite), "the selftest suite: a name or a .toml path");
  po::variables_map vm;
  if (!parse_options(args, opts, vm)) return kExitPass;
  if (jobs < 1) throw InputError("--jobs must be >= 1");

  const LoadedSuite s = load_suite_cases(suite, "*", std::nullopt, "", "");
  SuiteRun run;
  run.spec = &s.spec;
  run.device = s.device;
  run.cases = s.cases;
  run.seed = s.spec.seed;
  run.jobs = jobs;
  run.command_line = "fp8check selftest";
  Progress progress(stderr);
  run.on_done = [&](const CaseResult& r, std::size_t done, std::size_t total) { progress.case_done(r, done, total); };
  std::fprintf(stderr, "fp8check selftest: suite %s, %zu case(s), %d job(s)\n", s.spec.name.c_str(), s.cases.size(), jobs);
  const RunOutcome outcome = run_suite(run);
  progress.finish();
  const std::vector<InjectableFault> classes = injectable_faults();
  const SelftestOutcome result = judge_selftest(outcome.results, classes);
  print_outcome(result);
  return result.status.exit_code;
}

}  // namespace fp8check::cli
