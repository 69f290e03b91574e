// Codes of one quantized element: a low-precision float Format (convert.hpp's encoder,
// one code per byte, 4/6-bit codes in the low bits) or a symmetric integer.
//
// Integers follow MLC-LLM's group quantization (python/mlc_llm/quantization/
// group_quantization.py, q4f16_1 / q8f16_1): q = clamp(round(x / s), -max_int, max_int)
// with max_int = 2^(bits-1) - 1 (7 for INT4, 127 for INT8), stored as the unsigned
// offset-binary code q + max_int (INT4: 0..14, INT8: 0..254; 15 and 255 are never
// produced). MLC packs eight INT4 codes per uint32; fp8check keeps one code per byte.
// Integers saturate (no inf); there is no NaN code, so NaN inputs are rejected upstream.
#pragma once

#include <cstdint>

#include "harness/core/convert.hpp"
#include "harness/core/element_type.hpp"

namespace fp8check {

// Rounds a finite v to an integer under `r` (stochastic: away from zero iff the dropped
// fraction, as 0.32 fixed point truncated, plus random_bits reaches 2^32 — as encode()).
double round_to_integer(double v, Rounding r, std::uint32_t random_bits = 0);

// The code of an already scaled value (x / s).
std::uint8_t encode_element(ElementType t, double scaled, const EncodeOptions& opt, std::uint32_t random_bits = 0);

// The value of a code in the scaled domain (exact).
double decode_element(ElementType t, std::uint8_t code);

bool is_nan_element(ElementType t, std::uint8_t code);

// The offset of integer codes (max_int); 0 for float formats.
int integer_code_offset(ElementType t);

}  // namespace fp8check
