#include "harness/compare/numeric_type.hpp"

#include <cfloat>
#include <cmath>

#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check {

std::string_view numeric_type_name(const NumericType& type) {
  if (const Format* f = std::get_if<Format>(&type)) return format_name(*f);
  return std::get<IeeeFloat>(type) == IeeeFloat::fp32 ? "fp32" : "fp64";
}

std::string numeric_type_name_list() { return format_name_list() + ", fp32, fp64"; }

NumericType parse_numeric_type(std::string_view name) {
  if (name == "fp32" || name == "float32" || name == "float") return IeeeFloat::fp32;
  if (name == "fp64" || name == "float64" || name == "double") return IeeeFloat::fp64;
  try {
    return parse_format(name);
  } catch (const InputError&) {
    throw InputError("unknown output type '" + std::string(name) + "': expected one of " +
                     numeric_type_name_list() + " (or an alias such as bfloat16, float8_e4m3fn, float32)");
  }
}

double smallest_normal(const NumericType& type) {
  if (const Format* f = std::get_if<Format>(&type)) return std::ldexp(1.0, format_spec(*f).emin());
  return std::get<IeeeFloat>(type) == IeeeFloat::fp32 ? static_cast<double>(FLT_MIN) : DBL_MIN;
}

}  // namespace fp8check
