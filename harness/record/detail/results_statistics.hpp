// ErrorStatistics <-> an HDF5 group: scalars as attributes, `ulp_histogram` and the
// `worst` table as datasets (docs/results-format.md, "Statistics groups").
#pragma once

#include <string>

#include "harness/compare/error_statistics.hpp"
#include "harness/record/hdf5_file.hpp"

namespace fp8check::record::detail {

void write_statistics(Hdf5Group& parent, const std::string& name, const ErrorStatistics& s);
// `file` names the file in messages; InputError on a missing or malformed member.
ErrorStatistics read_statistics(const Hdf5Group& parent, const std::string& name, const std::string& file);

}  // namespace fp8check::record::detail
