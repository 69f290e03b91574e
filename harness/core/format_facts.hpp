// Facts about a format, derived by decoding its codes (never typed in by hand), for
// `fp8check formats`, docs/formats.md and the tests against tests/data/oracle/facts.tsv.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/format_spec.hpp"

namespace fp8check {

struct FormatFacts {
  FormatSpec spec;
  double max_normal = 0;      // largest finite value (also what saturation clamps to)
  double min_normal = 0;      // smallest positive normal
  double min_subnormal = 0;   // smallest positive value (0 if no subnormals, e8m0)
  double epsilon = 0;         // distance from 1 to the next larger value
  double overflow_threshold = 0;  // smallest |x| that overflows under round-to-nearest-even
  std::vector<std::uint32_t> nan_codes;
  std::vector<std::uint32_t> inf_codes;
  std::uint32_t max_code = 0;   // code of +max
  std::uint32_t nan_emitted = 0;  // the NaN code fp8check's encoder emits (or +max where no NaN)
};

FormatFacts format_facts(Format f);

// "0x7F,0xFF" or "none".
std::string format_codes(const std::vector<std::uint32_t>& codes, int bits);

}  // namespace fp8check
