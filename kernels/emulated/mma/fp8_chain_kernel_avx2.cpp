// The FP8 chain kernel (fp8_chain_kernel.hpp) with AVX2: a step of one row is 32 lanes in
// four 8-lane vectors, Emax in one 32-lane 8-bit vector. Built with -mavx2 only (no -mfma:
// the product and its scaling are two roundings-free multiplies, as written); the one FMA,
// the scaled promotion, is a function of its own with target("fma"). Called only after a
// run-time CPU check. Uses no standard-library or shared inline code.
#include <immintrin.h>

#include "kernels/emulated/mma/fp8_chain_kernel.hpp"

namespace fp8check::detail {
namespace {

constexpr int L = kFp8PanelLanes;

#define FP8C_INLINE inline __attribute__((always_inline))

FP8C_INLINE __m256i load_i(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
FP8C_INLINE void store_i(void* p, __m256i v) { _mm256_storeu_si256(static_cast<__m256i*>(p), v); }

// One fused step of one row on the lanes: partial = step(c = partial). False (partial
// untouched) when the lanes cannot give the model's bits: a NaN/inf c, or a d that is
// subnormal or overflows.
// `a` is the packed offset of the row's step (fp8_chain_kernel.hpp); STEP = p.step_k.
template <int STEP>
bool lane_step(const Fp8ChainPanel& p, std::int64_t a, std::int64_t step, std::uint32_t* partial) {
  const std::int64_t k0 = step * STEP;
  // Emax of the products: max over k of e_a + e_b (saturating 8-bit adds), in two chains.
  const std::int8_t* ea = p.a_exponents + a;
  const std::int8_t* eb = p.b_exponents + k0 * L;
  __m256i even = _mm256_set1_epi8(-128), odd = even;
  for (int kk = 0; kk < STEP; kk += 2) {
    even = _mm256_max_epi8(even, _mm256_adds_epi8(_mm256_set1_epi8(ea[kk]), load_i(eb + kk * L)));
    odd = _mm256_max_epi8(odd, _mm256_adds_epi8(_mm256_set1_epi8(ea[kk + 1]), load_i(eb + (kk + 1) * L)));
  }
  const __m256i emax8 = _mm256_max_epi8(even, odd);
  const __m128i lo = _mm256_castsi256_si128(emax8), hi = _mm256_extracti128_si256(emax8, 1);
  const __m256i product_emax[4] = {_mm256_cvtepi8_epi32(lo), _mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)),
                                   _mm256_cvtepi8_epi32(hi), _mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8))};
  const __m256i f = _mm256_set1_epi32(p.fraction_bits);
  const __m256i field_mask = _mm256_set1_epi32(0xFF);
  __m256i emax[4], sum[4];
  __m256 scale[4];
  for (int v = 0; v < 4; ++v) {
    const __m256i c = load_i(partial + 8 * v);
    const __m256i field = _mm256_and_si256(_mm256_srli_epi32(c, 23), field_mask);
    if (_mm256_movemask_epi8(_mm256_cmpeq_epi32(field, field_mask)) != 0) return false;  // NaN or inf c
    const __m256i ec = _mm256_sub_epi32(_mm256_max_epi32(field, _mm256_set1_epi32(1)), _mm256_set1_epi32(127));
    emax[v] = _mm256_max_epi32(product_emax[v], ec);
    // c's term: its integer significand (23 fraction bits) shifted to F bits below Emax.
    const __m256i normal = _mm256_andnot_si256(_mm256_cmpeq_epi32(field, _mm256_setzero_si256()), _mm256_set1_epi32(0x800000));
    const __m256i significand = _mm256_or_si256(_mm256_and_si256(c, _mm256_set1_epi32(0x7FFFFF)), normal);
    const __m256i shift = _mm256_sub_epi32(_mm256_add_epi32(_mm256_sub_epi32(emax[v], ec), _mm256_set1_epi32(23)), f);
    const __m256i term = _mm256_srlv_epi32(significand, shift);
    const __m256i negative = _mm256_srai_epi32(c, 31);
    sum[v] = _mm256_sub_epi32(_mm256_xor_si256(term, negative), negative);
    // 2^(F - Emax); F - Emax > 127 only when every product is zero, where any scale does.
    const __m256i exponent = _mm256_min_epi32(_mm256_sub_epi32(f, emax[v]), _mm256_set1_epi32(127));
    scale[v] = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(exponent, _mm256_set1_epi32(127)), 23));
  }
  // The products' terms: trunc(a * b * 2^(F - Emax)), both products exact.
  const float* av = p.a_values + a;
  const float* bv = p.b_values + k0 * L;
  for (int kk = 0; kk < STEP; ++kk) {
    const __m256 a = _mm256_broadcast_ss(av + kk);
    const float* b = bv + kk * L;
    sum[0] = _mm256_add_epi32(sum[0], _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_mul_ps(a, _mm256_loadu_ps(b)), scale[0])));
    sum[1] = _mm256_add_epi32(sum[1], _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_mul_ps(a, _mm256_loadu_ps(b + 8)), scale[1])));
    sum[2] = _mm256_add_epi32(sum[2], _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_mul_ps(a, _mm256_loadu_ps(b + 16)), scale[2])));
    sum[3] = _mm256_add_epi32(sum[3], _mm256_cvttps_epi32(_mm256_mul_ps(_mm256_mul_ps(a, _mm256_loadu_ps(b + 24)), scale[3])));
  }
  // d: the sum converted exactly (|sum| < 2^24), its fraction truncated to D bits, its
  // exponent field moved by Emax - F; zero is +0.
  const __m256i keep = _mm256_set1_epi32(static_cast<int>(~((1u << (23 - p.output_bits)) - 1u)));
  __m256i out[4];
  for (int v = 0; v < 4; ++v) {
    const __m256i bits = _mm256_and_si256(_mm256_castps_si256(_mm256_cvtepi32_ps(sum[v])), keep);
    const __m256i move = _mm256_sub_epi32(emax[v], f);
    const __m256i field = _mm256_add_epi32(_mm256_and_si256(_mm256_srli_epi32(bits, 23), field_mask), move);
    const __m256i zero = _mm256_cmpeq_epi32(sum[v], _mm256_setzero_si256());
    // Subnormal results, and results of 2^53 or more (rounded to nearest, not truncated:
    // mma_output.hpp), go to the scalar model: biased exponents outside [1, 127 + 52].
    const __m256i outside = _mm256_or_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(1), field),
                                            _mm256_cmpgt_epi32(field, _mm256_set1_epi32(127 + 52)));
    if (_mm256_movemask_epi8(_mm256_andnot_si256(zero, outside)) != 0) return false;
    out[v] = _mm256_andnot_si256(zero, _mm256_add_epi32(bits, _mm256_slli_epi32(move, 23)));
  }
  for (int v = 0; v < 4; ++v) store_i(partial + 8 * v, out[v]);
  return true;
}

