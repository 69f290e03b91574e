#include "harness/run/attention_judge.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <span>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/run/output_record.hpp"
#include "harness/run/tolerance_checks.hpp"
#include "kernels/emulated/attention_numerics.hpp"

namespace fp8check {
namespace {

constexpr double kLog2e = 1.4426950408889634074;

references::HeadMatrices absolute(const references::HeadMatrices& t) {
  references::HeadMatrices a = t;
  for (MatrixD& m : a.per_head) m = m.cwiseAbs();
  return a;
}

// Row norms of m(x̂) = max(|x̂|, 2^emin · descale): where a tensor core aligns each element
// (attention_bound.hpp).
Eigen::VectorXd aligned_row_norms(const MatrixD& x, Format operand, double descale) {
  const double floor = std::ldexp(1.0, format_spec(operand).emin()) * descale;
  return x.cwiseAbs().cwiseMax(floor).rowwise().norm();
}

// The P·V sums' absolute terms of a tensor-core model, for both paths of check (b) (0 for
// fp32, whose P·V sums have none).
double pv_floor(const AttentionErrorTerms& t, double abs_v) {
  if (t.accumulation_absolute == 0 && t.accumulation_offset == 0) return 0;
  return 2 * (t.accumulation_absolute * abs_v + t.accumulation_offset);
}

}  // namespace

double lse_over_bound(double got, double expect, double relative) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (!std::isfinite(expect)) return got == expect ? 0.0 : kInf;
  const double err = std::fabs(got - expect);
  if (!std::isfinite(err)) return kInf;  // an infinite or NaN LSE where the row sees keys
  return err == 0 ? 0.0 : err / (std::log1p(relative) + 0x1p-18 * (std::fabs(expect) + 1));
}

AttentionReferences compute_attention_references(const AttentionCase& c, const AttentionInputs& in, int threads) {
  const AttentionDesc& d = c.desc;
  const references::AttentionProblem problem = reference_problem(d);
  // Several threads: 0, the reference's own choice (heads on threads only when each product
  // runs on one BLAS thread: both at once oversubscribe the cores, docs/performance.md).
  const unsigned workers = threads > 1 ? 0u : 1u;
  AttentionReferences r;
  r.dequantized = references::attention_reference(problem, in.q_hat, in.k_hat, in.v_hat, workers);
  r.original = references::attention_reference(problem, in.q, in.k, in.v, workers);
  r.weighted_abs_v = references::attention_reference(problem, in.q_hat, in.k_hat, absolute(in.v_hat), workers).out;
  for (const MatrixD& v : in.v_hat.per_head) {
    MatrixD prefix = MatrixD::Zero(v.rows() + 1, v.cols());
    for (std::int64_t j = 0; j < v.rows(); ++j) prefix.row(j + 1) = prefix.row(j) + v.row(j).cwiseAbs();
    r.abs_v_prefix.push_back(std::move(prefix));
    if (c.model.is_fp32()) continue;
    MatrixD prefix_max = MatrixD::Zero(v.rows() + 1, v.cols());
    for (std::int64_t j = 0; j < v.rows(); ++j) prefix_max.row(j + 1) = prefix_max.row(j).cwiseMax(v.row(j).cwiseAbs());
    r.abs_v_prefix_max.push_back(std::move(prefix_max));
  }
  // Cauchy-Schwarz: σ Σ_d |q_d k_d| <= σ ||q|| ||k||; the slack covers the FP64 norms' rounding.
  const double sigma = d.softmax_scale * kLog2e * (1 + 1e-12);
  const bool mma = !c.model.is_fp32();
  for (std::int64_t b = 0; b < d.batch; ++b)
    for (std::int64_t h = 0; h < d.q_heads; ++h) {
      const std::int64_t g = d.kv_head_of(h);
      const double k_norm = in.k_hat.at(b, g).rowwise().norm().maxCoeff();
      const MatrixD& q = in.q_hat.at(b, h);
      AttentionRowMagnitudes m;
      Eigen::VectorXd q_aligned;
      double k_aligned = 0;
      if (mma) {
        const MmaInstruction score = c.model.score_instruction(d);
        const double q_descale = in.q_descales[static_cast<std::size_t>(b * d.q_heads + h)];
        const double k_descale = in.k_descales[static_cast<std::size_t>(b * d.kv_heads + g)];
        q_aligned = aligned_row_norms(q, score.a, q_descale);
        k_aligned = aligned_row_norms(in.k_hat.at(b, g), score.b, k_descale).maxCoeff();
        m.score_unit = sigma * q_descale * k_descale;
        m.v_descale = in.v_descales[static_cast<std::size_t>(b * d.kv_heads + g)];
      }
      for (std::int64_t i = 0; i < d.seq_q; ++i) {
        m.score = sigma * q.row(i).norm() * k_norm;
        if (mma) m.score_aligned = sigma * q_aligned(i) * k_aligned;
        r.magnitudes.push_back(m);
      }
    }
  return r;
}

