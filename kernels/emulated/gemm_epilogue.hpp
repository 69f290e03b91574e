// What the fast emulated GEMM does after the K loop (docs/accumulation.md, "Split-K
// reduction", "Epilogue"), in T = float (models 1, 2) or double (model 3). The plain
// reference (gemm_emulated_reference.cpp) writes the same rules out on its own.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "harness/configs/gemm_config.hpp"
#include "harness/core/convert.hpp"
#include "harness/backend/gemm_problem.hpp"

namespace fp8check::detail {

// Split-K partials p[s * stride], s < count (<= 64), combined in the config's order:
// sequential ((p0 + p1) + p2) + ..., or tree: pairwise, level by level, left to right,
// an odd last element carried up unchanged.
template <typename T>
T reduce_partials(const T* p, std::int64_t count, std::int64_t stride, SplitKReduction how) {
  if (how == SplitKReduction::sequential || count <= 2) {
    T total = p[0];
    for (std::int64_t s = 1; s < count; ++s) total = total + p[s * stride];
    return total;
  }
  T level[64];
  for (std::int64_t s = 0; s < count; ++s) level[s] = p[s * stride];
  for (std::int64_t n = count; n > 1;) {
    std::int64_t next = 0;
    for (std::int64_t i = 0; i + 1 < n; i += 2) level[next++] = level[i] + level[i + 1];
    if (n % 2 == 1) level[next++] = level[n - 1];
    n = next;
  }
  return level[0];
}

// amax that propagates NaN (a NaN anywhere in D makes amax_D NaN).
inline double amax_combine(double amax, double magnitude) {
  if (std::isnan(amax) || std::isnan(magnitude)) return std::numeric_limits<double>::quiet_NaN();
  return magnitude > amax ? magnitude : amax;
}

// fp32 output bits; every NaN becomes the canonical 0x7FC00000, since NaN sign and payload
// depend on operand order and instruction choice (docs/formats.md: compare "is NaN", never NaN bits).
inline std::uint32_t fp32_output_bits(float t) { return std::isnan(t) ? 0x7FC00000u : std::bit_cast<std::uint32_t>(t); }

struct Epilogued {
  std::uint32_t bits = 0;  // D's code
  double magnitude = 0;    // |t|, for amax_D
};

// t = alpha * (acc * s_ab) [+ beta * c] [+ bias], with s_ab = (scale_a * scale_b) * tensor_ab:
// scale_a[m], scale_b[n] of outer recipes (1 and 1 for K-blocked ones: exact), tensor_ab =
// tensor_scale_a * tensor_scale_b. Then D = t converted (fp32: t; bf16/fp16: RNE, IEEE
// overflow; e4m3fn: encode(t * d_scale), satfinite RNE). `c` points at C's element (or is
// unused when beta == 0), `bias` at bias[n] (nullptr: none).
template <typename T>
Epilogued epilogue(const GemmProblem& p, T acc, T scale_a, T scale_b, T tensor_ab, const float* c, const float* bias) {
  const T s_ab = (scale_a * scale_b) * tensor_ab;
  T t = T(p.alpha) * (acc * s_ab);
  if (p.beta != 0.0f) t = t + T(p.beta) * T(*c);
  if (bias != nullptr) t = t + T(*bias);
  Epilogued r;
  r.magnitude = std::fabs(static_cast<double>(t));
  switch (p.output) {
    case OutputType::fp32: r.bits = fp32_output_bits(static_cast<float>(t)); break;
    case OutputType::bf16: r.bits = encode<Format::bf16>(static_cast<double>(t)); break;
    case OutputType::fp16: r.bits = encode<Format::fp16>(static_cast<double>(t)); break;
    case OutputType::e4m3fn: r.bits = encode<Format::e4m3fn>(static_cast<double>(t * T(p.d_scale))); break;
  }
  return r;
}

}  // namespace fp8check::detail
