// The per-block numerics of FP8 attention, as host+device inline functions that the
// emulated CPU kernel and a CUDA kernel can share (docs/attention.md). Scores live in log2
// units (s · Q Kᵀ · log2 e, as FlashAttention's softmax_scale_log2), so the exponential is
// exp2. Every function uses + - * /, comparisons and bit manipulation only: with the
// project's -ffp-contract=off (--fmad=false for nvcc) and without FTZ/DAZ, every compiler
// and vector width gives the same bits. libm's exp2f/log2f are not correctly rounded and
// differ between implementations, so they are not used.
#pragma once

#include <cstdint>
#include <cstring>

#include "harness/core/format_spec.hpp"
#include "harness/core/host_device.hpp"

namespace fp8check::attention {

FP8C_HD_INLINE std::uint32_t float_bits(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
FP8C_HD_INLINE float float_from_bits(std::uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

inline constexpr float kNegativeInfinity = -__builtin_huge_valf();
inline constexpr float kLn2 = 0x1.62e43p-1f;  // ln 2 rounded to float: natural-log LSE = log2 LSE * kLn2

// 2^x. x = n + f with n = round(x) (ties to even, by the 1.5·2^23 shifter) and f = x - n
// exact in [-1/2, 1/2]; 2^f by its Taylor polynomial of degree 7 in Horner form (remainder
// <= (ln2/2)^8 / 8! < 5.2e-9 · 2^f, coefficients (ln 2)^k / k! rounded to float), times 2^n
// built from bits (exact). Relative error <= 1.2 · 2^-23 (measured 1.151 · 2^-23 over every
// float f in [-1/2, 1/2]: tests/attention_numerics_exhaustive_test.cpp; a sample in
// attention_numerics_test.cpp); the error of 2^x is that of 2^f. Special cases:
// x < -126.5 (n <= -127) gives +0, as ex2.approx.ftz flushes; x in [-126.5, -126) gives a
// subnormal; x >= 127.5 gives +inf; NaN gives NaN. exp2_portable(0) == 1 exactly, and
// exp2_portable(x) <= 1 for every x <= 0 (n = 0: 1 + f·q with f <= 0 < q rounds to <= 1;
// n <= -1: 2^f <= 1.415 times 2^n <= 1/2).
FP8C_HD_INLINE float exp2_portable(float x) {
  constexpr float kShifter = 0x1.8p23f;
  const float clamped = x < -127.0f ? -127.0f : (x > 128.0f ? 128.0f : x);  // NaN passes through
  const float shifted = clamped + kShifter;                                  // n in the low bits
  const float n = shifted - kShifter;
  const float f = clamped - n;
  float p = 0x1.ffcbfcp-17f;
  p = p * f + 0x1.430912p-13f;
  p = p * f + 0x1.5d87fep-10f;
  p = p * f + 0x1.3b2ab6p-7f;
  p = p * f + 0x1.c6b08ep-5f;
  p = p * f + 0x1.ebfbe0p-3f;
  p = p * f + 0x1.62e430p-1f;
  p = p * f + 1.0f;
  // n + 127 in [0, 255]: 0 gives the factor +0 (flush), 255 gives +inf.
  const std::int32_t biased = static_cast<std::int32_t>(float_bits(shifted) - float_bits(kShifter)) + 127;
  return p * float_from_bits(static_cast<std::uint32_t>(biased) << 23);
}

// log2(x) for x > 0 (subnormals included), -inf for +0, +inf for +inf, NaN otherwise.
// x = 2^e · m with m in [sqrt(1/2), sqrt(2)); log2 m = (2/ln2)(s + s^3/3 + ... + s^9/9),
// s = (m-1)/(m+1), |s| <= 0.1716 (truncation < 2.1e-9 relative). Error <= 2^-22 · |log2 x|
// + 2^-24 (checked on every m, at three exponents: tests/attention_numerics_test.cpp).
FP8C_HD_INLINE float log2_portable(float x) {
  if (!(x > 0.0f)) return x == 0.0f ? kNegativeInfinity : (x - x) / (x - x);  // NaN for x < 0 and NaN
  if (x == __builtin_huge_valf()) return x;
  std::uint32_t bits = float_bits(x);
  int e = 0;
  if ((bits >> 23) == 0) {  // subnormal: scale by 2^23 (exact)
    bits = float_bits(x * 0x1p23f);
    e = -23;
  }
  const std::uint32_t mantissa = bits & 0x7FFFFFu;
  const bool halve = mantissa >= 0x3504F3u;  // m >= float(sqrt 2): use m / 2
  e += static_cast<int>(bits >> 23) - 127 + (halve ? 1 : 0);
  const float m = float_from_bits(mantissa | (halve ? 0x3F000000u : 0x3F800000u));
  const float s = (m - 1.0f) / (m + 1.0f);  // m - 1 is exact (Sterbenz)
  const float z = s * s;
  const float q = 0x1.555556p-2f + z * (0x1.99999ap-3f + z * (0x1.24924ap-3f + z * 0x1.c71c72p-4f));
  const float log2_m = 0x1.715476p+1f * (s + s * (z * q));
  return static_cast<float>(e) + log2_m;
}

// One online-softmax update (FlashAttention): the new running max and the factor
// alpha = 2^(m_old - m_new) by which the running sum l and accumulator O are rescaled.
// `lazy_threshold` = 0 rescales whenever the max grows. A threshold t > 0 keeps a stale
// max while the growth is <= t (FlashAttention-4's conditional rescaling): P may then
// reach 2^t; with an FP8 P scale of 2^8 and t = 4 it reaches 2^12 > 448 (the p_scale_overflow
// fault). block_max is the max over the block's visible scores (finite; callers skip
// blocks where a row sees no key); m_old is -inf before the first block.
struct OnlineSoftmaxStep {
  float m;      // running max after this block
  float alpha;  // factor for l and O (1 when m is unchanged; 0 on the first block)
};
FP8C_HD_INLINE OnlineSoftmaxStep online_softmax_step(float m_old, float block_max, float lazy_threshold) {
  if (!(block_max > m_old)) return {m_old, 1.0f};
  if (block_max - m_old <= lazy_threshold) return {m_old, 1.0f};  // never true for m_old = -inf
  return {block_max, exp2_portable(m_old - block_max)};
}

// How P·scale becomes the P·V operand: rounded to nearest even in an FP8 format with
// satfinite (cvt.rn.satfinite), or to bf16 (cvt.rn.bf16.f32). Equal to
// decode(encode<F>(v)) of harness/core/convert.hpp for every v >= 0, +inf and NaN
// (tests/attention_numerics_test.cpp).
struct PRounding {
  bool bf16 = false;
  int man_bits = 3;         // FP8: explicit mantissa bits
  int emin = -6;            // FP8: exponent of the smallest normal binade
  int emax_clamp = 9;       // FP8: exponent of the largest finite binade + 1 (keeps the shifter finite)
  float max_finite = 448.0f;
};
FP8C_HD constexpr PRounding p_rounding(Format f) {
  if (f == Format::bf16) return {true, 7, -126, 128, 0x1.fep127f};
  if (f == Format::e5m2) return {false, 2, -14, 16, 57344.0f};
  return {};  // e4m3fn
}

// v >= 0 (P·scale), +inf or NaN.
FP8C_HD_INLINE float round_p(float v, const PRounding& r) {
  const std::uint32_t bits = float_bits(v);
  if (r.bf16) {
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return float_from_bits(bits | 0x00400000u);  // NaN stays NaN
    return float_from_bits((bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u);
  }
  int e = static_cast<int>((bits >> 23) & 0xFFu) - 127;
  e = e < r.emin ? r.emin : (e > r.emax_clamp ? r.emax_clamp : e);
  // 1.5 · 2^(23 + quantum exponent): (v + c) - c rounds v to the quantum 2^(e - man_bits).
  const float c = float_from_bits(static_cast<std::uint32_t>(e - r.man_bits + 23 + 127) << 23 | 0x400000u);
  const float rounded = (v + c) - c;
  return rounded > r.max_finite ? r.max_finite : rounded;
}

// Score multiplier in log2 units: (s · log2 e) · q_descale · k_descale, each product
// rounded to float (FlashAttention-3 folds the descales into softmax_scale_log2 this way).
// `scale_log2` is s · log2 e rounded once to float.
FP8C_HD_INLINE float score_scale_log2(float scale_log2, float q_descale, float k_descale) {
  return (scale_log2 * q_descale) * k_descale;
}

// Final normalisation of one row: O = acc · ((1/l) · v_descale). A row that saw no key
// (l = 0), or whose l is NaN, uses 1/l := 1, as FlashAttention's finalize does.
FP8C_HD_INLINE float output_factor(float l, float v_descale) {
  const float inverse = (l == 0.0f || l != l) ? 1.0f : 1.0f / l;
  return inverse * v_descale;
}

// The row's log-sum-exp in log2 units, the P scale (2^p_offset) removed: -inf when l is 0 or NaN.
FP8C_HD_INLINE float row_lse_log2(float m, float l, int p_offset) {
  if (l == 0.0f || l != l) return kNegativeInfinity;
  return m + (log2_portable(l) - static_cast<float>(p_offset));
}

}  // namespace fp8check::attention
