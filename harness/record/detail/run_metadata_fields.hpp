// The string fields of RunMetadata, in one table: a results file stores each as a root
// attribute of the same name (results_file.cpp), and merging shards requires the fields
// that describe the run, not the process, to agree (results_merge.cpp). Fields added
// after the first files were written (goldens among them) are optional: absent reads as "".
#pragma once

#include <string>

#include "harness/record/case_result.hpp"

namespace fp8check::record::detail {

struct RunMetadataField {
  const char* name;
  std::string RunMetadata::*member;
  bool same_in_every_shard;  // false: host, start time, shard, command line and BLAS may differ
  bool required = true;      // false: absent in files written before the field existed
};

inline constexpr RunMetadataField kRunMetadataFields[] = {
    {"fp8check_version", &RunMetadata::fp8check_version, true},
    {"git_sha", &RunMetadata::git_sha, true},
    {"compiler", &RunMetadata::compiler, true},
    {"compile_flags", &RunMetadata::compile_flags, true},
    {"cuda_version", &RunMetadata::cuda_version, true},
    {"device", &RunMetadata::device, true},
    {"host", &RunMetadata::host, false},
    {"started_at", &RunMetadata::started_at, false},
    {"suite_name", &RunMetadata::suite_name, true},
    {"suite_file", &RunMetadata::suite_file, true},
    {"suite_sha256", &RunMetadata::suite_sha256, true},
    {"filter", &RunMetadata::filter, true},
    {"shard", &RunMetadata::shard, false},
    {"shard_source", &RunMetadata::shard_source, false, false},
    {"command_line", &RunMetadata::command_line, false},
    {"blas", &RunMetadata::blas, false, false},
    {"blas_core", &RunMetadata::blas_core, false, false},
    {"blas_threads", &RunMetadata::blas_threads, false, false},
    {"blas_warning", &RunMetadata::blas_warning, false, false},
};

}  // namespace fp8check::record::detail
