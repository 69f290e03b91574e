// AVX2 kernels of the generator (philox_bits.hpp). Built with -mavx2 only (never -mfma,
// and the project's -ffp-contract=off): every floating-point operation below is the same
// IEEE operation, in the same order, as the scalar code it mirrors, so the bits are equal.
// Nothing here may be an inline function or template shared with other units (the linker
// could keep this AVX2 copy for every caller): intrinsics and file-local functions only
// (tests/check_avx2_object.cmake checks the object).
#include "harness/generate/philox_bits.hpp"

#if FP8C_HAVE_AVX2_KERNELS

#include <immintrin.h>

#include "harness/generate/normal_quantile.hpp"
#include "harness/generate/normal_quantile_coefficients.hpp"
#include "harness/generate/portable_log_constants.hpp"

namespace fp8check::detail {
namespace {

// ---- Philox4x32-10 (Random123 <Random123/philox.h>) in 64-bit lanes ----------------------
// Each 64-bit lane holds one 32-bit counter word in its low half. _mm256_mul_epu32 reads only
// the low halves and returns the full 64-bit product, whose high half is mulhi and low half
// mullo. A word's high half may hold leftovers: it only ever reaches a multiplication or an
// xor whose result in turn only reaches a multiplication, until the last round's words are
// masked to their low halves.
constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // PHILOX_M4x32_0, _1
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // PHILOX_W32_0, _1 (key bumps)
constexpr int kRounds = 10;

struct Counters {
  __m256i c0, c1, c2, c3;
};

// Four consecutive counters {lo(i), hi(i), substream, 0}, i = first .. first + 3.
Counters counters_at(std::uint64_t first, std::uint32_t substream) {
  const __m256i index = _mm256_add_epi64(_mm256_set1_epi64x(static_cast<long long>(first)), _mm256_set_epi64x(3, 2, 1, 0));
  return {index, _mm256_srli_epi64(index, 32), _mm256_set1_epi64x(substream), _mm256_setzero_si256()};
}

// out = {hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0}, (hi0, lo0) = M0 * c0, (hi1, lo1) = M1 * c2.
void philox_round(Counters& x, __m256i m0, __m256i m1, __m256i k0, __m256i k1) {
  const __m256i p0 = _mm256_mul_epu32(x.c0, m0);
  const __m256i p1 = _mm256_mul_epu32(x.c2, m1);
  x.c0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x.c1), k0);
  x.c1 = p1;
  x.c2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x.c3), k1);
  x.c3 = p0;
}

// Words (w_lo | w_hi << 32) from two lanes' low halves.
__m256i join_words(__m256i lo_word, __m256i hi_word) {
  const __m256i low_half = _mm256_set1_epi64x(0xFFFFFFFFll);
  return _mm256_or_si256(_mm256_and_si256(lo_word, low_half), _mm256_slli_epi64(hi_word, 32));
}

// ---- portable_log and normal_quantile, four lanes ------------------------------------------
// Mirrors of harness/generate/portable_log.cpp and normal_quantile.cpp (same constants, same
// operation order). Lanes outside what is mirrored are flagged for the scalar function.

__m256d set(double x) { return _mm256_set1_pd(x); }
__m256d mul(__m256d a, __m256d b) { return _mm256_mul_pd(a, b); }
__m256d add(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }
__m256d sub(__m256d a, __m256d b) { return _mm256_sub_pd(a, b); }
__m256d select(__m256d mask, __m256d if_set, __m256d if_clear) { return _mm256_blendv_pd(if_clear, if_set, mask); }

// Horner, c[0] + c[1] x + ... + c[7] x^7, as poly7 in normal_quantile.cpp.
__m256d poly7(const double (&c)[8], __m256d x) {
  __m256d acc = set(c[7]);
  for (int i = 6; i >= 0; --i) acc = add(mul(acc, x), set(c[i]));
  return acc;
}

// Exact conversions for integers the scalar code converts exactly: u < 2^52 and |k| < 2^51,
// placed in the significand of 2^52 (resp. 1.5 * 2^52), whose subtraction is then exact.
__m256d from_u52(__m256i u) {
  return sub(_mm256_castsi256_pd(_mm256_or_si256(u, _mm256_set1_epi64x(0x4330000000000000ll))), set(0x1p52));
}
__m256d from_small_int(__m256i k) {
  return sub(_mm256_castsi256_pd(_mm256_add_epi64(k, _mm256_set1_epi64x(0x4338000000000000ll))), set(0x1.8p52));
}

using namespace ppnd16;       // kA ... kD (normal_quantile_coefficients.hpp)
using namespace fdlibm_log;   // kLn2Hi, kLn2Lo, kLg1 ... kLg7 (portable_log_constants.hpp)

