// Joining the results files of a sharded run (`fp8check merge`) into one.
#pragma once

#include <string>
#include <vector>

#include "harness/record/results_file.hpp"

namespace fp8check::record {

struct MergedResults {
  RunMetadata metadata;
  std::vector<CaseResult> cases;   // sorted by id
  std::string regenerate;          // the inputs' command lines, "; "-separated
  std::vector<std::string> notes;  // e.g. "missing shards 3/4: the merged run is partial"
};

// The inputs must describe the same run: every RunMetadata field agrees except those of
// one shard's process (shard, started_at, host, command_line). Shards "i/n" must share n
// and be distinct; a case id in two inputs is an error. InputError names the files.
// Merged metadata: the first input's, with started_at the earliest, host every distinct
// host (", "), and shard "" when all n shards are present, else "i+j+.../n".
MergedResults merge_results(std::vector<ResultsFile> inputs);

}  // namespace fp8check::record
