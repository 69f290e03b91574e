// Judges a quantize kernel under test: its codes and scales must agree exactly with the
// reference quantizer's (quantize.hpp). Codes compare as bytes, except that any two NaN
// codes agree (NaN sign and payload are not portable, docs/formats.md). Scales compare
// by raw code (e8m0/e4m3) or by bit pattern (fp32/fp16 values; NaN agrees with NaN),
// block by block through each side's own declared layout, so two layouts of the same
// scales agree and padding is never read. The dequantized error against the input is the
// caller's to compute (harness/compare/error_statistics.hpp). Which named convention a
// mismatching kernel follows instead: convention_diagnosis.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "harness/quantize/quantize.hpp"

namespace fp8check {

struct QuantizeMismatch {
  enum class What : std::uint8_t { code, scale, tensor_scale };
  What what = What::code;
  std::int64_t row = 0, col = 0;  // element (code) or block (scale) coordinates
  std::string expected, actual;   // "0x3C", "0.25 (0x7D)", "NaN"
};

struct QuantizeComparison {
  std::int64_t codes_compared = 0, code_mismatches = 0;
  std::int64_t scales_compared = 0, scale_mismatches = 0;  // the tensor scale counts as one
  std::optional<QuantizeMismatch> first_code_mismatch;     // row-major order
  std::optional<QuantizeMismatch> first_scale_mismatch;    // grid row-major order; tensor scale first

  bool exact() const { return code_mismatches == 0 && scale_mismatches == 0; }
  // "codes: 2 of 4096 differ, first at (3, 17): expected 0x3C, got 0x3D; scales: all 32 agree"
  std::string summary() const;
};

// `expected` from quantize(); `actual` from the kernel. InputError if they cannot be
// compared: different recipes, shapes, scale grids or scale types (naming both sides).
QuantizeComparison compare_quantized(const QuantizedMatrix& expected, const QuantizedMatrix& actual);

std::string_view mismatch_kind_name(QuantizeMismatch::What w);  // "code", "scale", "tensor scale"

}  // namespace fp8check