// portable_log(x) for positive normal x with a nonzero exponent k (after reduction) and
// |f| >= 2^-20; other lanes are added to *scalar_lanes (a mask).
__m256d log_positive_normal(__m256d x, __m256d* scalar_lanes) {
  const __m256i bits = _mm256_castpd_si256(x);
  const __m256i frac_hi = _mm256_and_si256(_mm256_srli_epi64(bits, 32), _mm256_set1_epi64x(0x000FFFFF));
  // m >= sqrt(2) takes m / 2 (exponent field 0x3FE) and k + 1.
  const __m256i halve = _mm256_cmpeq_epi64(
      _mm256_and_si256(_mm256_add_epi64(frac_hi, _mm256_set1_epi64x(0x95f64)), _mm256_set1_epi64x(0x100000)),
      _mm256_set1_epi64x(0x100000));
  const __m256i k = _mm256_sub_epi64(_mm256_sub_epi64(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(1023)), halve);
  const __m256i exponent_field = _mm256_add_epi64(_mm256_set1_epi64x(0x3FF), halve);  // halve is -1 or 0
  const __m256d reduced = _mm256_castsi256_pd(_mm256_or_si256(
      _mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFll)), _mm256_slli_epi64(exponent_field, 52)));
  const __m256d f = sub(reduced, set(1.0));
  const __m256d dk = from_small_int(k);

  const __m256i near_one = _mm256_cmpgt_epi64(
      _mm256_set1_epi64x(3), _mm256_and_si256(_mm256_add_epi64(frac_hi, _mm256_set1_epi64x(2)), _mm256_set1_epi64x(0x000FFFFF)));
  const __m256i k_zero = _mm256_cmpeq_epi64(k, _mm256_setzero_si256());
  *scalar_lanes = _mm256_or_pd(*scalar_lanes, _mm256_castsi256_pd(_mm256_or_si256(near_one, k_zero)));

  const __m256d s = _mm256_div_pd(f, add(set(2.0), f));
  const __m256d z = mul(s, s);
  const __m256d w = mul(z, z);
  const __m256d t1 = mul(w, add(set(kLg2), mul(w, add(set(kLg4), mul(w, set(kLg6))))));
  const __m256d t2 = mul(z, add(set(kLg1), mul(w, add(set(kLg3), mul(w, add(set(kLg5), mul(w, set(kLg7))))))));
  const __m256d r = add(t2, t1);
  const __m256i far_from_one = _mm256_and_si256(_mm256_cmpgt_epi64(frac_hi, _mm256_set1_epi64x(0x6147a - 1)),
                                                _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x6b851 + 1), frac_hi));
  // far:  dk * ln2hi - ((hfsq - (s * (hfsq + r) + dk * ln2lo)) - f), hfsq = 0.5 * f * f
  const __m256d hfsq = mul(mul(set(0.5), f), f);
  const __m256d far = sub(mul(dk, set(kLn2Hi)),
                          sub(sub(hfsq, add(mul(s, add(hfsq, r)), mul(dk, set(kLn2Lo)))), f));
  // near: dk * ln2hi - ((s * (f - r) - dk * ln2lo) - f)
  const __m256d near = sub(mul(dk, set(kLn2Hi)), sub(sub(mul(s, sub(f, r)), mul(dk, set(kLn2Lo))), f));
  return select(_mm256_castsi256_pd(far_from_one), far, near);
}

// unit_open: ((bits >> 12) + 0.5) * 2^-52, each step exact.
__m256d unit_open4(const std::uint64_t* bits) {
  const __m256i u = _mm256_srli_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(bits)), 12);
  return mul(add(from_u52(u), set(0.5)), set(0x1p-52));
}

// normal_quantile's central region, |p - 1/2| <= 0.425: q * A(r) / B(r), r = 0.180625 - q^2.
// Returns the mask of the lanes in that region.
__m256d central_quantile4(__m256d p, __m256d* z) {
  const __m256d q = sub(p, set(0.5));
  const __m256d r = sub(set(0.180625), mul(q, q));
  *z = _mm256_div_pd(mul(q, poly7(kA, r)), poly7(kB, r));
  return _mm256_cmp_pd(_mm256_andnot_pd(set(-0.0), q), set(0.425), _CMP_LE_OQ);
}

// normal_quantile's tail, |p - 1/2| > 0.425, down to r = sqrt(-log(tail)) <= 5 (p ~ 1.4e-11);
// lanes beyond, or in log's short branch, are returned in *scalar_lanes.
__m256d tail_quantile4(__m256d p, __m256d* scalar_lanes) {
  const __m256d sign = set(-0.0);
  const __m256d negative = _mm256_cmp_pd(sub(p, set(0.5)), set(0.0), _CMP_LT_OQ);
  const __m256d tail = select(negative, p, sub(set(1.0), p));
  __m256d log_scalar = _mm256_setzero_pd();
  const __m256d r = _mm256_sqrt_pd(_mm256_xor_pd(log_positive_normal(tail, &log_scalar), sign));  // sqrt(-log)
  const __m256d rt = sub(r, set(1.6));
  const __m256d z = _mm256_div_pd(poly7(kC, rt), poly7(kD, rt));
  *scalar_lanes = _mm256_or_pd(log_scalar, _mm256_cmp_pd(r, set(5.0), _CMP_NLE_UQ));
  return select(negative, _mm256_xor_pd(z, sign), z);
}

