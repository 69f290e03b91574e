// Pieces of the results-file schema shared by its writer and reader (docs/results-format.md).
#pragma once

#include <cstdint>
#include <string>

#include "harness/record/hdf5_file.hpp"

namespace fp8check::record::detail {

// Throws InputError "FILE: WHAT: expected EXPECTED (fp8check results schema N)" for a file
// that opened but whose content is not what the schema says.
[[noreturn]] void malformed(const std::string& file, const std::string& what, const std::string& expected);

// The group name of case i: zero-padded to 6 digits ("000042") so h5dump and h5py list
// the cases in run order.
std::string case_group_name(std::size_t i);

// Bounds on what a dataset may declare, checked before it is read (Hdf5Group::read_dataset),
// so a corrupt or hostile file is an input error, never an allocation of what it claims.
// Check and metric tables: far more rows than a case has (tens).
inline constexpr std::uint64_t kMaxTableRows = std::uint64_t{1} << 16;
// Output values: at most half of the memory this process may use (machine_memory_bytes),
// as float64 (the reader holds them all at once; value-initialisation touches every page).
std::uint64_t max_output_elements();

// A stored int64 attribute that must be 0 or 1.
bool flag_attribute(const Hdf5Group& g, const std::string& file, const std::string& name);

}  // namespace fp8check::record::detail
