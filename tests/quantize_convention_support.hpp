// Literal reimplementations of each library's quantization formula, written plainly from
// the sources quant_convention.cpp cites, independent of harness/quantize's code: fp32
// arithmetic is C++ float arithmetic (IEEE, round to nearest even, -ffp-contract=off),
// and the exact reference picks the nearest code by comparing exact residuals. Plus the
// inputs that make the conventions disagree: bf16 values placed on and next to the
// points where x / s is an e4m3 rounding midpoint.
#pragma once

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/generate/philox_stream.hpp"
#include "harness/quantize/quantize.hpp"

namespace fp8check::conventions_test {

constexpr float kInf = std::numeric_limits<float>::infinity();

// One group as the libraries see it: fp32 values (bf16 inputs upcast exactly).
struct GroupResult {
  std::vector<std::uint8_t> codes;
  float stored_scale = 0;  // the dequantization scale (TE: its scale_inv)
};

// cvt.rn.satfinite.e4m3x2.f32, __nv_fp8_e4m3(float): round to nearest even, saturate.
inline std::uint8_t cvt_satfinite(float v, Format f) { return static_cast<std::uint8_t>(encode(f, v, EncodeOptions{})); }
// c10 Float8_e4m3fn(float) (PyTorch's .to(torch.float8_e4m3fn)): nearest even, overflow -> NaN.
inline std::uint8_t torch_cast(float v, Format f) {
  return static_cast<std::uint8_t>(encode(f, v, EncodeOptions{Rounding::nearest_even, false, false}));
}

inline float absmax_nan_propagating(const std::vector<float>& g) {  // torch.amax
  float m = 0;
  for (float v : g) {
    if (std::isnan(v)) return v;
    m = std::max(m, std::fabs(v));
  }
  return m;
}
inline float absmax_fmaxf(const std::vector<float>& g, float start) {  // CUDA fmaxf folds
  float m = start;
  for (float v : g) m = std::fmax(m, std::fabs(v));
  return m;
}

// DeepGEMM deep_gemm/utils/math.py per_token_cast_to_fp8 / per_block_cast_to_fp8:
// amax.clamp(1e-4); sf = amax / 448; x * (1.0 / sf); .to(float8_e4m3fn).
inline GroupResult deepgemm(const std::vector<float>& g, Format f, float fmax, bool ue8m0) {
  float amax = absmax_nan_propagating(g);
  if (amax < 1e-4f) amax = 1e-4f;  // torch.clamp(min): NaN stays NaN
  float sf = amax / fmax;
  if (ue8m0 && std::isfinite(sf)) {  // ceil_to_ue8m0: 2^ceil(log2 sf) on the bit pattern
    std::uint32_t bits;
    std::memcpy(&bits, &sf, 4);
    int e = static_cast<int>((bits >> 23) & 0xFF) + ((bits & 0x7FFFFF) != 0 ? 1 : 0);
    e = std::clamp(e, 1, 254);
    bits = static_cast<std::uint32_t>(e) << 23;
    std::memcpy(&sf, &bits, 4);
  }
  const float inv = 1.0f / sf;
  GroupResult r{{}, sf};
  for (float v : g) r.codes.push_back(torch_cast(v * inv, f));
  return r;
}

// DeepGEMM tests/test_core.py (first releases): x * (448.0 / amax); scale amax / 448.
inline GroupResult deepgemm_legacy(const std::vector<float>& g, Format f, float fmax) {
  float amax = absmax_nan_propagating(g);
  if (amax < 1e-4f) amax = 1e-4f;
  const float mult = fmax / amax;
  GroupResult r{{}, amax / fmax};
  for (float v : g) r.codes.push_back(torch_cast(v * mult, f));
  return r;
}

// Transformer Engine compute_scale_from_amax + the fp32 cast: scale = fmax / amax with its
// special cases, scale_inv = 1 / scale, codes cvt(x * scale).
inline GroupResult transformer_engine(const std::vector<float>& g, Format f, float fmax, bool pow2, float eps = 0) {
  float amax = absmax_fmaxf(g, 0);
  if (amax < eps) amax = eps;
  float scale = 1;
  if (!(std::isinf(amax) || amax == 0 || std::isnan(amax))) {
    scale = fmax / amax;
    if (std::isinf(scale)) scale = FLT_MAX;
    if (pow2) {
      std::uint32_t bits;
      std::memcpy(&bits, &scale, 4);
      bits &= 0xFF800000u;
      std::memcpy(&scale, &bits, 4);
    }
  }
  GroupResult r{{}, 1.0f / scale};
  for (float v : g) r.codes.push_back(cvt_satfinite(v * scale, f));
  return r;
}

// vLLM per_token_group_quant_8bit_kernel (CUDA): absmax from eps with fmaxf; y_s =
// absmax / max; q = fminf(fmaxf(x / y_s, -max), max); 8-bit cast.
inline GroupResult vllm(const std::vector<float>& g, Format f, float fmax, bool ue8m0) {
  const float absmax = absmax_fmaxf(g, 1e-10f);
  float y_s = absmax / fmax;
  if (ue8m0) {  // per_token_group_quant_8bit_register_kernel: on the bit pattern
    y_s = std::fmax(std::fabs(y_s), 1e-10f);
    std::uint32_t bits;
    std::memcpy(&bits, &y_s, 4);
    bits = (((bits >> 23) & 0xFFu) + ((bits & 0x7FFFFFu) != 0 ? 1u : 0u)) << 23;
    std::memcpy(&y_s, &bits, 4);
  }
  GroupResult r{{}, y_s};
  for (float v : g) r.codes.push_back(cvt_satfinite(std::fmin(std::fmax(v / y_s, -fmax), fmax), f));
  return r;
}

// vLLM's Triton fallback, with each `/` (div.full.f32) as a * (1 / b), the reciprocal
// correctly rounded; tl.clamp as fmin.xorsign.abs (NaN -> +max).
inline GroupResult vllm_triton_model(const std::vector<float>& g, Format f, float fmax) {
  const float absmax = absmax_fmaxf(g, 1e-10f);
  const float y_s = absmax * (1.0f / fmax);
  const float inv = 1.0f / y_s;
  GroupResult r{{}, y_s};
  for (float v : g) {
    const float q = v * inv;
    r.codes.push_back(cvt_satfinite(std::isnan(q) ? fmax : std::copysign(std::fmin(std::fabs(q), fmax), q), f));
  }
  return r;
}

// The generic fp32 conventions (amax floor 0); an all-zero group gets fp8check's
// zero-block scale 1 instead of 0 / 0 (docs/recipes.md).
inline GroupResult mul_reciprocal_fp32(const std::vector<float>& g, Format f, float fmax) {
  const float amax = absmax_fmaxf(g, 0);
  const float q = amax == 0 ? 1.0f : fmax / amax;
  GroupResult r{{}, 1.0f / q};
  for (float v : g) r.codes.push_back(cvt_satfinite(v * q, f));
  return r;
}
inline GroupResult mul_inverse_scale_fp32(const std::vector<float>& g, Format f, float fmax) {
  const float amax = absmax_fmaxf(g, 0);
  const float s = amax == 0 ? 1.0f : amax / fmax;
  const float q = 1.0f / s;
  GroupResult r{{}, s};
  for (float v : g) r.codes.push_back(cvt_satfinite(v * q, f));
  return r;
}
inline GroupResult div_fp32(const std::vector<float>& g, Format f, float fmax) {
  const float amax = absmax_fmaxf(g, 0);
  const float s = amax == 0 ? 1.0f : amax / fmax;
  GroupResult r{{}, s};
  for (float v : g) r.codes.push_back(cvt_satfinite(v / s, f));
  return r;
}

// fp8check's exact convention, by its definition rather than its algorithm: s is amax /
// fmax correctly rounded to fp32 (A / 7 never lands on an fp32 midpoint after rounding
// to double, so the double quotient rounded to float is correct), and each code is the
// one whose value times s is nearest x, ties to the even code, saturating at max.
// decode(c) * s and x - decode(c) * s are exact in double for these operand widths.
inline std::uint8_t exact_code(double x, double s, Format f) {
  const FormatSpec spec = format_spec(f);
  if (std::isnan(x)) return static_cast<std::uint8_t>(encode(f, x));
  const bool negative = std::signbit(x);
  if (std::isinf(x)) return static_cast<std::uint8_t>(spec.max_magnitude_code() | (negative ? spec.sign_bit() : 0u));
  const double a = std::fabs(x);
  std::uint32_t best = 0;
  double best_residual = std::numeric_limits<double>::infinity();
  for (std::uint32_t c = 0; c <= spec.max_magnitude_code(); ++c) {
    const double residual = std::fabs(a - decode(f, c) * s);
    if (residual < best_residual || (residual == best_residual && (c & 1u) == 0)) {
      best = c;
      best_residual = residual;
    }
  }
  return static_cast<std::uint8_t>(negative ? (best | spec.sign_bit()) : best);  // -0 keeps its sign
}
inline GroupResult exact(const std::vector<float>& g, Format f, float fmax) {
  const double amax = absmax_fmaxf(g, 0);
  const auto s = static_cast<float>(amax / fmax);
  GroupResult r{{}, amax == 0 ? 1.0f : s};
  for (float v : g) r.codes.push_back(exact_code(v, r.stored_scale, f));
  return r;
}

// Runs `group` over 1 x bc (or br x bc) blocks of x (row-major blocks, like the libraries'
// reshapes) and assembles codes and a grid of stored scales.
struct Assembled {
  std::vector<std::uint8_t> codes;  // row-major
  std::vector<float> scales;        // grid row-major
};
inline Assembled by_blocks(const MatrixD& x, std::int64_t br, std::int64_t bc,
                           const std::function<GroupResult(const std::vector<float>&)>& group) {
  const std::int64_t gr = (x.rows() + br - 1) / br, gc = (x.cols() + bc - 1) / bc;
  Assembled out{std::vector<std::uint8_t>(static_cast<std::size_t>(x.size())), {}};
  for (std::int64_t bi = 0; bi < gr; ++bi)
    for (std::int64_t bj = 0; bj < gc; ++bj) {
      std::vector<float> g;
      std::vector<std::int64_t> where;
      for (std::int64_t i = bi * br; i < std::min(x.rows(), (bi + 1) * br); ++i)
        for (std::int64_t j = bj * bc; j < std::min(x.cols(), (bj + 1) * bc); ++j) {
          g.push_back(static_cast<float>(x(i, j)));
          where.push_back(i * x.cols() + j);
        }
      const GroupResult r = group(g);
      for (std::size_t k = 0; k < where.size(); ++k) out.codes[static_cast<std::size_t>(where[k])] = r.codes[k];
      out.scales.push_back(r.stored_scale);
    }
  return out;
}

inline double to_bf16(double v) { return decode(Format::bf16, encode(Format::bf16, v)); }

// A keyed activation with bf16 values (harness/generate: Philox, never std distributions).
inline MatrixD bf16_activation(std::int64_t rows, std::int64_t cols, std::uint64_t key,
                               const Distribution& d = Distribution::normal()) {
  MatrixD x(rows, cols);
  std::vector<double> v(static_cast<std::size_t>(rows * cols));
  generate(d, key, v);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) x(i, j) = to_bf16(v[static_cast<std::size_t>(i * cols + j)]);
  return x;
}

