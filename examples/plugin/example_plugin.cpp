// An example plug-in backend (docs/plugins.md): a kernel that lives outside fp8check,
// written in C++ behind the C ABI of fp8check/plugin.h, judged like every other backend:
//
//   fp8check run examples/plugin/plugin_example.toml --backend-lib build/examples/plugin/libfp8check_example_plugin.so
//
// GEMM: a plain loop nest with FP32 accumulation over the decoded operands, in K tiles of
// the config's block_k with block scales applied per tile (e4m3fn and e5m2 codes, any
// block scales, dense and batched, fp32 and bf16 outputs; split-K is not used).
// Quantize: per-tensor e4m3fn scaling, s = amax / 448, codes rounded to nearest even with
// saturation. No attention kernel. Everything else is declined with the reason, so those
// cases are skipped, not failed. Its own decoder and encoder: nothing from fp8check but
// the header.
#include <fp8check/plugin.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

// Built with another value, it is the "wrong ABI" plug-in fp8check must refuse.
#ifndef EXAMPLE_PLUGIN_ABI_VERSION
#define EXAMPLE_PLUGIN_ABI_VERSION FP8CHECK_PLUGIN_ABI_VERSION
#endif

namespace {

int say(char* message, std::size_t size, int status, const std::string& text) {
  std::snprintf(message, size, "%s", text.c_str());
  return status;
}

// A C++ kernel must not let an exception cross the C boundary.
template <class F>
int guarded(char* message, std::size_t size, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return say(message, size, FP8CHECK_PLUGIN_ERROR, std::string("example plug-in: ") + e.what());
  } catch (...) {
    return say(message, size, FP8CHECK_PLUGIN_ERROR, "example plug-in: unknown exception");
  }
}

// OCP FP8 decoding: E4M3 (bias 7, no inf, S.1111.111 is NaN) and E5M2 (bias 15, IEEE).
struct Minifloat {
  int exp_bits, man_bits, bias;
  bool ieee_specials;
};
constexpr Minifloat kE4m3fn{4, 3, 7, false}, kE5m2{5, 2, 15, true};

bool minifloat_of(const char* name, Minifloat& f) {
  if (std::strcmp(name, "e4m3fn") == 0) return f = kE4m3fn, true;
  if (std::strcmp(name, "e5m2") == 0) return f = kE5m2, true;
  return false;
}

double decode(const Minifloat& f, unsigned code) {
  const unsigned exp_max = (1u << f.exp_bits) - 1, man_max = (1u << f.man_bits) - 1;
  const bool negative = (code >> (f.exp_bits + f.man_bits)) & 1u;
  const unsigned e = (code >> f.man_bits) & exp_max, m = code & man_max;
  double v;
  if (f.ieee_specials && e == exp_max) v = m ? NAN : INFINITY;
  else if (!f.ieee_specials && e == exp_max && m == man_max) v = NAN;
  else if (e == 0) v = std::ldexp(static_cast<double>(m), 1 - f.bias - f.man_bits);
  else v = std::ldexp(static_cast<double>((1u << f.man_bits) + m), static_cast<int>(e) - f.bias - f.man_bits);
  return negative ? -v : v;
}

// E4M3 (OCP) with round-to-nearest-even and saturation to +-448; NaN -> 0x7F.
unsigned encode_e4m3fn(double v) {
  if (std::isnan(v)) return 0x7F;
  const unsigned sign = std::signbit(v) ? 0x80u : 0u;
  double a = std::fabs(v);
  if (a >= 448) return sign | 0x7E;
  int e;
  std::frexp(a, &e);            // a = f * 2^e, f in [0.5, 1): a's exponent is e - 1
  const int exponent = std::max(e - 1, -6);  // below 2^-6: subnormal steps of 2^-9
  const double step = std::ldexp(1.0, exponent - 3);
  a = std::nearbyint(a / step) * step;       // ties to even under the default rounding mode
  if (a == 0) return sign;
  std::frexp(a, &e);
  if (e - 1 < -6) return sign | static_cast<unsigned>(a / std::ldexp(1.0, -9));
  const int biased = e - 1 + 7;
  const unsigned man = static_cast<unsigned>(a / std::ldexp(1.0, e - 1 - 3)) - 8u;
  return sign | static_cast<unsigned>(biased) << 3 | man;
}

