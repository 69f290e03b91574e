#include "harness/exchange/exchange_format.hpp"

#include <charconv>
#include <cstdio>

#include "harness/core/error.hpp"
#include "harness/suite/sha256.hpp"

namespace fp8check::exchange {

std::string entry_name(std::size_t index) {
  char text[32];
  std::snprintf(text, sizeof text, "%06zu", index);
  return text;
}

std::optional<std::size_t> parse_entry_name(std::string_view name) {
  if (name.size() != 6) return std::nullopt;
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), index);
  if (ec != std::errc() || end != name.data() + name.size()) return std::nullopt;
  return index;
}

std::string cases_digest(const std::string& suite, std::uint64_t seed, const std::string& device,
                         const std::vector<std::string>& ids) {
  std::string text = "fp8check exchange v1\nsuite " + suite + "\nseed " + std::to_string(seed) + "\ndevice " + device + "\n";
  for (const std::string& id : ids) text += id + "\n";
  return sha256_hex(text);
}

void check_root(const H5Node& root, const std::string& kind) {
  const std::string expected = kind == "cases" ? "a cases file written by fp8check export"
                                               : "an outputs file written for fp8check verify (docs/exchange-format.md)";
  if (!root.has(kKindAttribute))
    throw InputError(root.file() + ": not an fp8check exchange file (no root attribute " + kKindAttribute +
                     "): expected " + expected);
  const std::string got = root.text(kKindAttribute);
  if (got != kind)
    throw InputError(root.file() + ": is an exchange file of kind '" + got + "': expected " + expected +
                     (got == "cases" ? " (are the arguments swapped? verify CASES OUTPUTS)" : ""));
  const std::int64_t version = root.has("version") ? root.integer("version") : -1;
  if (version != kVersion)
    throw InputError(root.file() + ": exchange version " + std::to_string(version) + ": this fp8check reads version " +
                     std::to_string(kVersion) + " (set the root attribute version = 1; docs/exchange-format.md)");
}

std::string injected_fault_reason(std::string_view fault) {
  return "fault " + std::string(fault) + " is a kernel bug the emulated backend injects: an external kernel cannot "
         "replay it (leave fault cases out with --filter)";
}

Shape gemm_output_shape(const GemmDesc& d) {
  Shape s = gemm_a_shape(d);
  s.back() = static_cast<std::uint64_t>(d.n);
  return s;
}

Shape gemm_a_shape(const GemmDesc& d) {
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  if (d.kind == GemmKind::batched || d.kind == GemmKind::grouped_masked) return {u(d.groups), u(d.m), u(d.k)};
  return {u(d.stored_rows()), u(d.k)};
}

std::string_view scale_kind_name(ScaleType t) {
  switch (t) {
    case ScaleType::fp32: return "fp32";
    case ScaleType::fp16: return "fp16";
    case ScaleType::e8m0: return "e8m0";
    case ScaleType::e4m3: return "ue4m3";
  }
  throw InternalError("unknown scale type");
}

}  // namespace fp8check::exchange
