// AVX2 + F16C kernels of convert_bulk.hpp. Only this file is built with -mavx2 -mf16c
// (harness/CMakeLists.txt); convert_bulk.cpp calls it only when the CPU has both.
// Rule for this file: use intrinsics, constants and functions with internal linkage
// only. An inline function of a shared header (std::min, encode<F>, a std::span member,
// a FormatSpec member called outside a constant expression, as -O0 does) emitted here
// would be AVX2 code that the linker may pick for every caller. The ctest
// avx2_object_has_no_weak_symbols checks this object (and the GEMM one) with nm in every build
// (ci/bits-across-compilers: with clang and at gcc -O0 too).
// Correctness: bit-identical to encode<F>/decode<F>, proven over all 2^32 floats
// (tests/convert_bulk_exhaustive_test.cpp) and all 256 codes (tests/convert_bulk_test.cpp).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "harness/core/convert_bulk.hpp"

// Each loop is a function of its own with its kernel inlined whole: left to itself, the
// compiler inlines some loops into the dispatch switch and then calls the 32-element
// kernel out of line, spilling registers (25 % slower, seen with gcc 12).
#define FP8C_KERNEL [[gnu::always_inline]] inline
#define FP8C_LOOP [[gnu::noinline]]

namespace fp8check::detail {
namespace {

// ---- encode: float -> code, round to nearest even ---------------------------------
// Per lane, first |x| is clamped in the float unit to a limit T that the overflow options
// choose: max (saturating) or the value code max + 1 would have (not saturating), so every
// finite result is at most max + 1, and a NaN stays NaN (vminps returns its second operand
// when either is NaN). Then two roundings of the clamped t:
// The code's magnitude is ((binade + bias - 1) << man) + n (convert.hpp). For a normal
// result that is the float's bits rounded at `drop` bits and re-biased. For a subnormal
// result it is n = t / quantum rounded, which one float add computes: t + 2^(emin - man
// + 23) has ulp = quantum, so the SSE unit rounds at the quantum, to nearest even
// (MXCSR round-to-nearest). Both are computed for every lane and the smaller one taken:
// a subnormal lane is raised to min normal in the first (giving 2^man, which its n never
// exceeds), and for a normal lane n counts quanta, at least as many as codes below t.
// A NaN lane's magnitude comes out above 0xFF (its bits rounded as a normal: 0x23C or
// more), a byte with its top bit set after the saturating packs. The only finite magnitude
// with that bit is max + 1 of the fnuz formats, whose "infinity" is the NaN code too. So
// the byte's top bit selects nan_code.
template <Format F>
struct EncodeConstants {
  static constexpr FormatSpec s = format_spec(F);
  static constexpr int drop = 23 - s.man_bits;
  static constexpr std::uint32_t min_normal_bits = std::uint32_t(127 + s.emin()) << 23;
  // (bits + half - 1 + lsb - rebias) >> drop: the rebias folded into the addend (mod 2^32).
  static constexpr std::uint32_t normal_addend = ((1u << (drop - 1)) - 1u) - (std::uint32_t(127 - s.bias) << 23);
  static constexpr std::uint32_t magic_bits = std::uint32_t(127 + s.emin() - s.man_bits + 23) << 23;
  static constexpr std::uint32_t max_code = s.max_magnitude_code();
  static constexpr std::uint32_t nan_code = detail::nan_code(s);
  static constexpr std::uint32_t inf_bits = 0x7F800000u;
  // The float bits of max (a normal code), and of the value code max + 1 would stand for.
  static constexpr std::uint32_t max_bits = ((((max_code >> s.man_bits) + 127u - std::uint32_t(s.bias)) << 23) |
                                             ((max_code & ((1u << s.man_bits) - 1u)) << drop));
  static constexpr std::uint32_t beyond_max_bits = max_bits + (1u << drop);
  // What this kernel assumes of detail::infinity_code: the signed max + 1 (ieee: inf; fn:
  // S.1111.111), or for fnuz the NaN code, which is max + 1 = 0x80 as a byte.
  static_assert(detail::infinity_code(s, false) == max_code + 1 &&
                (detail::infinity_code(s, true) == (s.sign_bit() | (max_code + 1)) || s.rule == SpecialRule::fnuz));
  static_assert((max_code + 1 < 0x80) == (s.rule != SpecialRule::fnuz));
  static_assert(nan_code == (s.rule == SpecialRule::fnuz ? 0x80u : 0x7Fu));
  static constexpr bool zero_is_unsigned = detail::zero_code(s, true) == 0;  // fnuz: no -0
};

FP8C_KERNEL __m256i splat(std::uint32_t v) { return _mm256_set1_epi32(static_cast<int>(v)); }

// Per 8 floats: the code's magnitude, at most max + 1 for finite results (with the sign
// applied later, after packing to bytes) and above 0xFF for NaN.
template <Format F, bool kSaturateFinite, bool kClampInf>
FP8C_KERNEL __m256i encode_magnitudes(__m256i x) {
  using K = EncodeConstants<F>;
  const __m256i abs = _mm256_and_si256(x, splat(0x7FFFFFFFu));
  // Saturating: everything above max is max. Not: everything from max + 1 up is max + 1.
  const __m256 limit = _mm256_castsi256_ps(splat(kSaturateFinite ? K::max_bits : K::beyond_max_bits));
  const __m256i t = _mm256_castps_si256(_mm256_min_ps(limit, _mm256_castsi256_ps(abs)));
  const __m256i at_least_normal = _mm256_max_epi32(t, splat(K::min_normal_bits));
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(at_least_normal, K::drop), splat(1));
  const __m256i normal =
      _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(at_least_normal, splat(K::normal_addend)), lsb), K::drop);
  const __m256 magic = _mm256_castsi256_ps(splat(K::magic_bits));
  const __m256i subnormal =
      _mm256_sub_epi32(_mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(t), magic)), splat(K::magic_bits));
  const __m256i magnitude = _mm256_min_epu32(normal, subnormal);
  if constexpr (kSaturateFinite == kClampInf) return magnitude;  // inf went where overflow goes
  const __m256i is_inf = _mm256_cmpeq_epi32(abs, splat(K::inf_bits));  // -1 on inf lanes
  if constexpr (kSaturateFinite) return _mm256_sub_epi32(magnitude, is_inf);  // inf: max -> max + 1
  return _mm256_add_epi32(magnitude, is_inf);                                 // inf: max + 1 -> max
}

