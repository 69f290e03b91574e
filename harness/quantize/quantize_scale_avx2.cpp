// AVX2 + FMA kernels of quantize_scale_avx2.hpp. Only this file is built with -mavx2
// -mfma (harness/CMakeLists.txt). Rule, as convert_bulk_avx2.cpp's: intrinsics, constants
// and functions with internal linkage only, so that no inline function of a shared header
// is emitted here as AVX2 code the linker could pick for other callers (checked by the
// ctest avx2_object_has_no_weak_symbols). -ffp-contract=off holds here too: the only
// fused operations are the explicit _mm256_fnmadd_pd / _mm256_fmsub_pd remainders.
// Correctness: bit-identical to the scalar definitions lane by lane, tested against
// quantize_reference() (tests/quantize_bulk_test.cpp).
#include "harness/quantize/quantize_scale_avx2.hpp"

#include <immintrin.h>

#include <cstdint>

namespace fp8check::detail {
namespace {

#define FP8C_KERNEL [[gnu::always_inline]] inline

// 64-bit lane masks (all ones / zero) to 32-bit ones, in lane order.
FP8C_KERNEL __m128i narrow_mask(__m256i m) {
  const __m256i pick = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(m, pick));
}

// One group of four: writes out[0..4) and returns true, or returns false for a group with
// a lane the scalar code must do.
FP8C_KERNEL bool exact_group(const double* x, __m256d s, bool multiply, float* out) {
  const __m256d zero = _mm256_setzero_pd();
  const __m256i one64 = _mm256_set1_epi64x(1);
  const __m256i exp64 = _mm256_set1_epi64x(0x7FF0000000000000);
  const __m256d abs64 = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
  const __m256d xv = _mm256_loadu_pd(x);
  // divide_round_to_odd / multiply_round_to_odd: the rounded value and the sign of
  // exact - rounded (the remainder scaled by s > 0), exact by the fused operation.
  __m256d q, r;
  if (multiply) {
    q = _mm256_mul_pd(xv, s);
    r = _mm256_fmsub_pd(xv, s, q);  // x * s - q
  } else {
    q = _mm256_div_pd(xv, s);
    r = _mm256_fnmadd_pd(q, s, xv);  // x - q * s
  }
  const __m256i qb = _mm256_castpd_si256(q);
  const __m256i not_finite = _mm256_cmpeq_epi64(_mm256_and_si256(qb, exp64), exp64);
  const __m256i inexact = _mm256_castpd_si256(_mm256_cmp_pd(r, zero, _CMP_NEQ_OQ));
  const __m256i q_zero = _mm256_castpd_si256(_mm256_cmp_pd(q, zero, _CMP_EQ_OQ));
  // make_odd: an even inexact value steps one ulp away from zero when the exact value is
  // beyond it (r and q of one sign), toward zero otherwise.
  const __m256i even = _mm256_cmpeq_epi64(_mm256_and_si256(qb, one64), _mm256_setzero_si256());
  const __m256i step = _mm256_and_si256(_mm256_and_si256(inexact, even), one64);
  const __m256i r_positive = _mm256_castpd_si256(_mm256_cmp_pd(r, zero, _CMP_GT_OQ));
  const __m256i q_negative = _mm256_cmpgt_epi64(_mm256_setzero_si256(), qb);
  const __m256i away = _mm256_xor_si256(r_positive, q_negative);
  const __m256i db =
      _mm256_blendv_epi8(_mm256_sub_epi64(qb, step), _mm256_add_epi64(qb, step), away);
  const __m256d d = _mm256_castsi256_pd(db);
  // round_to_odd_float: RNE to float, then an even inexact float steps toward d.
  const __m256d d_abs = _mm256_and_pd(d, abs64);
  const __m256i too_big = _mm256_castpd_si256(_mm256_cmp_pd(d_abs, _mm256_set1_pd(0x1.fffffep127), _CMP_GT_OQ));
  const __m128 f = _mm256_cvtpd_ps(d);
  const __m256d fd = _mm256_cvtps_pd(f);
  const __m128i fb = _mm_castps_si128(f);
  const __m128i f_inexact = narrow_mask(_mm256_castpd_si256(_mm256_cmp_pd(fd, d, _CMP_NEQ_OQ)));
  const __m128i f_up = narrow_mask(_mm256_castpd_si256(_mm256_cmp_pd(d_abs, _mm256_and_pd(fd, abs64), _CMP_GT_OQ)));
  const __m128i one32 = _mm_set1_epi32(1);
  const __m128i f_even = _mm_cmpeq_epi32(_mm_and_si128(fb, one32), _mm_setzero_si128());
  const __m128i f_step = _mm_and_si128(_mm_and_si128(f_inexact, f_even), one32);
  const __m128i f_zero = _mm_cmpeq_epi32(_mm_slli_epi32(fb, 1), _mm_setzero_si128());
  // Lanes for the scalar code: q not finite; q zero but inexact; d beyond FLT_MAX; the
  // float zero but inexact.
  const __m256i special64 =
      _mm256_or_si256(_mm256_or_si256(not_finite, _mm256_and_si256(q_zero, inexact)), too_big);
  const __m128i special = _mm_or_si128(narrow_mask(special64), _mm_and_si128(f_zero, f_inexact));
  if (_mm_movemask_ps(_mm_castsi128_ps(special)) != 0) return false;
  const __m128i ob = _mm_blendv_epi8(_mm_sub_epi32(fb, f_step), _mm_add_epi32(fb, f_step), f_up);
  _mm_storeu_ps(out, _mm_castsi128_ps(ob));
  return true;
}

}  // namespace

std::size_t avx2_scale_exact(const double* x, std::size_t n, double scale, bool multiply, float* out) {
  const __m256d s = _mm256_set1_pd(scale);
  std::size_t k = 0;
  for (; k + 4 <= n; k += 4)
    if (!exact_group(x + k, s, multiply, out + k)) return k;
  return k;
}

void avx2_scale_fp32(const double* x, std::size_t n, float factor, bool divide, int clamp, float limit, float* out) {
  const __m128 f = _mm_set1_ps(factor);
  const __m128 hi = _mm_set1_ps(limit), lo = _mm_set1_ps(-limit);
  std::size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    const __m128 xf = _mm256_cvtpd_ps(_mm256_loadu_pd(x + k));  // fl32(x), round to nearest even
    __m128 v = divide ? _mm_div_ps(xf, f) : _mm_mul_ps(xf, f);
    if (clamp != 0) {
      const __m128 nan = _mm_cmp_ps(v, v, _CMP_UNORD_Q);
      // maxps/minps return their second operand when either is NaN: NaN -> -limit.
      const __m128 clamped = _mm_min_ps(_mm_max_ps(v, lo), hi);
      v = clamp == 2 ? _mm_blendv_ps(clamped, hi, nan) : clamped;
    }
    _mm_storeu_ps(out + k, v);
  }
  for (; k < n; ++k) {  // the tail, one lane at a time with the same instructions
    const __m128 xf = _mm_cvtsd_ss(_mm_setzero_ps(), _mm_set_sd(x[k]));
    __m128 v = divide ? _mm_div_ss(xf, f) : _mm_mul_ss(xf, f);
    if (clamp != 0) {
      const __m128 nan = _mm_cmp_ss(v, v, _CMP_UNORD_Q);
      const __m128 clamped = _mm_min_ss(_mm_max_ss(v, lo), hi);
      v = clamp == 2 ? _mm_blendv_ps(clamped, hi, nan) : clamped;
    }
    out[k] = _mm_cvtss_f32(v);
  }
}

}  // namespace fp8check::detail