void judge_attention(const AttentionCase& c, const AttentionConfig& config, const AttentionReferences& ref,
                     const AttentionOutput& out, const ToleranceSettings& tol, const AttentionOutput* baseline,
                     CaseResult& result, StageTimer& timer) {
  const AttentionDesc& d = c.desc;
  const NumericType type = output_numeric_type(d.o_type);
  const double u_out = unit_roundoff(type);
  const double eta_out = d.o_type == OutputType::fp32 ? 0x1p-150 : decode(std::get<Format>(type), 1) / 2;
  const DtypeTolerance dtype = default_dtype_tolerance(type);
  StatisticsOptions opts;
  opts.output_type = type;
  opts.rtol = tol.rtol.value_or(dtype.rtol);
  opts.atol = tol.atol.value_or(dtype.atol);
  const std::int64_t dv = d.head_dim_v;
  StatisticsAccumulator kernel(dv, opts), total(dv, opts);
  // The floor of check (b): what the two paths can differ by. They share scores, P, l and
  // the split weights bit for bit; they differ in P's rounding, the P·V sums and the output.
  const PRoundingError p_err = p_rounding_error(d.p), bf16_err = p_rounding_error(default_p_handling(Format::bf16));
  double kernel_ratio = 0, baseline_max = 0, noise = 0, floor = 0, lse_error = 0, lse_ratio = 0;
  std::int64_t index = 0, row = 0;
  std::vector<double> got_row(static_cast<std::size_t>(dv));
  for (std::int64_t b = 0; b < d.batch; ++b)
    for (std::int64_t h = 0; h < d.q_heads; ++h) {
      const MatrixD& deq = ref.dequantized.out.at(b, h);
      const MatrixD& orig = ref.original.out.at(b, h);
      const MatrixD& w = ref.weighted_abs_v.at(b, h);
      const auto pair = static_cast<std::size_t>(b * d.kv_heads + d.kv_head_of(h));
      const MatrixD& prefix = ref.abs_v_prefix[pair];
      const MatrixD* prefix_max = ref.abs_v_prefix_max.empty() ? nullptr : &ref.abs_v_prefix_max[pair];
      for (std::int64_t i = 0; i < d.seq_q; ++i, ++row) {
        const AttentionErrorTerms terms =
            attention_error_terms(d, config, c.model, ref.magnitudes[static_cast<std::size_t>(row)]);
        const double ref_lse = ref.dequantized.lse(b * d.q_heads + h, i);
        if (out.has_internals) {
          const double got_lse = out.row_lse(b, h, i), err = std::fabs(got_lse - ref_lse);
          if (std::isfinite(ref_lse)) lse_error = std::max(lse_error, err);
          lse_ratio = std::max(lse_ratio, lse_over_bound(got_lse, ref_lse, terms.relative));
        }
        // The row's statistics in one add_range call each (the bits of add() per element).
        for (std::int64_t col = 0; col < dv; ++col) got_row[static_cast<std::size_t>(col)] = out.value(b, h, i, col);
        const auto size = static_cast<std::size_t>(dv);
        kernel.add_range(got_row, std::span<const double>(&deq(i, 0), size), index);
        total.add_range(got_row, std::span<const double>(&orig(i, 0), size), index);
        for (std::int64_t col = 0; col < dv; ++col, ++index) {
          const double got = got_row[static_cast<std::size_t>(col)], expect = deq(i, col);
          const double a = prefix(d.visible_keys(i), col);
          double e = terms.relative * w(i, col) + terms.absolute * a + terms.offset;
          // A vacuous model bound (relative = inf, and inf · 0 = NaN) gives way to the magnitude one.
          const double largest_v = prefix_max != nullptr ? (*prefix_max)(d.visible_keys(i), col) : a;
          const double fallback = terms.magnitude * largest_v + std::fabs(expect);
          if (terms.magnitude > 0 && !(e <= fallback)) e = fallback;
          const double bound = e + u_out * (std::fabs(expect) + e) + eta_out;
          if (std::isfinite(got)) {
            const double err = std::fabs(got - expect);
            kernel_ratio = std::max(kernel_ratio, err == 0 ? 0.0 : err / bound);
          }
          if (baseline) baseline_max = std::max(baseline_max, std::fabs(baseline->value(b, h, i, col) - expect));
          noise = std::max(noise, std::fabs((expect + 0.3) - 0.3 - expect));
          double paths = ((p_err.u + bf16_err.u) * (1 + terms.relative) + 2 * terms.accumulation) * w(i, col) +
                         (p_err.eta + bf16_err.eta) * a + pv_floor(terms, a);
          if (terms.magnitude > 0 && !(paths <= 2 * terms.magnitude * largest_v)) paths = 2 * terms.magnitude * largest_v;
          floor = std::max(floor, paths + 2 * (bound - e));
        }
      }
    }
  result.kernel_error = kernel.finish();
  result.total_error = total.finish();
  timer.lap("statistics");
  const ErrorStatistics& ks = *result.kernel_error;

  auto add = [&](std::string name, double observed, double limit, bool passed, std::string detail) {
    result.checks.push_back({std::move(name), observed, limit, passed, std::move(detail)});
  };
  add("unexpected NaN/inf", static_cast<double>(ks.special_mismatch_count), 0, ks.special_mismatch_count == 0,
      "an output NaN or inf where the FP64 reference is finite never passes");
  const double p_limit = attention::p_rounding(d.p.format).max_finite;
  if (out.has_internals)
    add("P * p_scale within " + std::string(d.p.format == Format::bf16 ? "bf16" : "FP8") + " range",
        static_cast<double>(out.p_max), p_limit, out.p_max <= p_limit,
        "largest P * " + d.p.name() + " before rounding; above the format's max, satfinite clips it while the row sum keeps it");
  add("kernel error / a-priori bound", kernel_ratio, tol.max_over_bound, kernel_ratio <= tol.max_over_bound,
      attention_bound_derivation(d, config, c.model) + "; output u = " + std::to_string(u_out));
  if (out.has_internals)
    add("LSE error / bound", lse_ratio, tol.max_over_bound, lse_ratio <= tol.max_over_bound,
        "natural-log LSE per row: log1p(relative) of the row's bound + 2^-18 (|LSE| + 1); -inf where no key is visible");
  if (baseline) {
    const double limit = tol.baseline_ratio * baseline_max + 2 * noise + floor;
    add("kernel max error vs bf16-P baseline", ks.max_abs_error, limit, ks.max_abs_error <= limit,
        "<= ratio x the same kernel's max error with bf16 P + 2 x reference noise (FlashAttention-3 tests) + "
        "floor: the P-rounding difference of the two paths (u_P + u_bf16) W + underflow + both output roundings");
  }
  add_allclose_and_override_checks(ks, tol, dtype, result.checks);

  result.metrics["kernel_over_bound"] = kernel_ratio;
  if (out.has_internals) {
    result.metrics["p_max"] = out.p_max;
    result.metrics["p_saturated"] = static_cast<double>(out.p_saturated);
    result.metrics["lse_max_abs_error"] = lse_error;
  }
  if (baseline) {
    result.metrics["baseline_max_abs_error"] = baseline_max;
    result.metrics["baseline_floor"] = floor;
  }

  const std::int64_t rows = d.batch * d.q_heads * d.seq_q;
  result.output = make_output_record(
      std::string(output_type_name(d.o_type)), rows, dv, [&](std::int64_t e) { return out.bits[static_cast<std::size_t>(e)]; },
      [&](std::int64_t e) {
        const std::int64_t r = e / dv;
        return out.value(r / (d.q_heads * d.seq_q), r / d.seq_q % d.q_heads, r % d.seq_q, e % dv);
      });

  set_verdict_from_checks(result);
}

}  // namespace fp8check
