// fp8check compare RESULTS GOLDEN: each case of a run against the golden, by the golden
// policy (record/golden.hpp); prints the differences and a summary.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/cli/golden_policy_options.hpp"
#include "harness/core/error.hpp"
#include "harness/record/golden.hpp"

namespace fp8check::cli {

int run_compare(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string results_path, golden_path;
  GoldenPolicyArgs policy_args;
  po::options_description opts(
      "fp8check compare RESULTS.h5 GOLDEN.h5 [options]\n\n"
      "Compares a run's results file with a golden (docs/results-format.md, \"Goldens\"):\n"
      "deterministic backends bit for bit (output digest and values, and the verdict), the\n"
      "others by the drift of the kernel error statistics. Prints each case that differs\n"
      "and a summary. Exit 0: no regression (new, missing and improved cases are listed\n"
      "but pass); 1: output bits or a verdict changed, or error statistics grew; 2: bad\n"
      "input.\n\nOptions");
  opts.add_options()("help,h", "show this help")("all", "also list the cases that match");
  policy_args.add_to(opts);
  po::options_description hidden;
  hidden.add_options()("results", po::value(&results_path))("golden", po::value(&golden_path));
  po::positional_options_description positional;
  positional.add("results", 1).add("golden", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, hidden, positional, vm)) return kExitPass;
  if (results_path.empty() || golden_path.empty())
    throw InputError("expected RESULTS.h5 GOLDEN.h5 (see fp8check compare --help)");
  const record::GoldenPolicy policy = policy_args.resolve();

  const record::ResultsFile results = record::read_results(results_path);
  const record::ResultsFile golden = record::read_results(golden_path);
  record::require_golden_of_suite(results_path, results.metadata.suite_name, golden);
  const record::GoldenComparison c = record::compare_with_golden(results.cases, golden, policy);
  std::printf("%s (%zu cases) vs golden %s (%zu cases)\n", results_path.c_str(), results.cases.size(),
              golden_path.c_str(), golden.cases.size());
  for (const std::string& note : record::metadata_differences(results.metadata, golden.metadata))
    std::printf("note: %s\n", note.c_str());
  for (const record::CaseComparison& k : c.cases)
    if (k.status != record::GoldenStatus::match || vm.count("all"))
      std::printf("  %-16s %s  %s\n", std::string(record::golden_status_name(k.status)).c_str(), k.id.c_str(),
                  k.reason.c_str());
  for (const std::string& id : c.missing)
    std::printf("  %-16s %s  in the golden, not in the run\n", "missing", id.c_str());

  std::printf("summary:");
  for (const auto s :
       {record::GoldenStatus::match, record::GoldenStatus::bits_changed, record::GoldenStatus::verdict_changed,
        record::GoldenStatus::drift_regressed, record::GoldenStatus::drift_improved, record::GoldenStatus::new_case})
    std::printf(" %lld %s,", static_cast<long long>(c.count(s)), std::string(record::golden_status_name(s)).c_str());
  std::printf(" %zu missing: %s\n", c.missing.size(), c.has_regressions() ? "CHANGED" : "no regression");
  return c.has_regressions() ? kExitFail : kExitPass;
}

}  // namespace fp8check::cli
