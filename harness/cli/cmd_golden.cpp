// fp8check golden update RESULTS --golden GOLDEN [--write]: received -> approved. Prints
// what would change in the golden and writes it only with --write (record/golden_update.hpp).
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/cli/golden_policy_options.hpp"
#include "harness/core/error.hpp"
#include "harness/io/output_path.hpp"
#include "harness/record/golden_update.hpp"

namespace fp8check::cli {

int run_golden(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string action, results_path, golden_path;
  GoldenPolicyArgs policy_args;
  record::GoldenBudget budget;
  po::options_description opts(
      "fp8check golden update RESULTS.h5 --golden golden/SUITE.h5 [--write] [options]\n\n"
      "Received -> approved. Prints which cases the golden would gain (new), change (with\n"
      "the reason, as fp8check compare gives it) and lose (removed), and writes the golden\n"
      "only with --write, atomically. Cases that still match keep the golden's record. The\n"
      "golden keeps outputs, statistics, verdicts and run metadata; outputs larger than\n"
      "--max-output-elements keep their digest and a strided sample. All goldens in the\n"
      "golden's directory together must stay within 20 MiB. Never asks anything.\n"
      "Refused: results of another suite or seed than the golden's, and results that are not\n"
      "a whole run (a shard, a filter, fewer cases than the suite) unless --allow-partial.\n"
      "Exit 0: planned (and written with --write); 2: bad input, nothing written.\n\nOptions");
  opts.add_options()("help,h", "show this help")("golden", po::value(&golden_path), "the golden file to update")(
      "write", "write the updated golden (default: only print what would change)")(
      "allow-partial",
      "accept results of a filtered or sharded run: only add and change cases, keep those the run lacks")(
      "max-output-elements", po::value(&budget.max_output_elements)->default_value(budget.max_output_elements),
      "outputs up to this many elements are kept whole")(
      "sample-elements", po::value(&budget.sample_elements)->default_value(budget.sample_elements),
      "values kept of a larger output");
  policy_args.add_to(opts);
  po::options_description hidden;
  hidden.add_options()("action", po::value(&action))("results", po::value(&results_path));
  po::positional_options_description positional;
  positional.add("action", 1).add("results", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, hidden, positional, vm)) return kExitPass;
  if (action != "update")
    throw InputError("unknown action '" + action + "': expected fp8check golden update RESULTS.h5 --golden GOLDEN.h5");
  if (results_path.empty() || golden_path.empty())
    throw InputError("expected RESULTS.h5 and --golden GOLDEN.h5 (see fp8check golden --help)");
  const record::GoldenPolicy policy = policy_args.resolve();
  if (vm.count("write")) io::check_output_path(golden_path);  // a FIFO, device or directory is never replaced

  const record::ResultsFile results = record::read_results(results_path);
  std::optional<record::ResultsFile> golden;
  std::error_code ec;
  if (std::filesystem::symlink_status(golden_path, ec).type() != std::filesystem::file_type::not_found)
    golden = record::read_results(golden_path);  // whatever is there must be a golden: never overwrite anything else
  const record::GoldenUpdatePlan plan =
      record::plan_golden_update(results, golden ? &*golden : nullptr, policy, budget, vm.count("allow-partial") != 0);
  std::printf("golden update: %s -> %s%s\n", results_path.c_str(), golden_path.c_str(),
              golden ? "" : " (no golden yet: every case is new)");
  record::print_golden_update(std::cout, plan);
  std::cout.flush();
  if (!plan.has_changes()) {
    std::printf("no changes: %s left as it is\n", golden_path.c_str());
  } else if (!vm.count("write")) {
    std::printf("dry run: nothing written (add --write to write %s)\n", golden_path.c_str());
  } else {
    const std::string regenerate =
        results.regenerate + "; " + std::string(record::kGoldenUpdateCommand) + " " + results_path + " --golden " + golden_path + " --write";
    if (!plan.removed.empty())
      std::printf("removing %zu case(s) from %s (listed above)\n", plan.removed.size(), golden_path.c_str());
    if (const auto dir = std::filesystem::path(golden_path).parent_path(); !dir.empty()) io::create_output_directory(dir);
    const std::uintmax_t bytes = record::write_golden(golden_path, plan, budget, regenerate);
    std::printf("wrote %s: %zu cases, %.2f MiB\n", golden_path.c_str(), plan.cases.size(),
                static_cast<double>(bytes) / (1 << 20));
  }
  return kExitPass;
}

}  // namespace fp8check::cli
