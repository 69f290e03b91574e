// The literal scalar twin of the tensor-core instruction models (kernels/emulated/mma/):
// MMA-Sim's steps (microsoft/MMA-Sim, mmasim/simulator/arithmetic.py) read one by one in
// double precision — values from the codec's decode(), significand/exponent from frexp,
// alignment with ldexp and trunc, an FP64 sum for the NaN/inf check — where the model
// under test works on integer significands. Every double here is exact (the twin checks
// that its sums stay below 2^53), so the two must agree bit for bit.
//
// TwinQuirks reproduces two behaviours of the program that generated tests/data/mma (see
// tests/data/mma/QUIRKS.md), so that the oracle test can account for every vector.
#pragma once

#include <cstdint>

#include "kernels/emulated/mma/mma_instruction.hpp"

namespace fp8check::twin {

struct TwinQuirks {
  bool inf_operand_gives_nan = false;  // an inf a or b element makes d NaN (an inf c does not)
  bool nearest_at_2_pow_53 = false;   // |aligned sum| >= 2^53: rounded to nearest, not truncated
};

// Records whether a quirk changed the result (for counting the oracle's classes).
struct TwinTrace {
  bool inf_operand_became_nan = false;
  bool rounded_at_2_pow_53 = false;
};

// d bits of one instruction: codes a[0..k), b[0..k) (b is the column), c register bits,
// and (block-scaled instructions) scale codes scale_a/scale_b[0..scales_per_row).
std::uint32_t execute(const MmaInstruction& instruction, const std::uint16_t* a, const std::uint16_t* b,
                      std::uint32_t c, const std::uint8_t* scale_a, const std::uint8_t* scale_b,
                      TwinQuirks quirks = {}, TwinTrace* trace = nullptr);

}  // namespace fp8check::twin
