// One CaseResult <-> the group /cases/NNNNNN of a results file: identity and verdict as
// attributes; checks, statistics, metrics and output as datasets and subgroups
// (docs/results-format.md, "Case groups").
#pragma once

#include <cstddef>
#include <string>

#include "harness/record/hdf5_file.hpp"
#include "harness/record/results_file.hpp"

namespace fp8check::record::detail {

void write_case(Hdf5Group& cases, std::size_t i, const CaseResult& c, const ResultsWriteOptions& options);
// `file` names the file in messages; InputError on a missing or malformed member.
CaseResult read_case(const Hdf5Group& cases, std::size_t i, const std::string& file);

}  // namespace fp8check::record::detail
