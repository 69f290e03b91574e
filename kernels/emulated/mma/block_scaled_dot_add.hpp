// The fused dot-add of Blackwell's block-scaled FP4 MMAs (tcgen05.mma kind::mxf4 and
// kind::mxf4nvf4, k = 64), as MMA-Sim models them (microsoft/MMA-Sim,
// mmasim/simulator/arithmetic.py, nv_fused_dot_add_with_block_scale):
// 1. The products of each group of 16 consecutive k are added exactly (the model sums them
//    in FP32, exact for FP4 products) into a partial sum P_g.
// 2. Each partial times its block's two scale significands is a term with exponent
//    e_scale_a + e_scale_b; c (exponent as in mma_operand.hpp) is one more term.
// 3. As fused_dot_add.hpp: alignment to the largest exponent, truncation toward zero to
//    `fraction_bits` (35) bits below it, exact sum, FP32 output truncated to 23 bits.
// A NaN scale (e8m0 0xFF; ue4m3 0x7F/0xFF) or a NaN c gives NaN; the sign bit of a ue4m3
// scale is ignored. An inf c gives that inf (fp8check's choice: the model itself stops
// with an error there, and its FP4 elements have no inf or NaN).
// Host and device code.
#pragma once

#include <cstddef>
#include <cstdint>

#include "harness/core/host_device.hpp"
#include "kernels/emulated/mma/fused_dot_add.hpp"

namespace fp8check {

struct MmaBlockScaledStep {
  Format element = Format::e2m1fn;     // a and b: a format without inf or NaN (FP4/FP6)
  Format scale = Format::e8m0fnu;      // e8m0fnu, or e4m3fn read as unsigned (ue4m3)
  int count = 64;                      // products
  int group = 16;                      // products per exact partial sum
  int scale_block = 32;                // products per scale (32 for mxf4, 16 for nvf4)
  int fraction_bits = 35;
  MmaOutput d;                         // FP32, truncated to 23 bits
};

// Scale j of the step is scale_a[j * scale_a_stride] (j < count / scale_block), likewise b.
template <typename Code>
FP8C_HD std::uint32_t mma_block_scaled_dot_add(const MmaBlockScaledStep& step, const Code* a, std::ptrdiff_t a_stride,
                                               const Code* b, std::ptrdiff_t b_stride, std::uint32_t c_bits,
                                               const std::uint8_t* scale_a, std::ptrdiff_t scale_a_stride,
                                               const std::uint8_t* scale_b, std::ptrdiff_t scale_b_stride) {
  const std::uint32_t scale_magnitude = step.scale == Format::e4m3fn ? 0x7Fu : 0xFFu;
  const MmaOperand c = mma_register_operand(MmaRegister::f32, c_bits);
  bool nan = c.kind == MmaValueKind::nan;
  for (int j = 0; j < step.count / step.scale_block; ++j)
    nan = nan || is_nan_code(step.scale, scale_a[j * scale_a_stride]) ||
          is_nan_code(step.scale, scale_b[j * scale_b_stride]);
  if (nan) return mma_nan_bits(MmaRegister::f32);
  if (c.kind == MmaValueKind::inf) return mma_inf_bits(MmaRegister::f32, c.negative);

  // Partial sums in units of 2^(2 * emin - 2 * man_bits): exact integers.
  const FormatSpec element = format_spec(step.element);
  const int partial_fraction_bits = 2 * element.man_bits - 2 * element.emin();
  int e_max = c.exponent;
  for (int g = 0; g < step.count / step.group; ++g) {
    const int j = g * step.group / step.scale_block;
    const int e = mma_operand(step.scale, scale_a[j * scale_a_stride] & scale_magnitude).exponent +
                  mma_operand(step.scale, scale_b[j * scale_b_stride] & scale_magnitude).exponent;
    if (e > e_max) e_max = e;
  }
  const int f = step.fraction_bits;
  std::int64_t sum = mma_aligned_term(c.significand, c.negative, f + c.exponent - e_max - c.fraction_bits);
  for (int g = 0; g < step.count / step.group; ++g) {
    std::int64_t partial = 0;
    for (int i = g * step.group; i < (g + 1) * step.group; ++i) {
      const MmaOperand x = mma_operand(step.element, a[i * a_stride]);
      const MmaOperand y = mma_operand(step.element, b[i * b_stride]);
      if (x.significand == 0 || y.significand == 0) continue;
      const auto product = static_cast<std::int64_t>(x.significand * y.significand)
                           << (x.exponent + y.exponent - 2 * element.emin());
      partial += x.negative != y.negative ? -product : product;
    }
    const int j = g * step.group / step.scale_block;
    const MmaOperand sa = mma_operand(step.scale, scale_a[j * scale_a_stride] & scale_magnitude);
    const MmaOperand sb = mma_operand(step.scale, scale_b[j * scale_b_stride] & scale_magnitude);
    const std::uint64_t magnitude = static_cast<std::uint64_t>(partial < 0 ? -partial : partial) *
                                    sa.significand * sb.significand;
    const int fraction_bits = partial_fraction_bits + sa.fraction_bits + sb.fraction_bits;
    sum += mma_aligned_term(magnitude, partial < 0, f + sa.exponent + sb.exponent - e_max - fraction_bits);
  }
  return mma_round_output(sum, e_max - f, step.d);
}

}  // namespace fp8check
