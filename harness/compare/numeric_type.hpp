// The element type a kernel wrote its output in. ULP distances are counted in this
// type, and it sets the default denominator floor of the relative error
// (docs/statistics.md). Besides the codec's formats a kernel may write IEEE binary32 or
// binary64, which the codec has no reason to encode, hence a variant rather than Format.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "harness/core/format_spec.hpp"

namespace fp8check {

enum class IeeeFloat : unsigned char { fp32, fp64 };

// Converts implicitly from either: NumericType t = Format::bf16;  t = IeeeFloat::fp32;
using NumericType = std::variant<Format, IeeeFloat>;

// "bf16", "e4m3fn", "fp32", "fp64".
std::string_view numeric_type_name(const NumericType& type);
// Accepts every format name and alias parse_format accepts, plus fp32/float32/float and
// fp64/float64/double. Throws InputError listing the accepted names.
NumericType parse_numeric_type(std::string_view name);
// "e4m3fn, e5m2, ..., fp16, fp32, fp64" for messages and --help.
std::string numeric_type_name_list();

// Smallest positive normal value, 2^emin: 2^-6 for e4m3fn, 2^-126 for bf16 and fp32,
// 2^-1022 for fp64, 2^-127 (the smallest code) for the zero-less e8m0fnu.
double smallest_normal(const NumericType& type);

}  // namespace fp8check
