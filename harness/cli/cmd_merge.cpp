// fp8check merge OUT.h5 IN1.h5 IN2.h5 ...: the results files of a sharded run joined
// into one, sorted by case id (record/results_merge.hpp), written atomically.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/core/error.hpp"
#include "harness/io/output_path.hpp"
#include "harness/record/golden_update.hpp"
#include "harness/record/results_merge.hpp"

namespace fp8check::cli {

int run_merge(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::vector<std::string> paths;
  po::options_description opts(
      "fp8check merge OUT.h5 IN1.h5 IN2.h5 ...\n\n"
      "Joins the results files of a sharded run (run --shard i/n) into one, sorted by case\n"
      "id. The inputs must come from one run: the same suite, seed, filter, build and\n"
      "device (shard, start time, host and command line may differ); a case in two inputs\n"
      "is an error. Missing shards are reported and recorded in the merged shard attribute.\n"
      "OUT.h5 is replaced atomically. Exit 0: merged; 2: bad input, nothing written.\n\nOptions");
  opts.add_options()("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("paths", po::value(&paths));
  po::positional_options_description positional;
  positional.add("paths", -1);
  po::variables_map vm;
  if (!parse_options(args, opts, hidden, positional, vm)) return kExitPass;
  if (paths.size() < 2)
    throw InputError("expected OUT.h5 and one or more input results files (see fp8check merge --help)");

  io::check_output_path(paths[0]);  // before reading the inputs: a bad OUT fails at once
  record::refuse_to_replace_a_golden(paths[0]);
  std::vector<record::ResultsFile> inputs;
  std::string command = "fp8check merge";
  for (std::size_t i = 0; i < paths.size(); ++i) {
    command += " " + paths[i];
    if (i > 0) inputs.push_back(record::read_results(paths[i]));
  }
  const std::size_t files = inputs.size();
  const record::MergedResults merged = record::merge_results(std::move(inputs));
  record::write_results(paths[0], merged.metadata, merged.cases, {.regenerate = merged.regenerate + "; " + command});
  for (const std::string& note : merged.notes) std::printf("note: %s\n", note.c_str());
  std::printf("merged %zu cases from %zu files -> %s\n", merged.cases.size(), files, paths[0].c_str());
  return kExitPass;
}

}  // namespace fp8check::cli