// sum = fl32(sum + partial) (a NaN is 0x7FFFFFFF), partial = +0.
FP8C_INLINE void promote(float* sum, std::uint32_t* partial) {
  for (int v = 0; v < 4; ++v) {
    const __m256 s = _mm256_add_ps(_mm256_loadu_ps(sum + 8 * v), _mm256_castsi256_ps(load_i(partial + 8 * v)));
    const __m256 nan = _mm256_cmp_ps(s, s, _CMP_UNORD_Q);
    _mm256_storeu_ps(sum + 8 * v, _mm256_blendv_ps(s, _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF)), nan));
    store_i(partial + 8 * v, _mm256_setzero_si256());
  }
}

// sum = fma(fl32(scale_a * scale_b[lane]), partial, sum), one rounding (an FFMA; a NaN is
// 0x7FFFFFFF), partial = +0. The only function here that needs FMA: the caller checked it.
__attribute__((target("avx2,fma"), noinline)) void promote_scaled(float* sum, std::uint32_t* partial, float scale_a,
                                                                  const float* scale_b) {
  for (int v = 0; v < 4; ++v) {
    const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(scale_a), _mm256_loadu_ps(scale_b + 8 * v));
    const __m256 s = _mm256_fmadd_ps(scale, _mm256_castsi256_ps(load_i(partial + 8 * v)), _mm256_loadu_ps(sum + 8 * v));
    const __m256 nan = _mm256_cmp_ps(s, s, _CMP_UNORD_Q);
    _mm256_storeu_ps(sum + 8 * v, _mm256_blendv_ps(s, _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF)), nan));
    store_i(partial + 8 * v, _mm256_setzero_si256());
  }
}

}  // namespace

void fp8_chain_panel_avx2(const Fp8ChainPanel& p) {
  constexpr int B = kFp8RowBlock;
  const std::int64_t steps = p.k / p.step_k;
  alignas(32) std::uint32_t partial[B][L];
  alignas(32) float sum[B][L];
  for (std::int64_t block = p.block_begin; block < p.block_end; ++block) {
    const std::int64_t first = block * B;
    const int rows = p.m - first < B ? static_cast<int>(p.m - first) : B;
    for (int r = 0; r < B; ++r) {
      const std::uint32_t* c = p.c != nullptr && r < rows ? p.c + (first - p.block_begin * B + r) * L : nullptr;
      for (int v = 0; v < 4; ++v) {
        store_i(partial[r] + 8 * v, c != nullptr ? load_i(c + 8 * v) : _mm256_setzero_si256());
        _mm256_storeu_ps(sum[r] + 8 * v, _mm256_setzero_ps());
      }
    }
    for (std::int64_t w = 0; w < p.window_count; ++w) {
      const Fp8Window& window = p.windows[w];
      for (std::int64_t s = window.begin; s < window.end; ++s) {
        const std::int64_t at = (block * steps + s) * B;
        for (int r = 0; r < rows; ++r) {
          const bool covered = p.b_special[s] == 0 && p.a_special[at + r] == 0 &&
                               (p.step_k == 32 ? lane_step<32>(p, (at + r) * 32, s, partial[r])
                                               : lane_step<16>(p, (at + r) * 16, s, partial[r]));
          if (!covered) p.scalar_step(p.context, first + r, s, partial[r]);
        }
      }
      for (int r = 0; r < rows && p.promote; ++r) {
        if (p.promote_a == nullptr)
          promote(sum[r], partial[r]);
        else
          promote_scaled(sum[r], partial[r], p.promote_a[(first + r) * p.promote_groups_a + window.group_a],
                         p.promote_b + window.group_b * L);
      }
    }
    for (int r = 0; r < rows; ++r) {
      std::uint32_t* d = p.d + (first - p.block_begin * B + r) * L;
      for (int v = 0; v < 4; ++v)
        store_i(d + 8 * v, p.promote ? _mm256_castps_si256(_mm256_loadu_ps(sum[r] + 8 * v)) : load_i(partial[r] + 8 * v));
    }
  }
}

}  // namespace fp8check::detail
