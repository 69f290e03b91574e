#include "harness/quantize/scale_policy.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check {
namespace {

template <class E, std::size_t N>
E parse_name(std::string_view name, const std::array<std::pair<std::string_view, E>, N>& names, std::string_view what) {
  std::string accepted;
  for (const auto& [n, value] : names) {
    if (n == name) return value;
    accepted += (accepted.empty() ? "" : ", ") + std::string(n);
  }
  throw InputError("unknown " + std::string(what) + " '" + std::string(name) + "': expected one of " + accepted);
}

constexpr std::array<std::pair<std::string_view, ScaleMeaning>, 2> kMeanings{
    {{"dequant", ScaleMeaning::dequant}, {"quant", ScaleMeaning::quant}}};
constexpr std::array<std::pair<std::string_view, ZeroBlockScale>, 2> kZeroBlock{
    {{"one", ZeroBlockScale::one}, {"smallest", ZeroBlockScale::smallest}}};
constexpr std::array<std::pair<std::string_view, MxScaleRule>, 2> kMxRules{
    {{"ocp-floor", MxScaleRule::ocp_floor}, {"round-up", MxScaleRule::round_up}}};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

int scale_type_bytes(ScaleType t) {
  switch (t) {
    case ScaleType::fp32:
      return 4;
    case ScaleType::fp16:
      return 2;
    case ScaleType::e8m0:
    case ScaleType::e4m3:
      return 1;
  }
  return 4;
}

double smallest_scale(ScaleType t) {
  switch (t) {
    case ScaleType::fp32:
      return 0x1p-126;
    case ScaleType::fp16:
      return 0x1p-14;
    case ScaleType::e8m0:
      return 0x1p-127;
    case ScaleType::e4m3:
      return 0x1p-9;
  }
  return 1;
}

double largest_scale(ScaleType t) {
  switch (t) {
    case ScaleType::fp32:
      return 0x1.fffffep127;
    case ScaleType::fp16:
      return 65504;
    case ScaleType::e8m0:
      return 0x1p127;
    case ScaleType::e4m3:
      return 448;
  }
  return 1;
}

std::string_view scale_type_name(ScaleType t) {
  switch (t) {
    case ScaleType::fp32:
      return "fp32";
    case ScaleType::fp16:
      return "fp16";
    case ScaleType::e8m0:
      return "e8m0";
    case ScaleType::e4m3:
      return "e4m3";
  }
  return "?";
}

std::string_view scale_meaning_name(ScaleMeaning m) {
  for (const auto& [n, v] : kMeanings)
    if (v == m) return n;
  return "?";
}
std::string_view pow2_scale_name(Pow2Scale p) { return p == Pow2Scale::none ? "none" : "round-up"; }
std::string_view zero_block_scale_name(ZeroBlockScale z) {
  for (const auto& [n, v] : kZeroBlock)
    if (v == z) return n;
  return "?";
}
std::string_view mx_scale_rule_name(MxScaleRule r) {
  for (const auto& [n, v] : kMxRules)
    if (v == r) return n;
  return "?";
}

ScaleMeaning parse_scale_meaning(std::string_view name) { return parse_name(name, kMeanings, "scale meaning"); }
ZeroBlockScale parse_zero_block_scale(std::string_view name) {
  return parse_name(name, kZeroBlock, "zero-block scale");
}
MxScaleRule parse_mx_scale_rule(std::string_view name) { return parse_name(name, kMxRules, "MX scale rule"); }

std::string describe(const ScalePolicy& p) {
  const EncodeOptions& e = p.element_encode;
  return "meaning " + std::string(scale_meaning_name(p.meaning)) + ", pow2 " + std::string(pow2_scale_name(p.pow2)) +
         ", zero-block " + std::string(zero_block_scale_name(p.zero_block)) + ", mx " +
         std::string(mx_scale_rule_name(p.mx_rule)) + ", format-max " +
         (p.format_max ? number(*p.format_max) : "default") + ", nvfp4-scale-max " + number(p.nvfp4_scale_max) +
         ", elements " + std::string(rounding_name(e.rounding)) + (e.saturate_finite ? " satfinite" : " no-saturate") +
         (e.clamp_inf ? "" : " keep-inf") + ", convention " + describe(p.convention);
}

}  // namespace fp8check
