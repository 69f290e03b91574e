// What the fast emulated GEMM does after the K loop (docs/accumulation.md, "Split-K
// reduction", "Epilogue"), in T = float (models 1, 2) or double (model 3). The plain
// reference (gemm_emulated_reference.cpp) writes the same rules out on its own.
// reduce_partials and epilogue_element are host and device code: fp8check's own CUDA GEMM
// (kernels/cuda/own) calls them, so its epilogue is this one by construction.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "harness/configs/gemm_config.hpp"
#include "harness/core/convert.hpp"
#include "harness/core/host_device.hpp"
#include "harness/backend/gemm_problem.hpp"

namespace fp8check::detail {

// Split-K partials p[s * stride], s < count (<= 64), combined in the config's order:
// sequential ((p0 + p1) + p2) + ..., or tree: pairwise, level by level, left to right,
// an odd last element carried up unchanged. reduce_partials_in_place overwrites p with
// the tree's levels (the CUDA kernels reduce in their workspace: no local array).
template <typename T>
FP8C_HD T reduce_sequential(const T* p, std::int64_t count, std::int64_t stride) {
  T total = p[0];
  for (std::int64_t s = 1; s < count; ++s) total = total + p[s * stride];
  return total;
}

template <typename T>
FP8C_HD T reduce_partials_in_place(T* p, std::int64_t count, std::int64_t stride, SplitKReduction how) {
  if (how == SplitKReduction::sequential || count <= 2) return reduce_sequential(p, count, stride);
  for (std::int64_t n = count; n > 1;) {
    std::int64_t next = 0;
    for (std::int64_t i = 0; i + 1 < n; i += 2) p[(next++) * stride] = p[i * stride] + p[(i + 1) * stride];
    if (n % 2 == 1) p[(next++) * stride] = p[(n - 1) * stride];
    n = next;
  }
  return p[0];
}

template <typename T>
FP8C_HD T reduce_partials(const T* p, std::int64_t count, std::int64_t stride, SplitKReduction how) {
  if (how == SplitKReduction::sequential || count <= 2) return reduce_sequential(p, count, stride);
  T level[64];
  for (std::int64_t s = 0; s < count; ++s) level[s] = p[s * stride];
  return reduce_partials_in_place(level, count, 1, how);
}

// amax that propagates NaN (a NaN anywhere in D makes amax_D NaN).
inline double amax_combine(double amax, double magnitude) {
  if (std::isnan(amax) || std::isnan(magnitude)) return std::numeric_limits<double>::quiet_NaN();
  return magnitude > amax ? magnitude : amax;
}

// fp32 output bits; every NaN becomes the canonical 0x7FC00000, since NaN sign and payload
// depend on operand order and instruction choice (docs/formats.md: compare "is NaN", never NaN bits).
FP8C_HD_INLINE std::uint32_t fp32_output_bits(float t) {
  std::uint32_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  return t != t ? 0x7FC00000u : bits;
}

struct Epilogued {
  std::uint32_t bits = 0;  // D's code
  double magnitude = 0;    // |t|, for amax_D
};

// The scalars of GemmProblem the epilogue reads (device code takes them by value).
struct EpilogueScalars {
  float alpha = 1.0f;
  float beta = 0.0f;  // C is read only when beta != 0 (BLAS convention)
  float d_scale = 1.0f;
  OutputType output = OutputType::fp32;
};

inline EpilogueScalars epilogue_scalars(const GemmProblem& p) { return {p.alpha, p.beta, p.d_scale, p.output}; }

// t = alpha * (acc * s_ab) [+ beta * c] [+ bias], with s_ab = (scale_a * scale_b) * tensor_ab:
// scale_a[m], scale_b[n] of outer recipes (1 and 1 for K-blocked ones: exact), tensor_ab =
// tensor_scale_a * tensor_scale_b. `c` points at C's element (or is unused when beta == 0),
// `bias` at bias[n] (nullptr: none). Every operation is one IEEE operation in T (no
// contraction: -ffp-contract=off, nvcc --fmad=false).
template <typename T>
FP8C_HD T epilogue_value(const EpilogueScalars& p, T acc, T scale_a, T scale_b, T tensor_ab, float c, bool has_bias,
                         float bias) {
  const T s_ab = (scale_a * scale_b) * tensor_ab;
  T t = T(p.alpha) * (acc * s_ab);
  if (p.beta != 0.0f) t = t + T(p.beta) * T(c);
  if (has_bias) t = t + T(bias);  // never + 0 for "no bias": -0 + 0 is +0
  return t;
}

// The same with C and bias read through pointers (the CPU kernels). Device code passes values:
// a pointer to a local makes nvcc keep it in local memory (a stack frame).
template <typename T>
FP8C_HD T epilogue_value(const EpilogueScalars& p, T acc, T scale_a, T scale_b, T tensor_ab, const float* c,
                         const float* bias) {
  return epilogue_value<T>(p, acc, scale_a, scale_b, tensor_ab, p.beta != 0.0f ? *c : 0.0f, bias != nullptr,
                           bias != nullptr ? *bias : 0.0f);
}

// D's code of t: fp32: t; bf16/fp16: RNE, IEEE overflow; e4m3fn: encode(t * d_scale),
// satfinite RNE (what cvt.rn.satfinite.e4m3x2.f32 does on sm_89+).
template <typename T>
FP8C_HD std::uint32_t output_code(const EpilogueScalars& p, T t) {
  switch (p.output) {
    case OutputType::fp32: return fp32_output_bits(static_cast<float>(t));
    case OutputType::bf16: return encode<Format::bf16>(static_cast<double>(t));
    case OutputType::fp16: return encode<Format::fp16>(static_cast<double>(t));
    case OutputType::e4m3fn: return encode<Format::e4m3fn>(static_cast<double>(t * T(p.d_scale)));
  }
  return 0;
}

// |t| for amax_D (NaN stays NaN).
template <typename T>
FP8C_HD double output_magnitude(T t) {
  return double_from_bits(bits_of(static_cast<double>(t)) & ~(std::uint64_t{1} << 63));
}

template <typename T>
FP8C_HD Epilogued epilogue_element(const EpilogueScalars& p, T acc, T scale_a, T scale_b, T tensor_ab, const float* c,
                                   const float* bias) {
  const T t = epilogue_value<T>(p, acc, scale_a, scale_b, tensor_ab, c, bias);
  return {output_code<T>(p, t), output_magnitude<T>(t)};
}

template <typename T>
Epilogued epilogue(const GemmProblem& p, T acc, T scale_a, T scale_b, T tensor_ab, const float* c, const float* bias) {
  return epilogue_element<T>(epilogue_scalars(p), acc, scale_a, scale_b, tensor_ab, c, bias);
}

}  // namespace fp8check::detail