// Rows of `cols` elements, each a 1 x cols group built to land on ties and near-ties:
// element 0 is the group's amax A (a bf16 value from `amaxes`, with alternating sign);
// the others are bf16 values at and next to m * A / fmax for midpoints m between two
// adjacent codes. Where m * A / fmax is itself a bf16 value (A or m a multiple of 7, as
// fmax = 7 * 2^k), x * fmax / A is exactly the midpoint while s = fl32(A / fmax) is not
// exact: the exact quotient x / s is then a hair off the midpoint, and fp32 arithmetic
// rounds it onto the midpoint (a tie) or past it. That is where the conventions part.
inline MatrixD tie_rows(const std::vector<double>& amaxes, std::int64_t cols, Format f, std::uint64_t key) {
  const PhiloxStream rng(key);
  const double fmax = decode(f, format_spec(f).max_magnitude_code());
  MatrixD x(static_cast<std::int64_t>(amaxes.size()), cols);
  for (std::int64_t r = 0; r < x.rows(); ++r) {
    const double a = amaxes[static_cast<std::size_t>(r)];
    x(r, 0) = r % 2 ? -a : a;
    for (std::int64_t j = 1; j < cols; ++j) {
      const std::uint64_t bits = rng.bits64(static_cast<std::uint64_t>(r * cols + j));
      // A midpoint between two adjacent positive codes below max.
      const std::uint32_t c = static_cast<std::uint32_t>(bounded(bits, format_spec(f).max_magnitude_code()));
      const double m = (decode(f, c) + decode(f, c + 1)) / 2;
      const double t = m * a / fmax;  // a bf16 value exactly when fmax's factor 7 divides m * a
      double v = to_bf16(t);
      const int step = std::max(0, static_cast<int>((bits >> 40) % 4) - 1) * ((bits >> 42) & 1 ? 1 : -1);
      if (step != 0) v = decode(Format::bf16, encode(Format::bf16, v) + (step > 0 ? 1u : 0xFFFFFFFFu));
      if (!(std::fabs(v) <= a)) v = to_bf16(t) > a ? a : to_bf16(t);
      x(r, j) = (bits >> 63) ? -v : v;
    }
  }
  return x;
}

}  // namespace fp8check::conventions_test

