// One operand of a tensor-core fused dot-add as the MMA-Sim model reads it (Xie et al.,
// arXiv:2511.10909; microsoft/MMA-Sim, mmasim/simulator/arithmetic.py,
// extract_significand_exponent): value = (-1)^negative * significand * 2^(exponent - fraction_bits)
// with an integer significand. Normal numbers carry the hidden one; subnormals keep the
// format's minimum exponent (emin) and a smaller significand; ZERO GETS EXPONENT -126 IN
// EVERY FORMAT. That last rule is visible: a zero operand's product still has an exponent
// e_a + e_b that takes part in the alignment (fused_dot_add.hpp).
// Host and device code (no std:: calls beyond <cstdint>).
#pragma once

#include <cstdint>

#include "harness/core/convert.hpp"
#include "harness/core/format_spec.hpp"
#include "harness/core/host_device.hpp"

namespace fp8check {

inline constexpr int kMmaZeroExponent = -126;

enum class MmaValueKind : std::uint8_t { finite, inf, nan };

struct MmaOperand {
  MmaValueKind kind = MmaValueKind::finite;
  bool negative = false;
  std::uint32_t significand = 0;  // finite: the integer significand (0 for a zero)
  int exponent = kMmaZeroExponent;
  int fraction_bits = 0;          // bits of `significand` below the binary point
};

// A code of `f` (the low format_spec(f).bits bits are read). e8m0 codes are 2^(code - 127)
// (significand 1, no zero); the unsigned-e4m3 scales of nvf4 are read by the caller as
// e4m3fn codes without their sign bit.
FP8C_HD_INLINE MmaOperand mma_operand(Format f, std::uint32_t code) {
  const FormatSpec s = format_spec(f);
  code &= (1u << s.bits) - 1u;
  MmaOperand o;
  o.negative = (code & s.sign_bit()) != 0;
  o.fraction_bits = s.man_bits;
  if (is_nan_code(f, code)) {
    o.kind = MmaValueKind::nan;
    return o;
  }
  if (is_inf_code(f, code)) {
    o.kind = MmaValueKind::inf;
    return o;
  }
  const std::uint32_t magnitude = code & s.magnitude_mask();
  if (s.rule == SpecialRule::e8m0) {
    o.significand = 1;
    o.exponent = static_cast<int>(magnitude) - s.bias;
    return o;
  }
  const std::uint32_t exponent_field = magnitude >> s.man_bits;
  o.significand = magnitude & ((1u << s.man_bits) - 1u);
  if (exponent_field != 0) {
    o.significand |= 1u << s.man_bits;
    o.exponent = static_cast<int>(exponent_field) - s.bias;
  } else {
    o.exponent = o.significand != 0 ? s.emin() : kMmaZeroExponent;
  }
  return o;
}

// The accumulator registers an instruction reads (c) and writes (d).
enum class MmaRegister : std::uint8_t { f32, f16 };

// A c operand from its register bits: FP32 (emin -126) or FP16 (emin -14, via the codec).
FP8C_HD_INLINE MmaOperand mma_register_operand(MmaRegister r, std::uint32_t bits) {
  if (r == MmaRegister::f16) return mma_operand(Format::fp16, bits);
  MmaOperand o;
  o.negative = (bits >> 31) != 0;
  o.fraction_bits = 23;
  const std::uint32_t exponent_field = (bits >> 23) & 0xFFu;
  const std::uint32_t fraction = bits & 0x7FFFFFu;
  if (exponent_field == 0xFFu) {
    o.kind = fraction != 0 ? MmaValueKind::nan : MmaValueKind::inf;
    return o;
  }
  o.significand = exponent_field != 0 ? (fraction | 0x800000u) : fraction;
  o.exponent = exponent_field != 0 ? static_cast<int>(exponent_field) - 127 : -126;  // zero: -126 too
  return o;
}

}  // namespace fp8check
