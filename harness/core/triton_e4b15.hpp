// Triton's own fp32 -> fp8e4b15 software conversion, emulated bit for bit.
// Source read: triton-lang/triton, lib/Conversion/TritonGPUToLLVM/ElementwiseOpToLLVM.cpp,
// Fp16_to_Fp8E4M3B15 (the non-x4 variant): the float is first rounded to fp16
// (cvt.rn.f16.f32), clamped with fmax(x, -1.875) then fmin(x, 1.875) (PTX max/min
// return the non-NaN operand, so a NaN becomes -1.875), then the fp16 bits are
// shifted into E4M3 with bias 15 after adding half an fp8 ulp: round half away
// from zero, a second rounding after the first. Decoding is exact (Format::e4m3b15).
#pragma once

#include <cstdint>

#include "harness/core/convert.hpp"

namespace fp8check {

FP8C_HD_INLINE std::uint32_t triton_e4b15_from_float(float x) {
  constexpr EncodeOptions kFp16Rn{Rounding::nearest_even, false, false};
  std::uint32_t h = encode<Format::fp16>(x, kFp16Rn);
  constexpr std::uint32_t kPlusMax = 0x3F80, kMinusMax = 0xBF80;  // +-1.875 in fp16
  if (is_nan_code<Format::fp16>(h)) {
    h = kMinusMax;
  } else {
    const double v = decode<Format::fp16>(h);
    if (v > 1.875) h = kPlusMax;
    if (v < -1.875) h = kMinusMax;
  }
  return ((h & 0x8000u) >> 8) | (((h & 0x7FFFu) + 0x40u) >> 7);
}

}  // namespace fp8check