// Four vectors of 32-bit lanes -> 32 bytes, with (un)signed saturation. The bytes come out
// in the order of the packs' 128-bit lanes; reorder_packed() restores element order.
FP8C_KERNEL __m256i pack_unsigned(__m256i a, __m256i b, __m256i c, __m256i d) {
  return _mm256_packus_epi16(_mm256_packus_epi32(a, b), _mm256_packus_epi32(c, d));
}
FP8C_KERNEL __m256i pack_signed(__m256i a, __m256i b, __m256i c, __m256i d) {
  return _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
}
FP8C_KERNEL __m256i reorder_packed(__m256i bytes) {
  return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

template <Format F, bool kSaturateFinite, bool kClampInf>
FP8C_KERNEL void encode32(const float* in, std::uint8_t* out) {
  using K = EncodeConstants<F>;
  __m256i x[4], m[4];
  for (int k = 0; k < 4; ++k) {
    x[k] = _mm256_castps_si256(_mm256_loadu_ps(in + 8 * k));
    m[k] = encode_magnitudes<F, kSaturateFinite, kClampInf>(x[k]);
  }
  // Magnitudes stay below 0x8000 (NaN: below 0x1000), so both unsigned packs saturate
  // them to at most 0xFF and never wrap.
  const __m256i magnitude = pack_unsigned(m[0], m[1], m[2], m[3]);
  // Signed saturation keeps each float's sign bit: a byte's top bit is its element's sign.
  __m256i sign = _mm256_and_si256(pack_signed(x[0], x[1], x[2], x[3]), _mm256_set1_epi8(char(0x80)));
  if constexpr (K::zero_is_unsigned) {
    // No -0: drop the sign where the magnitude byte is 0 (vpsignb zeroes those bytes; where
    // the magnitude byte is negative, a NaN lane, it negates 0x80 to itself).
    sign = _mm256_sign_epi8(sign, magnitude);
  }
  const __m256i code = _mm256_blendv_epi8(_mm256_or_si256(magnitude, sign),
                                          _mm256_set1_epi8(static_cast<char>(K::nan_code)), magnitude);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), reorder_packed(code));
}

template <Format F, bool kSaturateFinite, bool kClampInf>
FP8C_LOOP void encode_loop(const float* in, std::uint8_t* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    encode32<F, kSaturateFinite, kClampInf>(in + i, out + i);
    encode32<F, kSaturateFinite, kClampInf>(in + i + 32, out + i + 32);
  }
  for (; i + 32 <= n; i += 32) encode32<F, kSaturateFinite, kClampInf>(in + i, out + i);
  if (i == n) return;
  // The tail goes through the same kernel, zero-padded, so no element takes another path.
  float in_tail[32] = {};
  std::uint8_t out_tail[32];
  std::memcpy(in_tail, in + i, (n - i) * sizeof(float));
  encode32<F, kSaturateFinite, kClampInf>(in_tail, out_tail);
  std::memcpy(out + i, out_tail, n - i);
}

