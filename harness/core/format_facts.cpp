#include "harness/core/format_facts.hpp"

#include <cmath>
#include <cstdio>

#include "harness/core/convert.hpp"

namespace fp8check {

FormatFacts format_facts(Format f) {
  FormatFacts facts;
  facts.spec = format_spec(f);
  const FormatSpec& s = facts.spec;
  facts.max_code = s.max_magnitude_code();
  facts.max_normal = decode(f, facts.max_code);
  facts.nan_emitted = encode(f, std::nan(""));
  for (std::uint32_t code = 0; code < s.code_count(); ++code) {
    if (is_nan_code(f, code)) facts.nan_codes.push_back(code);
    if (is_inf_code(f, code)) facts.inf_codes.push_back(code);
  }
  if (s.rule == SpecialRule::e8m0) {
    facts.min_normal = decode(f, 0);
    facts.min_subnormal = 0;  // no subnormals: code 0 is the normal 2^-127
  } else {
    facts.min_normal = decode(f, 1u << s.man_bits);
    facts.min_subnormal = s.man_bits > 0 ? decode(f, 1) : 0;
  }
  const std::uint32_t one = encode(f, 1.0, {Rounding::nearest_even, true, true});
  facts.epsilon = decode(f, one + 1) - 1.0;
  // Max plus half an ulp at max (the ulp is that of max's binade).
  const double ulp_at_max = std::ldexp(1.0, std::ilogb(facts.max_normal) - s.man_bits);
  facts.overflow_threshold = facts.max_normal + ulp_at_max / 2;
  return facts;
}

std::string format_codes(const std::vector<std::uint32_t>& codes, int bits) {
  if (codes.empty()) return "none";
  auto hex = [bits](std::uint32_t c) {
    char buf[16];
    std::snprintf(buf, sizeof buf, bits > 8 ? "0x%04X" : "0x%02X", c);
    return std::string(buf);
  };
  // Runs of three or more consecutive codes print as "first-last" (bf16 has 254 NaNs).
  std::string out;
  for (std::size_t i = 0; i < codes.size();) {
    std::size_t j = i;
    while (j + 1 < codes.size() && codes[j + 1] == codes[j] + 1) ++j;
    if (!out.empty()) out += ",";
    if (j - i >= 2) {
      out += hex(codes[i]) + "-" + hex(codes[j]);
    } else {
      for (std::size_t k = i; k <= j; ++k) out += (k > i ? "," : "") + hex(codes[k]);
    }
    i = j + 1;
  }
  return out;
}

}  // namespace fp8check
