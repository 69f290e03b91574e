// The arithmetic of every quantization convention (quant_convention.hpp) for fp32 scales:
// one block's scale pair from its amax, and one element's value in the code domain, which
// the element encoder (convert.hpp) then rounds. Host and device code (FP8C_HD): the CPU
// quantizer (quantize.cpp) and the CUDA quantize kernels call these same functions, so
// they give the same bits by construction. docs/recipes.md, "Conventions".
//
// `exact` is fp8check's reference: amax / format_max rounded once into fp32 (through
// round_to_odd.hpp), elements x / s (or x * q) rounded once into the element format.
// The fp32 conventions do what the libraries' kernels do: read x as fp32 (exact for the
// bf16/fp16/fp32 inputs they load; none of them computes in bf16), divide or multiply in
// IEEE fp32 with round-to-nearest-even, and convert the fp32 result to the element.
// On the device every fp32 operation is an explicit __f*_rn intrinsic, so nvcc neither
// contracts nor approximates it.
#pragma once

#include <cstdint>
#include <cstring>

#include "harness/core/convert.hpp"
#include "harness/core/host_device.hpp"
#include "harness/quantize/round_to_odd.hpp"

namespace fp8check {

// Which value a convention divides from amax; the other is its fp32 reciprocal.
enum class ScaleSource : std::uint8_t {
  exact,        // fp8check: correctly rounded amax / format_max (or format_max / amax)
  scale,        // s = fl32(amax / fmax), q = fl32(1 / s)
  multiplier,   // q = fl32(fmax / amax), s = fl32(1 / q)
  independent,  // s = fl32(amax / fmax) and q = fl32(fmax / amax), each from amax
  approx_scale  // div.full.f32 modelled as a * RN(1/b): s = fl32(amax * fl32(1 / fmax)), q = fl32(1 / s)
};

// How an element reaches the code domain.
enum class ElementOp : std::uint8_t {
  exact,     // x / s or x * q (by the stored meaning), rounded to odd: one rounding in all
  multiply,  // fl32(fl32(x) * q)
  divide,    // fl32(fl32(x) / s)
};

// A clamp to +-format_max before the cast (the cast itself saturates anyway); it matters
// only for NaN, which a clamp turns into a finite code.
enum class PreCastClamp : std::uint8_t {
  none,
  fmax_fmin,   // fminf(fmaxf(v, -max), max): NaN -> -max (CUDA fmaxf returns the non-NaN operand)
  xorsign_abs  // fmin.xorsign.abs(v, max): NaN -> +max (the NaN a GPU division returns is positive)
};

// A convention resolved to plain data: copyable to a CUDA kernel as a parameter.
struct ConventionArith {
  ScaleSource source = ScaleSource::exact;
  ElementOp op = ElementOp::exact;
  bool amax_nan_propagates = false;  // torch.amax: one NaN makes the block's amax NaN
  // Transformer Engine's compute_scale_from_amax: amax 0, inf or NaN gives scale 1, and a
  // multiplier that overflows fp32 becomes FLT_MAX.
  bool unit_scale_for_degenerate_amax = false;
  PreCastClamp clamp = PreCastClamp::none;
  // The library's division is approximate (div.full.f32): the model above is one of the
  // results the hardware may give; diagnosis tolerates the documented error bound.
  bool approximate_division = false;
  double amax_floor = 0;  // amax' = max(amax, floor); the fp32 conventions hold it as fp32
  // Pow2Scale::round_up of an fp32 scale first raises s to this floor (vLLM's UE8M0 path:
  // exp2(ceil(log2(max(|s|, 1e-10)))).
  double pow2_scale_floor = 0;
};

// The ScalePolicy options that act on an fp32 block scale.
struct Fp32ScaleRules {
  bool quant_meaning = false;   // the stored value is q (ScaleMeaning::quant), else s
  bool pow2_round_up = false;   // Pow2Scale::round_up (UE8M0-style scales)
  bool zero_block_one = true;   // ZeroBlockScale::one, else smallest
};

struct Fp32BlockScale {
  float stored = 1;  // what the scale tensor holds: s, or q under the quant meaning
  // The fp32 conventions' pair and clamp limit; `exact` scales elements by `stored` alone
  // and leaves these 0.
  float s = 1;            // the dequantization multiplier
  float q = 1;            // the quantization multiplier
  float clamp_limit = 0;  // fmax as fp32, for PreCastClamp
};

namespace convention_detail {

FP8C_HD_INLINE std::uint32_t bits32(float v) {
  std::uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
FP8C_HD_INLINE float float_from_bits(std::uint32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}
FP8C_HD_INLINE bool is_nan32(float v) { return (bits32(v) & 0x7FFFFFFFu) > 0x7F800000u; }
FP8C_HD_INLINE bool is_inf32(float v) { return (bits32(v) & 0x7FFFFFFFu) == 0x7F800000u; }
FP8C_HD_INLINE bool is_nan64(double v) { return (detail::bits_of(v) & ~(std::uint64_t{1} << 63)) > (std::uint64_t{0x7FF} << 52); }
FP8C_HD_INLINE bool is_inf64(double v) { return (detail::bits_of(v) & ~(std::uint64_t{1} << 63)) == (std::uint64_t{0x7FF} << 52); }

// IEEE fp32 operations, round to nearest even.
FP8C_HD_INLINE float div32(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}
FP8C_HD_INLINE float mul32(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
FP8C_HD_INLINE float rcp32(float a) {
#if defined(__CUDA_ARCH__)
  return __frcp_rn(a);
#else
  return 1.0f / a;
#endif
}
FP8C_HD_INLINE float to_f32(double v) {
#if defined(__CUDA_ARCH__)
  return __double2float_rn(v);
#else
  return static_cast<float>(v);  // IEEE conversion: round to nearest even
#endif
}

FP8C_HD_INLINE double clamp64(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

// 2^ceil(log2(v)) for finite v > 0; anything below 2^-126 gives 2^-126 (callers clamp
// there anyway), above 2^1023 gives inf.
FP8C_HD_INLINE double pow2_at_or_above(double v) {
  if (v <= 0x1p-126) return 0x1p-126;
  const std::uint64_t b = detail::bits_of(v);
  const std::uint64_t exponent = b >> 52;  // v > 0: no sign bit
  if ((b & ((std::uint64_t{1} << 52) - 1)) == 0) return v;
  return detail::double_from_bits((exponent + 1) << 52);
}

// fp32 s rounded up to a power of two: DeepGEMM's ceil_to_ue8m0 (exponent field plus one
// if any mantissa bit is set, clamped to 1..254); vLLM's exp2(ceil(log2(s))) is the same.
FP8C_HD_INLINE float pow2_ceil32(float s) {
  if (!(s > 0) || is_inf32(s)) return s;
  const std::uint32_t b = bits32(s);
  std::uint32_t e = ((b >> 23) & 0xFFu) + ((b & 0x7FFFFFu) != 0 ? 1u : 0u);
  e = e < 1u ? 1u : (e > 254u ? 254u : e);
  return float_from_bits(e << 23);
}

// fp32 q rounded down to a power of two: TE's force_pow_2_scales (mantissa bits cleared).
FP8C_HD_INLINE float pow2_floor32(float q) {
  if (!(q > 0) || is_inf32(q)) return q;
  return float_from_bits(bits32(q) & 0xFF800000u);
}

// fp8check's reference scale (block_scale.hpp, fp32): the exact path of every release so far.
FP8C_HD_INLINE Fp32BlockScale exact_block_scale(double amax, double format_max, const Fp32ScaleRules& r) {
  constexpr double kSmallest = 0x1p-126, kLargest = 0x1.fffffep127, kLargestPow2 = 0x1p127;
  double s;  // the dequantization multiplier, on the fp32 grid
  if (amax == 0) {
    s = r.zero_block_one ? 1.0 : kSmallest;
  } else if (r.pow2_round_up) {
    s = is_inf64(amax) ? kLargestPow2 : pow2_at_or_above(divide_round_to_odd(amax, format_max));
    s = clamp64(s, kSmallest, kLargestPow2);
  } else if (r.quant_meaning) {
    // q = format_max / amax rounded once; clamped so that 1/q stays in fp32's range.
    const double q = is_inf64(amax) ? 0.0 : divide_round_to_odd(format_max, amax);
    return {to_f32(clamp64(q, kSmallest, kLargest)), 0, 0, 0};
  } else {
    s = is_inf64(amax) ? kLargest : divide_round_to_odd(amax, format_max);
    s = to_f32(clamp64(s, kSmallest, kLargest));  // the bounds are on the grid: no re-clamp
  }
  return {to_f32(r.quant_meaning ? detail::div_rn(1.0, s) : s), 0, 0, 0};
}

}  // namespace convention_detail

// One step of a block's amax: amax = fold_amax(c, amax, x) over the block, from 0.
// exact: max |x| with NaN ignored. fp32 conventions: over |fl32(x)|, NaN ignored (fmaxf)
// or propagated (torch.amax).
FP8C_HD_INLINE double fold_amax(const ConventionArith& c, double amax, double x) {
  using namespace convention_detail;
  if (c.source == ScaleSource::exact) {
    const double a = detail::double_from_bits(detail::bits_of(x) & ~(std::uint64_t{1} << 63));  // |x|
    return a > amax ? a : amax;  // NaN compares false: ignored
  }
  if (is_nan64(amax)) return amax;
  const float f = to_f32(x);
  if (is_nan32(f)) return c.amax_nan_propagates ? static_cast<double>(f) : amax;
  const double a = f < 0 ? -static_cast<double>(f) : static_cast<double>(f);
  return a > amax ? a : amax;
}

// A block's amax as fold_amax over its elements gives it, from the exact max |x| over its
// non-NaN elements and whether it holds a NaN: fl32 is monotone, so the largest |fl32(x)|
// is fl32 of the largest |x|; a NaN element then decides what fold_amax decides for it.
// The maximum is order-free, so a parallel reduction (the CUDA quantize kernels) gives it.
FP8C_HD_INLINE double finish_block_amax(const ConventionArith& c, double exact_max, bool has_nan) {
  if (c.source == ScaleSource::exact) return exact_max;
  const double rounded = fold_amax(c, 0, exact_max);
  return has_nan ? fold_amax(c, rounded, detail::double_from_bits(0x7FF8000000000000ull)) : rounded;
}

// One block's fp32 scale pair from its amax (for delayed recipes: the history's, 0 when
// there is none) and the element maximum (already divided by 2^margin for delayed).
FP8C_HD_INLINE Fp32BlockScale fp32_block_scale(const ConventionArith& c, double amax, double format_max,
                                               const Fp32ScaleRules& r) {
  using namespace convention_detail;
  if (c.source == ScaleSource::exact) {
    if (!is_nan64(amax) && amax < c.amax_floor) amax = c.amax_floor;
    return exact_block_scale(amax, format_max, r);
  }
  const float fmax = to_f32(format_max);
  float a = to_f32(amax);
  const float floor = to_f32(c.amax_floor);
  if (!is_nan32(a) && a < floor) a = floor;
  float s, q;
  if (c.unit_scale_for_degenerate_amax && (a == 0 || is_inf32(a) || is_nan32(a))) {
    s = q = 1;
  } else if (a == 0) {  // only with a zero floor: the policy's zero-block scale, never 0/0
    s = r.zero_block_one ? 1.0f : 0x1p-126f;
    q = rcp32(s);
  } else {
    switch (c.source) {
      case ScaleSource::multiplier:
        q = div32(fmax, a);
        if (c.unit_scale_for_degenerate_amax && is_inf32(q)) q = 0x1.fffffep127f;
        if (r.pow2_round_up) q = pow2_floor32(q);
        s = rcp32(q);
        break;
      case ScaleSource::independent:
        s = div32(a, fmax);
        q = div32(fmax, a);
        if (r.pow2_round_up) {
          s = pow2_ceil32(s);
          q = rcp32(s);
        }
        break;
      case ScaleSource::approx_scale:
        s = mul32(a, rcp32(fmax));
        if (r.pow2_round_up) s = pow2_ceil32(s);
        q = rcp32(s);
        break;
      default:  // ScaleSource::scale
        s = div32(a, fmax);
        if (r.pow2_round_up) {
          const float pow2_floor = to_f32(c.pow2_scale_floor);
          s = pow2_ceil32(s < pow2_floor ? pow2_floor : s);
        }
        q = rcp32(s);
        break;
    }
  }
  return {r.quant_meaning ? q : s, s, q, fmax};
}

// Element x in the code domain, as the value the element encoder rounds. `b` comes from
// fp32_block_scale with the same convention and rules.
FP8C_HD_INLINE double scale_element(const ConventionArith& c, const Fp32BlockScale& b, bool quant_meaning, double x) {
  using namespace convention_detail;
  if (c.op == ElementOp::exact)
    return quant_meaning ? multiply_round_to_odd(x, b.stored) : divide_round_to_odd(x, b.stored);
  const float xf = to_f32(x);
  float v = c.op == ElementOp::multiply ? mul32(xf, b.q) : div32(xf, b.s);
  const float limit = b.clamp_limit;
  if (c.clamp == PreCastClamp::fmax_fmin) {
    v = is_nan32(v) ? -limit : (v < -limit ? -limit : (v > limit ? limit : v));
  } else if (c.clamp == PreCastClamp::xorsign_abs) {
    v = is_nan32(v) ? limit : (v < -limit ? -limit : (v > limit ? limit : v));
  }
  return static_cast<double>(v);
}

}  // namespace fp8check