template <Format F>
void encode_format(EncodeOptions opt, const float* in, std::uint8_t* out, std::size_t n) {
  if (opt.saturate_finite && opt.clamp_inf) return encode_loop<F, true, true>(in, out, n);
  if (opt.saturate_finite) return encode_loop<F, true, false>(in, out, n);
  if (opt.clamp_inf) return encode_loop<F, false, true>(in, out, n);
  return encode_loop<F, false, false>(in, out, n);
}

// ---- decode: code -> float ----------------------------------------------------------
// e4m3* and e5m2: the code's fields placed in a binary16 (sign at bit 15, exponent and
// mantissa right below it) are a half whose value is 2^(bias - 15) times the code's;
// F16C converts it exactly (subnormal halves included) and one exact float product by
// 2^(15 - bias) scales it back. e4m3 exponents stay below the half's inf/NaN field; for
// e5m2 that field means inf/NaN in both formats. NaN codes become the canonical half NaN
// 0x7E00, which converts to 0x7FC00000 and stays it through the product.
template <Format F>
FP8C_KERNEL void decode16_via_half(const std::uint8_t* in, float* out) {
  constexpr FormatSpec s = format_spec(F);
  static_assert(s.exp_bits == 4 || s.rule == SpecialRule::ieee, "the half's top exponent must mean inf/NaN");
  // Sign-extended: bits 7..15 of each lane are the sign.
  const __m256i c = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in)));
  __m256i half_bits;
  if constexpr (s.man_bits == 2) {
    half_bits = _mm256_slli_epi16(c, 8);
  } else {  // mantissa 3: shifted by 7, bit 15 is the sign and bit 14 a copy of it, cleared
    half_bits = _mm256_and_si256(_mm256_slli_epi16(c, 7), _mm256_set1_epi16(short(0xBFFF)));
  }
  if constexpr (s.has_nan()) {
    __m256i is_nan;
    if constexpr (s.rule == SpecialRule::fnuz) {
      is_nan = _mm256_cmpeq_epi16(c, _mm256_set1_epi16(short(0xFF80)));  // code 0x80
    } else {
      const __m256i mag = _mm256_and_si256(c, _mm256_set1_epi16(0x7F));
      constexpr short kInfCode = short(s.max_magnitude_code() + 1);  // ieee; constexpr: see the file's rule
      if constexpr (s.rule == SpecialRule::fn) is_nan = _mm256_cmpeq_epi16(mag, _mm256_set1_epi16(0x7F));
      else is_nan = _mm256_cmpgt_epi16(mag, _mm256_set1_epi16(kInfCode));
    }
    half_bits = _mm256_blendv_epi8(half_bits, _mm256_set1_epi16(0x7E00), is_nan);
  }
  __m256 lo = _mm256_cvtph_ps(_mm256_castsi256_si128(half_bits));
  __m256 hi = _mm256_cvtph_ps(_mm256_extracti128_si256(half_bits, 1));
  if constexpr (s.bias != 15) {
    const __m256 scale = _mm256_castsi256_ps(splat(std::uint32_t(127 + 15 - s.bias) << 23));
    lo = _mm256_mul_ps(lo, scale);
    hi = _mm256_mul_ps(hi, scale);
  }
  _mm256_storeu_ps(out, lo);
  _mm256_storeu_ps(out + 8, hi);
}

// e5m2fnuz: its top exponent is finite, so the fields cannot go into a half unchanged.
// Every value is a half, though: a code with exponent field >= 2 is its fields with the
// exponent lowered by one (bias 16 -> 15); below that (mag < 8) the value is mag * 2^-17,
// the half subnormal mag << 7. No float arithmetic is needed after the conversion.
FP8C_KERNEL void decode16_e5m2fnuz(const std::uint8_t* in, float* out) {
  constexpr FormatSpec s = format_spec(Format::e5m2fnuz);
  static_assert(s.bias == 16 && s.man_bits == 2 && s.emin() - s.man_bits == -17);
  const __m256i c = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in)));  // sign-extended
  const __m256i mag = _mm256_and_si256(c, _mm256_set1_epi16(0x7F));
  const __m256i rebiased = _mm256_sub_epi16(_mm256_slli_epi16(c, 8), _mm256_set1_epi16(0x0400));
  // Shifted by 7, bit 15 is the sign and bit 14 a copy of it, cleared.
  const __m256i small = _mm256_and_si256(_mm256_slli_epi16(c, 7), _mm256_set1_epi16(short(0xBFFF)));
  __m256i half_bits = _mm256_blendv_epi8(small, rebiased, _mm256_cmpgt_epi16(mag, _mm256_set1_epi16(7)));
  half_bits = _mm256_blendv_epi8(half_bits, _mm256_set1_epi16(0x7E00),
                                 _mm256_cmpeq_epi16(c, _mm256_set1_epi16(short(0xFF80))));  // NaN: code 0x80
  _mm256_storeu_ps(out, _mm256_cvtph_ps(_mm256_castsi256_si128(half_bits)));
  _mm256_storeu_ps(out + 8, _mm256_cvtph_ps(_mm256_extracti128_si256(half_bits, 1)));
}

