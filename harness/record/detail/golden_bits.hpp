// Bit-for-bit comparison of a received output with the golden's (deterministic backends).
#pragma once

#include <optional>
#include <string>

#include "harness/record/golden.hpp"

namespace fp8check::record::detail {

struct OutputDifference {
  std::string reason;              // one line, "output bits changed: ..."
  std::optional<BitsChange> bits;  // when both outputs have the same type and shape
};

// nullopt when they agree: same type and shape, same digest (where both have one), and
// the same bits at every element both record. nullptr: no output recorded.
std::optional<OutputDifference> compare_output_bits(const OutputRecord* received, const OutputRecord* golden);

}  // namespace fp8check::record::detail