namespace fp8check::conventions_test {

// Codes and scales that differ between two conventions on the same input and recipe.
struct Disagreement {
  std::int64_t codes = 0, scales = 0, elements = 0, blocks = 0;
  double code_rate() const { return static_cast<double>(codes) / static_cast<double>(elements); }
};
inline std::vector<std::uint8_t> codes_of(const QuantizedMatrix& q) { return q.codes.codes; }
inline QuantizedMatrix quantize_with(const MatrixD& x, const Recipe& r, const char* convention) {
  QuantizeOptions o;
  o.scale.convention = parse_quant_convention(convention);
  return quantize(x, r, o);
}
inline Disagreement disagreement(const QuantizedMatrix& a, const QuantizedMatrix& b) {
  Disagreement d;
  d.elements = static_cast<std::int64_t>(a.codes.codes.size());
  for (std::size_t k = 0; k < a.codes.codes.size(); ++k) d.codes += a.codes.codes[k] != b.codes.codes[k];
  const ScaleLayout& l = a.scales.layout;
  for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
    for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
      ++d.blocks;
      const float x = a.scales.value(gi, gj), y = b.scales.value(gi, gj);
      d.scales += std::memcmp(&x, &y, sizeof x) != 0;
    }
  return d;
}

}  // namespace fp8check::conventions_test