// e8m0fnu: 2^(code - 127) is the float whose exponent field is the code, except code 0
// (2^-127, the float subnormal 0x00400000) and 0xFF (NaN).
FP8C_KERNEL __m256 decode8_e8m0fnu(__m256i c) {
  __m256i bits = _mm256_slli_epi32(c, 23);
  bits = _mm256_blendv_epi8(bits, splat(0x00400000u), _mm256_cmpeq_epi32(c, _mm256_setzero_si256()));
  bits = _mm256_blendv_epi8(bits, splat(0x7FC00000u), _mm256_cmpeq_epi32(c, splat(0xFF)));
  return _mm256_castsi256_ps(bits);
}

template <Format F>
FP8C_KERNEL void decode16(const std::uint8_t* in, float* out) {
  if constexpr (F == Format::e8m0fnu) {
    _mm256_storeu_ps(out, decode8_e8m0fnu(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in)))));
    _mm256_storeu_ps(out + 8,
                     decode8_e8m0fnu(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + 8)))));
  } else if constexpr (F == Format::e5m2fnuz) {
    decode16_e5m2fnuz(in, out);
  } else {
    decode16_via_half<F>(in, out);
  }
}

template <Format F>
FP8C_LOOP void decode_loop(const std::uint8_t* in, float* out, std::size_t n) {
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    decode16<F>(in + i, out + i);
    decode16<F>(in + i + 16, out + i + 16);
    decode16<F>(in + i + 32, out + i + 32);
    decode16<F>(in + i + 48, out + i + 48);
  }
  for (; i + 16 <= n; i += 16) decode16<F>(in + i, out + i);
  if (i == n) return;
  std::uint8_t in_tail[16] = {};
  float out_tail[16];
  std::memcpy(in_tail, in + i, n - i);
  decode16<F>(in_tail, out_tail);
  std::memcpy(out + i, out_tail, (n - i) * sizeof(float));
}

}  // namespace

bool avx2_encode_covers(Format f, EncodeOptions opt) {
  const bool format_covered = f == Format::e4m3fn || f == Format::e5m2 || f == Format::e4m3fnuz ||
                              f == Format::e5m2fnuz;
  return format_covered && opt.rounding == Rounding::nearest_even;
}

bool avx2_fp_environment_is_default() {
  constexpr unsigned kFlushToZero = 0x8000, kRoundingControl = 0x6000, kDenormalsAreZero = 0x0040;
  return (_mm_getcsr() & (kFlushToZero | kRoundingControl | kDenormalsAreZero)) == 0;
}

bool avx2_encode_f32(Format f, EncodeOptions opt, const float* in, std::uint8_t* out, std::size_t n) {
  if (!avx2_encode_covers(f, opt)) return false;
  switch (f) {
    case Format::e4m3fn: encode_format<Format::e4m3fn>(opt, in, out, n); return true;
    case Format::e5m2: encode_format<Format::e5m2>(opt, in, out, n); return true;
    case Format::e4m3fnuz: encode_format<Format::e4m3fnuz>(opt, in, out, n); return true;
    case Format::e5m2fnuz: encode_format<Format::e5m2fnuz>(opt, in, out, n); return true;
    default: return false;
  }
}

bool avx2_decode(Format f, const std::uint8_t* in, float* out, std::size_t n) {
  switch (f) {
    case Format::e4m3fn: decode_loop<Format::e4m3fn>(in, out, n); return true;
    case Format::e5m2: decode_loop<Format::e5m2>(in, out, n); return true;
    case Format::e4m3fnuz: decode_loop<Format::e4m3fnuz>(in, out, n); return true;
    case Format::e5m2fnuz: decode_loop<Format::e5m2fnuz>(in, out, n); return true;
    case Format::e4m3b11fnuz: decode_loop<Format::e4m3b11fnuz>(in, out, n); return true;
    case Format::e4m3b15: decode_loop<Format::e4m3b15>(in, out, n); return true;
    case Format::e8m0fnu: decode_loop<Format::e8m0fnu>(in, out, n); return true;
    default: return false;  // 4- and 6-bit formats
  }
}

}  // namespace fp8check::detail
