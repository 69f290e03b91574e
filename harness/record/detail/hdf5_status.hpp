// Error reporting and small type helpers shared by the HDF5 layer's source files
// (hdf5_file.cpp, hdf5_strings.cpp). Internal to harness/record: it pulls in <hdf5.h>.
#pragma once

#include <hdf5.h>

#include <string>

#include "harness/record/hdf5_file.hpp"

namespace fp8check::record::detail {

// HDF5 prints its error stack to stderr by default; fp8check reports errors itself.
void silence_hdf5_errors();
// The innermost message on HDF5's error stack (the most specific one), then clears it.
std::string take_hdf5_message();
// Throws an InputError "FILE: WHAT (HDF5: innermost message)".
[[noreturn]] void fail(const std::string& file, const std::string& what);
// id, or an InputError naming the file and the operation.
hid_t checked(hid_t id, const std::string& file, const std::string& what);
// "32-bit float", "64-bit signed integer", "string", for messages.
std::string type_text(hid_t type);
// Variable-length UTF-8 strings, as h5py writes str.
Hdf5Handle variable_string_type(const std::string& file);

}  // namespace fp8check::record::detail
