// One fused dot-add step of a tensor-core instruction: d = sum_i a_i * b_i + c, as the
// MMA-Sim model computes it (Xie et al., arXiv:2511.10909; microsoft/MMA-Sim,
// mmasim/simulator/arithmetic.py, fused_sum / fused_dot_add / nv_fused_dot_add):
// 1. Products are kept as (significand_a * significand_b, e_a + e_b): the exponent is the
//    SUM of the operands' exponents (mma_operand.hpp), not the product's normalised
//    exponent, so an aligned product may have two integer bits (1.5 * 1.5 = 2.25).
// 2. All products and c are aligned to the largest of these exponents, Emax, and each is
//    truncated toward zero to `fraction_bits` bits below 2^Emax: trunc(x * 2^(F - Emax)).
// 3. The truncated terms are added exactly (an int64 here: every term is below 2^(F+2)).
// 4. The sum is normalised and rounded to the d register (mma_output.hpp).
// If the exact sum is NaN or inf (a NaN operand, inf * 0, +inf + -inf, or an inf that
// survives), d is NaN (canonical bits) or that inf. Finite FP8/FP16/BF16 products never
// overflow the exact sum (MMA-Sim checks it in FP64).
// A fast path can reproduce step 2 with floating-point arithmetic: an FP8 product p is exact
// in FP32, and trunc(p * 2^(F - Emax)) is a truncating conversion of an exact product.
// Host and device code.
#pragma once

#include <cstddef>
#include <cstdint>

#include "harness/core/host_device.hpp"
#include "kernels/emulated/mma/mma_operand.hpp"
#include "kernels/emulated/mma/mma_output.hpp"

namespace fp8check {

// The arithmetic of one fused step (an instruction is one step, or two halves).
struct MmaStep {
  Format a = Format::e4m3fn;
  Format b = Format::e4m3fn;
  int count = 32;          // products
  int fraction_bits = 13;  // F: bits kept below 2^Emax by the alignment
  MmaRegister c = MmaRegister::f32;
  MmaOutput d;
};

// Block scales of an mxf8-style step: one scale per operand for the whole step, applied as
// exponents only (e8m0 scales are powers of two). MMA-Sim: exponents esa + esb added to
// every product's exponent; a NaN scale makes every product NaN.
struct MmaStepScale {
  int exponent = 0;  // e_scale_a + e_scale_b
  bool nan = false;
};

// NaN and inf bookkeeping of the exact sum.
struct MmaSpecials {
  bool nan = false, pos_inf = false, neg_inf = false;

  FP8C_HD_INLINE void add_term(const MmaOperand& x) {
    if (x.kind == MmaValueKind::nan) nan = true;
    if (x.kind == MmaValueKind::inf) (x.negative ? neg_inf : pos_inf) = true;
  }
  FP8C_HD_INLINE void add_product(const MmaOperand& x, const MmaOperand& y) {
    if (x.kind == MmaValueKind::nan || y.kind == MmaValueKind::nan) {
      nan = true;
    } else if (x.kind == MmaValueKind::inf || y.kind == MmaValueKind::inf) {
      const bool zero_factor = (x.kind == MmaValueKind::finite && x.significand == 0) ||
                               (y.kind == MmaValueKind::finite && y.significand == 0);
      if (zero_factor) nan = true;
      else ((x.negative != y.negative) ? neg_inf : pos_inf) = true;
    }
  }
  FP8C_HD_INLINE bool any() const { return nan || pos_inf || neg_inf; }
  FP8C_HD_INLINE std::uint32_t bits(MmaRegister r) const {
    if (nan || (pos_inf && neg_inf)) return mma_nan_bits(r);
    return mma_inf_bits(r, neg_inf);
  }
};

// trunc(significand * 2^shift) toward zero, signed.
FP8C_HD_INLINE std::int64_t mma_aligned_term(std::uint64_t significand, bool negative, int shift) {
  std::uint64_t t = 0;
  if (shift >= 0) t = significand << shift;  // callers bound shift so that this fits
  else if (shift > -64) t = significand >> -shift;
  return negative ? -static_cast<std::int64_t>(t) : static_cast<std::int64_t>(t);
}

// The d bits of one step. a[i * a_stride], b[i * b_stride] (i < step.count) are codes of
// step.a / step.b; c_bits is the c register.
template <typename Code>
FP8C_HD std::uint32_t mma_fused_dot_add(const MmaStep& step, const Code* a, std::ptrdiff_t a_stride, const Code* b,
                                        std::ptrdiff_t b_stride, std::uint32_t c_bits, MmaStepScale scale = {}) {
  const MmaOperand c = mma_register_operand(step.c, c_bits);
  MmaSpecials specials;
  specials.nan = scale.nan;
  specials.add_term(c);
  int e_max = c.exponent;
  for (int i = 0; i < step.count; ++i) {
    const MmaOperand x = mma_operand(step.a, a[i * a_stride]);
    const MmaOperand y = mma_operand(step.b, b[i * b_stride]);
    specials.add_product(x, y);
    const int e = x.exponent + y.exponent + scale.exponent;
    if (e > e_max) e_max = e;
  }
  if (specials.any()) return specials.bits(step.d.reg);

  const int f = step.fraction_bits;
  std::int64_t sum = mma_aligned_term(c.significand, c.negative, f + c.exponent - e_max - c.fraction_bits);
  for (int i = 0; i < step.count; ++i) {
    const MmaOperand x = mma_operand(step.a, a[i * a_stride]);
    const MmaOperand y = mma_operand(step.b, b[i * b_stride]);
    const int e = x.exponent + y.exponent + scale.exponent;
    const std::uint64_t significand = static_cast<std::uint64_t>(x.significand) * y.significand;
    sum += mma_aligned_term(significand, x.negative != y.negative, f + e - e_max - x.fraction_bits - y.fraction_bits);
  }
  return mma_round_output(sum, e_max - f, step.d);
}

}  // namespace fp8check
