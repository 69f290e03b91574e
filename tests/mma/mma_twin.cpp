#include "tests/mma/mma_twin.hpp"

#include <bit>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "harness/core/convert.hpp"

namespace fp8check::twin {
namespace {

// MMA-Sim's dtype_min_exponent (its FP4 elements are read as plain FP32 partial sums).
int min_exponent(Format f) {
  switch (f) {
    case Format::e4m3fn: return -6;
    case Format::e5m2: return -14;
    case Format::bf16: return -126;
    case Format::fp16: return -14;
    case Format::e8m0fnu: return -127;
    default: throw std::logic_error("twin: no minimum exponent for this format");
  }
}

struct SigExp {
  double significand;
  int exponent;
};

// extract_significand_exponent: 1 <= |s| < 2, subnormals at the format's minimum exponent, zero at -126.
SigExp extract(double x, int min_exp) {
  int e = 0;
  double s = std::frexp(x, &e) * 2.0;
  e -= 1;
  if (e < min_exp) {
    s = std::ldexp(s, e - min_exp);
    e = min_exp;
  }
  if (s == 0.0) e = -126;
  return {s, e};
}

void require_exact(double scaled_sum) {
  if (std::fabs(scaled_sum) >= 0x1p53) throw std::logic_error("twin: a sum left the exact range of double");
}

// fused_sum: align to the largest exponent, truncate to F fraction bits, add.
SigExp fused_sum(const std::vector<SigExp>& terms, int fraction_bits) {
  int e_max = terms[0].exponent;
  for (const SigExp& t : terms) e_max = t.exponent > e_max ? t.exponent : e_max;
  double units = 0.0;  // the sum in units of 2^-F
  for (const SigExp& t : terms) {
    units += std::trunc(std::ldexp(t.significand, fraction_bits + t.exponent - e_max));
    require_exact(units);
  }
  return {std::ldexp(units, -fraction_bits), e_max};
}

double c_value(MmaRegister r, std::uint32_t bits) {
  return r == MmaRegister::f16 ? decode(Format::fp16, bits) : static_cast<double>(std::bit_cast<float>(bits));
}

std::uint32_t f32_bits(double exact_value) {
  if (exact_value == 0.0) return 0u;  // the model's sum carries no sign
  if (std::fabs(exact_value) >= 0x1p128) return exact_value < 0 ? 0xFF800000u : 0x7F800000u;
  return std::bit_cast<std::uint32_t>(static_cast<float>(exact_value));
}

// nv_fused_dot_add's normalisation and output rounding of s * 2^e.
std::uint32_t output(SigExp sum, MmaOutput out, TwinQuirks quirks, TwinTrace* trace) {
  const double x = std::ldexp(sum.significand, sum.exponent);
  if (quirks.nearest_at_2_pow_53 && x + 1.0 == x) {
    if (trace) trace->rounded_at_2_pow_53 = true;
    const float nearest = static_cast<float>(x);
    if (out.reg == MmaRegister::f16) return encode(Format::fp16, nearest);
    return std::bit_cast<std::uint32_t>(nearest);
  }
  if (out.reg == MmaRegister::f16) {
    const SigExp n = extract(x, -14);
    const double s = std::nearbyint(std::ldexp(n.significand, 10));  // ties to even (default mode)
    const double value = std::ldexp(s, n.exponent - 10);
    return value == 0.0 ? 0u : encode(Format::fp16, value);  // exact, or beyond max: inf
  }
  const SigExp n = extract(x, -126);
  const double s = std::trunc(std::ldexp(n.significand, out.fraction_bits));
  return f32_bits(std::ldexp(s, n.exponent - out.fraction_bits));
}

std::uint32_t special_bits(double fp64_sum, MmaRegister r) {
  if (std::isnan(fp64_sum)) return r == MmaRegister::f16 ? 0x7FFFu : 0x7FFFFFFFu;
  if (r == MmaRegister::f16) return fp64_sum < 0 ? 0xFC00u : 0x7C00u;
  return fp64_sum < 0 ? 0xFF800000u : 0x7F800000u;
}

// nv_fused_dot_add over n products (with the mxf8 scale values sa, sb).
std::uint32_t plain_step(const MmaInstruction& ins, const std::uint16_t* a, const std::uint16_t* b, int n,
                         std::uint32_t c_bits, double sa, double sb, TwinQuirks quirks, TwinTrace* trace) {
  const double c = c_value(ins.c, c_bits);
  double fp64_sum = 0.0;
  bool inf_operand = false;
  for (int i = 0; i < n; ++i) {
    fp64_sum += decode(ins.a, a[i]) * decode(ins.b, b[i]) * sa * sb;
    inf_operand = inf_operand || std::isinf(decode(ins.a, a[i])) || std::isinf(decode(ins.b, b[i]));
  }
  fp64_sum += c;
  if (!std::isfinite(fp64_sum)) {
    if (quirks.inf_operand_gives_nan && inf_operand && !std::isnan(fp64_sum)) {
      if (trace) trace->inf_operand_became_nan = true;
      return special_bits(std::nan(""), ins.c);
    }
    return special_bits(fp64_sum, ins.c);
  }
  std::vector<SigExp> terms;
  terms.reserve(static_cast<std::size_t>(n) + 1);
  terms.push_back(extract(c, ins.c == MmaRegister::f16 ? -14 : -126));
  const int scale_exponent = extract(sa, -127).exponent + extract(sb, -127).exponent;
  for (int i = 0; i < n; ++i) {
    const SigExp x = extract(decode(ins.a, a[i]), min_exponent(ins.a));
    const SigExp y = extract(decode(ins.b, b[i]), min_exponent(ins.b));
    terms.push_back({x.significand * y.significand, x.exponent + y.exponent + scale_exponent});
  }
  return output(fused_sum(terms, ins.fraction_bits), ins.output(), quirks, trace);
}

// nv_fused_dot_add_with_block_scale.
std::uint32_t block_scaled(const MmaInstruction& ins, const std::uint16_t* a, const std::uint16_t* b,
                           std::uint32_t c_bits, const std::uint8_t* scale_a, const std::uint8_t* scale_b) {
  const Format sf = ins.scale_format();
  const int scale_min = ins.scale == MmaScaleKind::ue4m3 ? -6 : -127;
  const double c = c_value(MmaRegister::f32, c_bits);
  bool nan = std::isnan(c);
  for (int j = 0; j < ins.scales_per_row(); ++j) nan = nan || std::isnan(decode(sf, scale_a[j])) || std::isnan(decode(sf, scale_b[j]));
  if (nan) return 0x7FFFFFFFu;
  if (std::isinf(c)) return c < 0 ? 0xFF800000u : 0x7F800000u;
  std::vector<SigExp> terms{extract(c, -126)};
  for (int g = 0; g < ins.k; g += ins.partial_group) {
    float partial = 0.0f;  // FP32, as MMA-Sim; exact for FP4 products
    for (int i = g; i < g + ins.partial_group; ++i)
      partial += static_cast<float>(decode(ins.a, a[i]) * decode(ins.b, b[i]));
    const int j = g / ins.scale_block;
    const SigExp s0 = extract(std::fabs(decode(sf, scale_a[j])), scale_min);
    const SigExp s1 = extract(std::fabs(decode(sf, scale_b[j])), scale_min);
    terms.push_back({static_cast<double>(partial) * s0.significand * s1.significand, s0.exponent + s1.exponent});
  }
  return output(fused_sum(terms, ins.fraction_bits), ins.output(), {}, nullptr);
}

}  // namespace

std::uint32_t execute(const MmaInstruction& ins, const std::uint16_t* a, const std::uint16_t* b, std::uint32_t c,
                      const std::uint8_t* scale_a, const std::uint8_t* scale_b, TwinQuirks quirks, TwinTrace* trace) {
  if (ins.partial_group != 0) return block_scaled(ins, a, b, c, scale_a, scale_b);
  double sa = 1.0, sb = 1.0;
  if (ins.scale != MmaScaleKind::none) {
    sa = decode(Format::e8m0fnu, scale_a[0]);
    sb = decode(Format::e8m0fnu, scale_b[0]);
  }
  if (!ins.split_k_halves) return plain_step(ins, a, b, ins.k, c, sa, sb, quirks, trace);
  const int half = ins.k / 2;
  const std::uint32_t first = plain_step(ins, a, b, half, c, sa, sb, quirks, trace);
  return plain_step(ins, a + half, b + half, half, first, sa, sb, quirks, trace);
}

}  // namespace fp8check::twin