unsigned bf16_bits(float v) {
  std::uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  if (std::isnan(v)) return 0x7FC0u;
  return (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;  // round to nearest even
}

// ---- GEMM ----

struct OperandReader {
  const fp8check_gemm_operand& op;
  Minifloat format;

  // The decoded element (exact in float for every FP8 format).
  float element(std::int64_t batch, std::int64_t mn, std::int64_t k) const {
    const std::int64_t at = batch * op.batch_stride + (op.k_major ? mn * op.ld + k : k * op.ld + mn);
    return static_cast<float>(decode(format, op.codes[at]));
  }
  float scale(std::int64_t batch, std::int64_t mn, std::int64_t k) const {
    const fp8check_block_scales& s = op.scales;
    if (s.data == nullptr) return 1.0f;
    const std::int64_t i = s.block_mn > 0 ? mn / s.block_mn : 0, j = s.block_k > 0 ? k / s.block_k : 0;
    return s.data[batch * s.batch_stride + i * s.stride_mn + j * s.stride_k];
  }
  // The next K where this operand's scale changes (K when it never does).
  std::int64_t next_group(std::int64_t k, std::int64_t K) const {
    const std::int64_t g = op.scales.data ? op.scales.block_k : 0;
    return g > 0 ? std::min(K, (k / g + 1) * g) : K;
  }
};

int can_implement_gemm(const fp8check_gemm_args* a, char* message, std::size_t size) {
  Minifloat f;
  const fp8check_gemm_problem& p = a->problem;
  if (std::strcmp(p.kind, "dense") != 0 && std::strcmp(p.kind, "batched") != 0)
    return say(message, size, FP8CHECK_PLUGIN_DECLINED,
               std::string("the example plug-in runs dense and batched GEMMs only, not ") + p.kind);
  if (!a->a.codes || !a->b.codes || !minifloat_of(a->a.format, f) || !minifloat_of(a->b.format, f))
    return say(message, size, FP8CHECK_PLUGIN_DECLINED,
               std::string("the example plug-in decodes e4m3fn and e5m2 codes only, not ") + a->a.format + " x " +
                   a->b.format);
  if (std::strcmp(p.output_type, "fp32") != 0 && std::strcmp(p.output_type, "bf16") != 0)
    return say(message, size, FP8CHECK_PLUGIN_DECLINED,
               std::string("the example plug-in writes fp32 and bf16 outputs only, not ") + p.output_type);
  if (std::strcmp(a->kernel_model, "fp32") != 0)
    return say(message, size, FP8CHECK_PLUGIN_DECLINED,
               std::string("the example plug-in accumulates in FP32 only, not ") + a->kernel_model);
  return FP8CHECK_PLUGIN_OK;
}

int run_gemm(const fp8check_gemm_args* a, fp8check_gemm_output* out, char* message, std::size_t size) {
  return guarded(message, size, [&] {
    const fp8check_gemm_problem& p = a->problem;
    Minifloat fa, fb;
    minifloat_of(a->a.format, fa);
    minifloat_of(a->b.format, fb);
    const OperandReader A{a->a, fa}, B{a->b, fb};
    const bool batched = std::strcmp(p.kind, "batched") == 0;
    const bool k_blocked = (a->a.scales.data && a->a.scales.block_k > 0) || (a->b.scales.data && a->b.scales.block_k > 0);
    const std::int64_t tile = a->config.block_k > 0 ? a->config.block_k : p.k;
    const float tensor_scale = a->a.tensor_scale * a->b.tensor_scale;
    double amax = 0;
    for (std::int64_t g = 0; g < (batched ? p.groups : 1); ++g)
      for (std::int64_t i = 0; i < p.m; ++i)
        for (std::int64_t j = 0; j < p.n; ++j) {
          // FP32 accumulation as FP8 tensor-core kernels do it: K in tiles of block_k, cut
          // where a scale changes; each segment's sum is scaled (K-blocked scales) and
          // added to the accumulator. Per-tensor/row/column scales wait for the epilogue.
          float acc = 0.0f;
          for (std::int64_t k0 = 0; k0 < p.k;) {
            const std::int64_t k1 = std::min({(k0 / tile + 1) * tile, A.next_group(k0, p.k), B.next_group(k0, p.k)});
            float segment = 0.0f;
            for (std::int64_t k = k0; k < k1; ++k) segment += A.element(g, i, k) * B.element(g, j, k);
            acc += k_blocked ? segment * (A.scale(g, i, k0) * B.scale(g, j, k0)) : segment;
            k0 = k1;
          }
          const float outer = k_blocked ? 1.0f : A.scale(g, i, 0) * B.scale(g, j, 0);
          float t = p.alpha * (acc * (outer * tensor_scale));
          if (p.beta != 0.0f) t += p.beta * p.c[g * p.c_batch_stride + i * p.ldc + j];
          if (p.bias) t += p.bias[j];
          amax = std::isnan(t) || std::isnan(amax) ? NAN : std::max(amax, static_cast<double>(std::fabs(t)));
          std::uint32_t bits;
          std::memcpy(&bits, &t, sizeof bits);
          out->bits[(g * out->rows + i) * out->cols + j] = std::strcmp(p.output_type, "fp32") == 0 ? bits : bf16_bits(t);
        }
    out->amax = amax;
    return FP8CHECK_PLUGIN_OK;
  });
}

// ---- Quantize ----

int can_implement_quantize(const fp8check_quantize_args* a, char* message, std::size_t size) {
  if (std::strcmp(a->recipe, "tensor") != 0 || std::strcmp(a->element, "e4m3fn") != 0 ||
      std::strcmp(a->scale_meaning, "dequant") != 0)
    return say(message, size, FP8CHECK_PLUGIN_DECLINED,
               std::string("the example plug-in quantizes per tensor to e4m3fn only, not ") + a->recipe + " " +
                   a->element);
  return FP8CHECK_PLUGIN_OK;
}

int run_quantize(const fp8check_quantize_args* a, fp8check_quantize_output* out, char* message, std::size_t size) {
  return guarded(message, size, [&] {
    const std::int64_t n = a->rows * a->cols;
    double amax = 0;
    for (std::int64_t e = 0; e < n; ++e)
      if (std::fabs(a->x[e]) > amax) amax = std::fabs(a->x[e]);  // NaN compares false
    float s = amax == 0 ? 1.0f : static_cast<float>(amax / 448.0);
    s = std::min(std::max(s, FLT_MIN), FLT_MAX);
    for (std::int64_t e = 0; e < n; ++e) out->codes[e] = static_cast<std::uint8_t>(encode_e4m3fn(a->x[e] / s));
    out->scales[0] = s;
    return FP8CHECK_PLUGIN_OK;
  });
}

constexpr fp8check_plugin kPlugin = {
    EXAMPLE_PLUGIN_ABI_VERSION,
    "example",
    /*deterministic=*/1,
    /*thread_safe=*/1,
    /*why_unavailable=*/nullptr,
    can_implement_gemm,
    run_gemm,
    /*can_implement_attention=*/nullptr,
    /*run_attention=*/nullptr,
    can_implement_quantize,
    run_quantize,
};

}  // namespace

FP8CHECK_PLUGIN_EXPORT const fp8check_plugin* fp8check_plugin_entry(void) { return &kPlugin; }
