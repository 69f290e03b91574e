#include "harness/core/format_names.hpp"

#include <array>
#include <utility>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

// Aliases other stacks use for the same bits (ml_dtypes, PyTorch, Triton, MLIR).
constexpr std::array<std::pair<std::string_view, Format>, 19> kFormatAliases{{
    {"float8_e4m3fn", Format::e4m3fn},   {"fp8e4nv", Format::e4m3fn},
    {"e4m3", Format::e4m3fn},            {"float8_e5m2", Format::e5m2},
    {"fp8e5", Format::e5m2},             {"float8_e4m3fnuz", Format::e4m3fnuz},
    {"float8_e5m2fnuz", Format::e5m2fnuz}, {"float8_e4m3b11fnuz", Format::e4m3b11fnuz},
    {"fp8e4b15", Format::e4m3b15},       {"float8_e8m0fnu", Format::e8m0fnu},
    {"e8m0", Format::e8m0fnu},           {"ue8m0", Format::e8m0fnu},
    {"float4_e2m1fn", Format::e2m1fn},   {"fp4", Format::e2m1fn},
    {"float6_e2m3fn", Format::e2m3fn},   {"float6_e3m2fn", Format::e3m2fn},
    {"bfloat16", Format::bf16},          {"float16", Format::fp16},
    {"half", Format::fp16},
}};

constexpr std::array<std::pair<std::string_view, Rounding>, 6> kRoundingNames{{
    {"rne", Rounding::nearest_even},
    {"rz", Rounding::toward_zero},
    {"up", Rounding::toward_pos_inf},
    {"down", Rounding::toward_neg_inf},
    {"stochastic", Rounding::stochastic},
    {"away", Rounding::nearest_away},
}};

}  // namespace

std::string_view format_name(Format f) { return format_spec(f).name; }

std::string format_name_list() {
  std::string out;
  for (Format f : kAllFormats) out += (out.empty() ? "" : ", ") + std::string(format_name(f));
  return out;
}

Format parse_format(std::string_view name) {
  for (Format f : kAllFormats)
    if (format_name(f) == name) return f;
  for (const auto& [alias, f] : kFormatAliases)
    if (alias == name) return f;
  throw InputError("unknown format '" + std::string(name) + "': expected one of " + format_name_list() +
                   " (or an alias such as float8_e4m3fn, fp8e4nv, fp8e4b15)");
}

std::string_view rounding_name(Rounding r) {
  for (const auto& [name, value] : kRoundingNames)
    if (value == r) return name;
  return "?";
}

std::string rounding_name_list() {
  std::string out;
  for (const auto& [name, value] : kRoundingNames) out += (out.empty() ? "" : "|") + std::string(name);
  return out;
}

Rounding parse_rounding(std::string_view name) {
  for (const auto& [n, value] : kRoundingNames)
    if (n == name) return value;
  if (name == "rn" || name == "nearest") return Rounding::nearest_even;
  throw InputError("unknown rounding mode '" + std::string(name) + "': expected " + rounding_name_list());
}

}  // namespace fp8check