// Up to kBatch elements: the central region for all of them (no branch), then the tail
// elements (about 15 %) gathered into groups of four, so that no lane computes both.
constexpr std::size_t kBatch = 256;

void standard_normal_batch(const std::uint64_t* bits, std::size_t n, double* out) {
  alignas(32) std::uint64_t padded[kBatch + 4];
  std::size_t tail_index[kBatch + 4];
  std::size_t tails = 0;
  const std::size_t groups = (n + 3) / 4;
  for (std::size_t i = 0; i < n; ++i) padded[i] = bits[i];
  for (std::size_t i = n; i < groups * 4; ++i) padded[i] = std::uint64_t{1} << 63;  // p = 1/2: central
  for (std::size_t g = 0; g < groups; ++g) {
    __m256d z;
    const int central = _mm256_movemask_pd(central_quantile4(unit_open4(padded + 4 * g), &z));
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, z);
    for (int i = 0; i < 4; ++i) {  // branch-free compaction of the tail lanes
      const std::size_t j = 4 * g + static_cast<std::size_t>(i);
      if (j < n) out[j] = lanes[i];
      tail_index[tails] = j;
      tails += static_cast<std::size_t>(((central >> i) & 1) ^ 1);
    }
  }
  for (std::size_t t = 0; t < tails; t += 4) {
    const std::size_t count = tails - t < 4 ? tails - t : 4;
    alignas(32) std::uint64_t lane_bits[4];
    for (std::size_t i = 0; i < 4; ++i) lane_bits[i] = padded[tail_index[t + (i < count ? i : 0)]];
    const __m256d p = unit_open4(lane_bits);
    __m256d scalar_lanes;
    alignas(32) double z[4], lane_p[4];
    _mm256_store_pd(z, tail_quantile4(p, &scalar_lanes));
    const int scalar_mask = _mm256_movemask_pd(scalar_lanes);
    if (scalar_mask != 0) _mm256_store_pd(lane_p, p);
    for (std::size_t i = 0; i < count; ++i)
      out[tail_index[t + i]] = (scalar_mask >> i) & 1 ? normal_quantile(lane_p[i]) : z[i];
  }
}

}  // namespace

void avx2_philox_bits(std::uint64_t key, std::uint32_t substream, std::uint64_t first, std::size_t n,
                      std::uint64_t* lo, std::uint64_t* hi) {
  std::uint32_t k0 = static_cast<std::uint32_t>(key), k1 = static_cast<std::uint32_t>(key >> 32);
  __m256i round_k0[kRounds], round_k1[kRounds];
  for (int r = 0; r < kRounds; ++r) {  // the key of round r: the key bumped r times
    round_k0[r] = _mm256_set1_epi64x(k0);
    round_k1[r] = _mm256_set1_epi64x(k1);
    k0 += kW0;
    k1 += kW1;
  }
  const __m256i m0 = _mm256_set1_epi64x(kM0), m1 = _mm256_set1_epi64x(kM1);
  std::size_t j = 0;
  for (; j < n; j += 8) {  // two groups of four blocks, interleaved for the multiplier's latency
    Counters a = counters_at(first + j, substream), b = counters_at(first + j + 4, substream);
    for (int r = 0; r < kRounds; ++r) {
      philox_round(a, m0, m1, round_k0[r], round_k1[r]);
      philox_round(b, m0, m1, round_k0[r], round_k1[r]);
    }
    alignas(32) std::uint64_t out_lo[8], out_hi[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(out_lo), join_words(a.c0, a.c1));
    _mm256_store_si256(reinterpret_cast<__m256i*>(out_lo + 4), join_words(b.c0, b.c1));
    _mm256_store_si256(reinterpret_cast<__m256i*>(out_hi), join_words(a.c2, a.c3));
    _mm256_store_si256(reinterpret_cast<__m256i*>(out_hi + 4), join_words(b.c2, b.c3));
    const std::size_t count = n - j < 8 ? n - j : 8;
    for (std::size_t i = 0; i < count; ++i) {
      lo[j + i] = out_lo[i];
      if (hi != nullptr) hi[j + i] = out_hi[i];
    }
  }
}

void avx2_standard_normal(const std::uint64_t* bits, std::size_t n, double* out) {
  for (std::size_t j = 0; j < n; j += kBatch) standard_normal_batch(bits + j, n - j < kBatch ? n - j : kBatch, out + j);
}

}  // namespace fp8check::detail

#endif  // FP8C_HAVE_AVX2_KERNELS
