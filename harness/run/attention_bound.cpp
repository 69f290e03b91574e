#include "harness/run/attention_bound.hpp"

#include <algorithm>
#include <cmath>

#include "harness/core/convert.hpp"

namespace fp8check {
namespace {

constexpr double kU = 0x1p-24;           // FP32 unit roundoff
constexpr double kFlush = 0x1p-126;      // exp2_portable returns at most this for x < -126
constexpr double kLargestScore = 127.0;  // |x| of every P that is not flushed

double gamma(double n) { return n * kU / (1 - n * kU); }  // Higham's γ_n

// exp2 of a log2-units error e, minus 1: the relative change of 2^x when x moves by e.
double from_log2(double e) { return std::exp2(e) - 1; }

struct Counts {
  double blocks = 0;  // kv blocks one split of one row can see
  double sum = 0;     // FP32 operations any term of l or O passes through
  double splits = 1;
};

Counts counts(const AttentionDesc& p, const AttentionConfig& c) {
  const double blocks = std::ceil(static_cast<double>(p.seq_kv) / c.block_kv);
  Counts k;
  k.blocks = std::ceil(blocks / c.splits);
  k.sum = static_cast<double>(p.seq_kv) + k.blocks;  // additions, and one rescale per block
  k.splits = c.splits;
  return k;
}

}  // namespace

PRoundingError p_rounding_error(const PHandling& p) {
  const FormatSpec s = format_spec(p.format);
  return {std::ldexp(1.0, -(s.man_bits + 1)), decode(p.format, 1) / 2 / p.scale};
}

AttentionErrorTerms attention_error_terms(const AttentionDesc& p, const AttentionConfig& c, double score_magnitude) {
  const Counts k = counts(p, c);
  const PRoundingError pr = p_rounding_error(p.p);
  const double a = score_magnitude;
  // Scores: D - 1 additions, three roundings in the scale, one in S·scale; then x = s - m
  // (one rounding of |x| <= 127), and the rescale differences m_old - m_new (their total is
  // <= 2a). Every P shares these as an error of its exponent (log2 units).
  const double delta = gamma(static_cast<double>(p.head_dim_qk) + 3) * a;
  const double exponent = 2 * delta + kU * kLargestScore + kU * 2 * a * (1 + gamma(1));
  // H: relative perturbation of one P, the same in P·V and in l: its exp2, and the exp2 of
  // every rescale applied after it.
  const double h = (1 + from_log2(exponent)) * std::pow(1 + kExp2RelativeError, k.blocks + 1) - 1;
  const double sums = gamma(k.sum);
  const double num = (1 + h) * (1 + pr.u) * (1 + sums) - 1;  // P·V: P rounded, summed
  const double den = (1 + h) * (1 + sums) - 1;               // l: P unrounded, summed
  double rel = (num + den) / (1 - den);
  // Normalisation O = acc · ((1/l) · v_descale): three roundings.
  rel = (1 + rel) * (1 + gamma(3)) - 1;
  double accumulation = (1 + sums) * (1 + gamma(3)) - 1;
  double abs = (pr.eta + kFlush) * (1 + num) * (1 + gamma(3));
  // Products P̂·V̂ below FP32's normal range (bf16 P with e5m2 V) lose up to 2^-150 each.
  abs += static_cast<double>(p.seq_kv) * 0x1p-149 / p.p.scale;
  if (c.splits > 1) {
    // Split combine: each weight 2^(lse_s - lse) carries the log2 errors of lse_s and lse,
    // the roundings of the LSE arithmetic (values <= lambda), its exp2; then a sum of splits.
    const double lambda = a * (1 + gamma(1)) + std::log2(static_cast<double>(p.seq_kv) * p.p.scale) + 1;
    const double log_err = kLog2Relative * lambda + kLog2Absolute + 3 * kU * lambda;
    const double sum_err = ((1 + kExp2RelativeError) * (1 + gamma(k.splits)) - 1) / std::log(2.0);
    const double omega = (1 + from_log2(2 * log_err + sum_err + 2 * kU * lambda)) * (1 + kExp2RelativeError) - 1;
    const double combine = (1 + omega) * (1 + gamma(k.splits)) - 1;
    rel = (1 + rel) * (1 + combine) - 1;
    abs *= 1 + combine;
    accumulation = (1 + accumulation) * (1 + gamma(k.splits)) - 1;
  }
  return {rel, abs, accumulation};
}

std::string attention_bound_derivation(const AttentionDesc& p, const AttentionConfig& c) {
  const Counts k = counts(p, c);
  const PRoundingError pr = p_rounding_error(p.p);
  return "P rounding u_P = 2^" + std::to_string(std::ilogb(pr.u)) + ", underflow 2^" +
         std::to_string(std::ilogb(pr.eta)) + "/key; scores: " + std::to_string(p.head_dim_qk + 3) +
         " roundings of u = 2^-24 times sigma |q||k|; exp2 " + std::to_string(static_cast<int>(k.blocks) + 1) +
         " times; sums over " + std::to_string(static_cast<long long>(k.sum)) + " operations" +
         (c.splits > 1 ? "; combine of " + std::to_string(c.splits) + " splits" : "");
}

}  // namespace fp8check
