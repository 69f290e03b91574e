// Deliberate, realistic quantize-kernel bugs the emulated quantize kernel can inject, so
// that `fp8check selftest` and tests prove the quantize pipeline's checks catch them. Each
// fault changes bits only where the real bug would; elsewhere the output is bit-identical
// to the reference quantizer's (tests/quantize_fault_test.cpp checks both sides).
#pragma once

#include <cstdint>
#include <string_view>

#include "harness/quantize/quantize.hpp"

namespace fp8check {

enum class QuantizeFault : std::uint8_t {
  none,
  // The kernel writes the FNUZ twin's codes (AMD/Graphcore: bias one higher, max 240 for
  // E4M3) where the OCP format is declared: e4m3fnuz codes for e4m3fn, e5m2fnuz for e5m2,
  // from the same scale. Harmless for every other element type.
  wrong_fp8_variant,
  // Elements are converted without satfinite (plain cvt.rn): a scaled value past the
  // format's overflow threshold, or an inf input, becomes NaN (e4m3fn) or inf (e5m2).
  // Acts only where a scaled value overflows: MX blocks (the OCP scale rule lets up to
  // 2^(emax+1) through), delayed scales, inf inputs. Integers always saturate.
  no_saturation,
  // Elements are rounded toward zero where round-to-nearest-even is declared (a truncating
  // conversion). Harmless where the declared rounding is another one.
  round_toward_zero,
  // Ties are rounded away from zero where ties-to-even is declared (C's round(), a
  // hand-written `floor(x + 0.5)`-style conversion): differs only at exact midpoints, which
  // integer-valued inputs under power-of-two scales produce (suites' integers distribution).
  round_half_away,
  // The scale tensor holds 1/s where s is declared (the quantization multiplier written
  // where the dequantization multiplier belongs: Transformer Engine's scale vs scale_inv),
  // rounded to the scale type. Harmless for blocks whose scale is 1.
  inverted_scale,
  // The scales are stored in the transposed order of the declared layout (column-major
  // where row-major is declared, and back): DeepGEMM wants M-major activation scales, and
  // a kernel that writes them so into a buffer declared row-major. Harmless when the scale
  // grid has one row or one column and no padding (col-major-tma pads its columns).
  transposed_scale_layout,
};

inline constexpr QuantizeFault kAllQuantizeFaults[] = {QuantizeFault::none, QuantizeFault::wrong_fp8_variant,
                                                       QuantizeFault::no_saturation, QuantizeFault::round_toward_zero,
                                                       QuantizeFault::round_half_away, QuantizeFault::inverted_scale,
                                                       QuantizeFault::transposed_scale_layout};

std::string_view quantize_fault_name(QuantizeFault f);  // "wrong_fp8_variant", ...
// Throws InputError listing the accepted names.
QuantizeFault parse_quantize_fault(std::string_view name);

// The reference quantizer (quantize.hpp) with `fault` injected.
QuantizedMatrix quantize_with_fault(Eigen::Ref<const MatrixD> x, const Recipe& recipe, const QuantizeOptions& options,
                                    QuantizeFault fault);

}  // namespace fp8check
