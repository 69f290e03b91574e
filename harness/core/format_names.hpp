// Names of formats and rounding modes as users write them (CLI, suites, HDF5 attributes).
#pragma once

#include <string>
#include <string_view>

#include "harness/core/convert.hpp"
#include "harness/core/format_spec.hpp"

namespace fp8check {

// Canonical name of a format ("e4m3fn", ...).
std::string_view format_name(Format f);
// Accepts canonical names and common aliases (float8_e4m3fn, fp8e4nv, fp8e5, fp8e4b15, mxfp4 ...).
// Throws InputError listing the accepted names.
Format parse_format(std::string_view name);
// "e4m3fn, e5m2, ..." for messages and --help.
std::string format_name_list();

std::string_view rounding_name(Rounding r);  // "rne", "rz", "up", "down", "stochastic", "away"
Rounding parse_rounding(std::string_view name);  // throws InputError
std::string rounding_name_list();

}  // namespace fp8check
