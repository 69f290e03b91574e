#include "harness/run/attention_bound.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "harness/core/convert.hpp"
#include "kernels/emulated/mma/mma_instruction.hpp"

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

// A tensor-core instruction's truncation: each of the k + 1 aligned terms of a step loses
// < 2^-F of 2^E (`alignment` = (k + 1)·2^-F, times 2^E), and d < 2^-D of itself (`output`).
struct Truncation {
  double alignment = 0;
  double output = 0;
};
// One fused step: the whole instruction, or one of the two halves of sm_80/sm_89 mma.sync
// (mma_execute.hpp), each aligning k/2 products and c and truncating d.
int step_k(const MmaInstruction& i) { return i.split_k_halves ? i.k / 2 : i.k; }
double steps_per_instruction(const MmaInstruction& i) { return i.split_k_halves ? 2 : 1; }
Truncation truncation(const MmaInstruction& i) {
  return {(step_k(i) + 1) * std::ldexp(1.0, -i.fraction_bits), std::ldexp(1.0, -i.d_fraction_bits)};
}

Counts counts(const AttentionDesc& p, const AttentionConfig& c) {
  const double blocks = std::ceil(static_cast<double>(p.seq_kv) / c.block_kv);
  Counts k;
  k.blocks = std::ceil(blocks / c.splits);
  k.sum = static_cast<double>(p.seq_kv) + k.blocks;  // additions, and one rescale per block
  k.splits = c.splits;
  return k;
}

// Split combine: each weight 2^(lse_s - lse) carries the log2 errors of lse_s and lse, the
// roundings of the LSE arithmetic (values <= lambda), its exp2; then a sum of splits.
// `a`: the largest |score| (log2 units).
void combine_splits(const AttentionDesc& p, const Counts& k, double a, AttentionErrorTerms& t) {
  if (k.splits <= 1) return;
  const double lambda = a * (1 + gamma(1)) + std::log2(static_cast<double>(p.seq_kv) * p.p.scale) + 1;
  const double log_err = kLog2Relative * lambda + kLog2Absolute + 3 * kU * lambda;
  const double sum_err = ((1 + kExp2RelativeError) * (1 + gamma(k.splits)) - 1) / std::log(2.0);
  const double omega = (1 + from_log2(2 * log_err + sum_err + 2 * kU * lambda)) * (1 + kExp2RelativeError) - 1;
  const double combine = (1 + omega) * (1 + gamma(k.splits)) - 1;
  t.relative = (1 + t.relative) * (1 + combine) - 1;
  t.absolute *= 1 + combine;
  t.magnitude *= 1 + combine;
  t.offset *= 1 + combine;
  t.accumulation = (1 + t.accumulation) * (1 + gamma(k.splits)) - 1;
  t.accumulation_absolute *= 1 + gamma(k.splits);
  t.accumulation_offset *= 1 + gamma(k.splits);
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
  AttentionErrorTerms t;
  t.relative = (num + den) / (1 - den);
  // Normalisation O = acc · ((1/l) · v_descale): three roundings.
  t.relative = (1 + t.relative) * (1 + gamma(3)) - 1;
  t.accumulation = (1 + sums) * (1 + gamma(3)) - 1;
  t.absolute = (pr.eta + kFlush) * (1 + num) * (1 + gamma(3));
  // Products P̂·V̂ below FP32's normal range (bf16 P with e5m2 V) lose up to 2^-150 each.
  t.absolute += static_cast<double>(p.seq_kv) * 0x1p-149 / p.p.scale;
  combine_splits(p, k, a, t);
  return t;
}

