// Case ids: "op/value1/value2/..." in schema axis order, each value with its axis's id
// prefix, e.g. gemm/e4m3fn.e4m3fn/vec128.blk128x128/m128.n7168.k128/normal/fp32/cfg:auto/emulated.
// Ids key goldens and seed the inputs (docs/inputs.md), so they must survive shells, file
// names and HDF5 paths: values are limited to a small character set, and '/' only separates.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/suite/axis_schema.hpp"

namespace fp8check {

// What values may contain, for messages: "letters, digits and . _ : + = , ( ) -".
extern const char* const kCaseIdCharset;

// Empty when `value` is a non-empty string over kCaseIdCharset; otherwise what is wrong,
// e.g. "contains ' ' (a space)" or "is empty".
std::string case_id_value_problem(std::string_view value);

// The id of a case of `schema` with `params` in schema order (every axis present). An axis
// marked id_omits_default is left out while it holds its default.
std::string make_case_id(const OpSchema& schema, const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace fp8check
