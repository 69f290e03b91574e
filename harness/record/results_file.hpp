// Results files: one self-describing HDF5 file per run (RunMetadata + every CaseResult),
// written atomically and read back with every problem reported as an InputError naming
// the file. Goldens are results files too (golden.hpp). The layout - every group,
// attribute and dataset - is docs/results-format.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/record/case_result.hpp"

namespace fp8check::record {

// The root attribute `format` of every results file, and the schema this code writes
// and reads (RunMetadata::schema_version); a file of another schema is rejected.
inline constexpr std::string_view kResultsFormat = "fp8check-results";
inline constexpr int kResultsSchemaVersion = 1;

struct ResultsWriteOptions {
  // Output values with at least this many elements are chunked and compressed
  // (byte shuffle + deflate level 1); smaller ones are stored contiguous. Measured in
  // docs/performance.md ("Results files"); 0 disables compression.
  std::int64_t compress_min_elements = 4096;
  int gzip_level = 1;
  bool shuffle = true;
  // Root attribute `regenerate`: the command(s) that reproduce this file. Empty: the
  // run's command line (RunMetadata::command_line).
  std::string regenerate;
};

struct ResultsFile {
  std::string path;  // as given to read_results, for messages
  RunMetadata metadata;
  std::string regenerate;         // the root attribute `regenerate`
  std::vector<CaseResult> cases;  // in file order

  // The case with this id, or nullptr.
  const CaseResult* find(std::string_view id) const;
};

// Replaces `path` atomically (io::AtomicFile): on any error the previous file is left as
// it was. Case ids must be unique and non-empty, param axis names free of ',' (InputError).
// metadata.schema_version is ignored: the file records kResultsSchemaVersion.
void write_results(const std::filesystem::path& path, const RunMetadata& metadata, const std::vector<CaseResult>& cases,
                   const ResultsWriteOptions& options = {});

// InputError naming the file and the problem for a missing, non-HDF5, truncated or
// foreign file, another schema_version, or a missing or malformed attribute or dataset.
ResultsFile read_results(const std::filesystem::path& path);

}  // namespace fp8check::record