AttentionErrorTerms attention_error_terms(const AttentionDesc& p, const AttentionConfig& c,
                                          const AttentionKernelModel& model, const AttentionRowMagnitudes& mag) {
  if (model.is_fp32()) return attention_error_terms(p, c, mag.score);
  const Counts k = counts(p, c);
  const PRoundingError pr = p_rounding_error(p.p);
  const double a = mag.score;
  // Scores: the tensor core's steps along the head dim (zero-padded to whole steps), from +0.
  const MmaInstruction si = model.score_instruction(p);
  const Truncation ts = truncation(si);
  const double score_steps = std::ceil(static_cast<double>(p.head_dim_qk) / si.k) * steps_per_instruction(si);
  // Per step 2^E <= |c| + 2^-126 + max m(q)m(k); the first step's c is +0 (only its floor).
  const double score_loss = ((score_steps - 1) * ts.alignment + score_steps * ts.output) * a +
                            ts.alignment * mag.score_aligned +
                            score_steps * (ts.alignment + ts.output) * mag.score_unit * kFlush;
  const double delta = (1 + gamma(4)) * score_loss + gamma(4) * a;  // + 3 roundings in σ̃, 1 in S·σ̃
  const double exponent = 2 * delta + kU * kLargestScore + kU * 2 * (a + delta) * (1 + gamma(1));
  const double h = (1 + from_log2(exponent)) * std::pow(1 + kExp2RelativeError, k.blocks + 1) - 1;
  const double den = (1 + h) * (1 + gamma(k.sum)) - 1;                 // l: FP32 sums as in the fp32 model
  const double num = (1 + h) * (1 + pr.u) * (1 + gamma(k.blocks)) - 1;  // O: only the rescale products are FP32
  const double weights = (1 + num) / (1 - den);                         // p̂_j / l <= w_j · weights
  // P·V: the steps of one split's blocks along the kv block, into the running O.
  const MmaInstruction pi = model.pv_instruction(p);
  const Truncation tp = truncation(pi);
  const double pv_steps = k.blocks * (c.block_kv / pi.k) * steps_per_instruction(pi);
  const double p_floor = std::ldexp(1.0, format_spec(pi.a).emin()) / p.p.scale;  // m(p̂) - p̂, over l >= scale
  const double v_floor = std::ldexp(1.0, format_spec(pi.b).emin()) * mag.v_descale;
  const double v_max = decode(p.v_type.format, format_spec(p.v_type.format).max_magnitude_code()) * mag.v_descale;
  // c's part of 2^E in every step but the first (c = +0), the products' part once over the
  // steps (max over a step <= sum), d's truncation in every step: pv_steps·(alignment + output).
  const double pv_relative = pv_steps * (tp.alignment + tp.output) * weights;
  const double pv_absolute = tp.alignment * p_floor;
  const double pv_offset =
      tp.alignment * (weights * v_floor + p_floor * static_cast<double>(p.seq_kv) * v_floor +
                      pv_steps * step_k(pi) * kFlush * v_max / p.p.scale) +  // masked keys: P = 0 aligns at 2^-126
      pv_steps * (tp.alignment + tp.output) * kFlush * mag.v_descale / p.p.scale;  // c and d below 2^-126
  AttentionErrorTerms t;
  t.relative = den < 1 ? (num + den) / (1 - den) + pv_relative : std::numeric_limits<double>::infinity();
  t.relative = (1 + t.relative) * (1 + gamma(3)) - 1;
  // |O| <= max |v̂| · ((1 + u_P)(1 + γ_blocks) / (1 - γ_sum) + P's absolute rounding over l >= scale,
  // for each of the seq_kv keys).
  t.magnitude = ((1 + pr.u) * (1 + gamma(k.blocks)) / (1 - gamma(k.sum)) +
                 pr.eta * static_cast<double>(p.seq_kv) * (1 + gamma(k.sum))) *
                (1 + gamma(3));
  t.accumulation = (1 + gamma(k.blocks)) * (1 + pv_relative) * (1 + gamma(3)) - 1;
  t.absolute = ((pr.eta + kFlush) * (1 + num) + pv_absolute) * (1 + gamma(3));
  t.accumulation_absolute = pv_absolute * (1 + gamma(3));
  t.offset = t.accumulation_offset = pv_offset * (1 + gamma(3));
  combine_splits(p, k, a + delta, t);
  return t;
}

std::string attention_bound_derivation(const AttentionDesc& p, const AttentionConfig& c,
                                       const AttentionKernelModel& model) {
  const Counts k = counts(p, c);
  const PRoundingError pr = p_rounding_error(p.p);
  const std::string head = "P rounding u_P = 2^" + std::to_string(std::ilogb(pr.u)) + ", underflow 2^" +
                           std::to_string(std::ilogb(pr.eta)) + "/key; ";
  const std::string tail = "; exp2 " + std::to_string(static_cast<int>(k.blocks) + 1) + " times" +
                           (c.splits > 1 ? "; combine of " + std::to_string(c.splits) + " splits" : "");
  if (model.is_fp32())
    return head + "scores: " + std::to_string(p.head_dim_qk + 3) + " roundings of u = 2^-24 times sigma |q||k|; exp2 " +
           std::to_string(static_cast<int>(k.blocks) + 1) + " times; sums over " +
           std::to_string(static_cast<long long>(k.sum)) + " operations" +
           (c.splits > 1 ? "; combine of " + std::to_string(c.splits) + " splits" : "");
  const MmaInstruction si = model.score_instruction(p), pi = model.pv_instruction(p);
  const auto steps = [](std::int64_t depth, const MmaInstruction& i) {
    return std::to_string((depth + i.k - 1) / i.k) + " steps of " + i.name + " (F = " + std::to_string(i.fraction_bits) +
           ", d " + std::to_string(i.d_fraction_bits) + " bits)";
  };
  return head + "scores: " + steps(p.head_dim_qk, si) + " + 4 FP32 roundings" + tail + "; P V: " +
         steps(static_cast<std::int64_t>(k.blocks) * c.block_kv, pi) + " per split into O";
}

}  // namespace fp8check
