// The header dict of a .npy file, e.g. "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }":
// a Python literal (numpy.lib.format, "Format Version 1.0"). Only what numpy writes
// is accepted: a dict with exactly the keys descr, fortran_order and shape.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fp8check::io::detail {

struct NpyHeader {
  // The dtype string ("<f4"), or the literal text of a non-string descr (a structured
  // dtype is a list of fields), which no caller supports; descr_is_string tells which.
  std::string descr;
  bool descr_is_string = true;
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;  // empty for a 0-d array
};

// Throws InputError "FILE: malformed .npy header (...)" naming what was expected.
NpyHeader parse_npy_header(std::string_view text, const std::string& file);

// The dict exactly as numpy 1.24's write_array_header() spells it, before padding:
// sorted keys, Python reprs ("(3,)" for one dimension), a trailing ", " and the
// spaces numpy reserves so the first axis can grow in place.
std::string format_npy_header(std::string_view descr, std::span<const std::size_t> shape);

// "(3, 4)", "(3,)", "()": a shape as Python prints it, for messages.
std::string python_shape(std::span<const std::size_t> shape);

}  // namespace fp8check::io::detail
