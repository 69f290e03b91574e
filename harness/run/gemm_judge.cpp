#include "harness/run/gemm_judge.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "harness/core/convert.hpp"
#include "harness/quantize/element_codec.hpp"
#include "harness/run/output_record.hpp"
#include "harness/run/tolerance_checks.hpp"
#include "references/gemm_reference.hpp"

namespace fp8check {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Per-element quantization error bound of one operand: |x - x_hat| <= u |x| + delta,
// delta = scale * (half the smallest subnormal) for float elements (0.5 * scale for
// integers), plus what saturation clipped (|x| beyond max * scale).
MatrixD quantization_slack(const MatrixD& x, const QuantizedMatrix& q, double* u_out) {
  const ElementType t = q.recipe.element;
  double u = 0, half_quantum = 0.5;
  if (!t.is_integer()) {
    const FormatSpec s = format_spec(t.format);
    u = std::ldexp(1.0, -(s.man_bits + 1));
    half_quantum = s.man_bits > 0 ? decode(t.format, 1) / 2 : decode(t.format, 0) / 2;
  }
  *u_out = u;
  const double max = t.max_magnitude();
  const double tensor = q.tensor_scale ? static_cast<double>(*q.tensor_scale) : 1.0;
  const ScaleLayout& l = q.scales.layout;
  MatrixD slack(x.rows(), x.cols());
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (std::int64_t j = 0; j < x.cols(); ++j) {
      const double s = static_cast<double>(q.scales.value(l.block_row(i), l.block_col(j))) * tensor;
      const double clipped = std::max(0.0, std::fabs(x(i, j)) - max * s);
      slack(i, j) = u * std::fabs(x(i, j)) + half_quantum * s + clipped;
    }
  return slack;
}

references::GemmProblem dense_problem(std::int64_t m, const GemmDesc& d, double alpha, double beta) {
  references::GemmProblem p;
  p.m = m;
  p.n = d.n;
  p.k = d.k;
  p.epilogue.alpha = alpha;
  p.epilogue.beta = beta;
  return p;
}

}  // namespace

GemmReferences compute_gemm_references(const GemmCase& c, const GemmInputs& in) {
  const GemmDesc& d = c.desc;
  const std::int64_t rows = d.stored_rows();
  GemmReferences r;
  r.dequantized = MatrixD::Constant(rows, d.n, kNaN);
  r.original = r.dequantized;
  r.magnitude = r.dequantized;
  r.quantization = r.dequantized;
  double ua = 0, ub = 0;
  const MatrixD slack_a = quantization_slack(in.a, in.qa, &ua);
  std::vector<MatrixD> slack_b;
  for (std::size_t g = 0; g < in.b.size(); ++g) slack_b.push_back(quantization_slack(in.b[g], in.qb[g], &ub));
  const references::RowVectorD* bias = d.with_bias ? &in.bias : nullptr;
  for (const RowBlock& blk : written_row_blocks(d)) {
    const std::int64_t m = blk.last - blk.first;
    if (m == 0) continue;
    const auto g = static_cast<std::size_t>(blk.group);
    const MatrixD c_rows = d.beta != 0 ? MatrixD(in.c.middleRows(blk.first, m)) : MatrixD();
    const MatrixD* c_ptr = d.beta != 0 ? &c_rows : nullptr;
    const auto problem = dense_problem(m, d, d.alpha, d.beta);
    const MatrixD a_deq = in.a_dequantized.middleRows(blk.first, m);
    const MatrixD a_orig = in.a.middleRows(blk.first, m);
    r.dequantized.middleRows(blk.first, m) =
        references::gemm_reference(problem, a_deq, in.b_dequantized[g].transpose(), c_ptr, bias);
    r.original.middleRows(blk.first, m) = references::gemm_reference(problem, a_orig, in.b[g].transpose(), c_ptr, bias);
    const auto plain = dense_problem(m, d, 1.0, 0.0);
    MatrixD magnitude = std::fabs(d.alpha) * references::gemm_reference(plain, a_deq.cwiseAbs(), in.b_dequantized[g].cwiseAbs().transpose());
    if (d.beta != 0) magnitude += std::fabs(d.beta) * c_rows.cwiseAbs();
    if (bias) magnitude.rowwise() += bias->cwiseAbs();
    r.magnitude.middleRows(blk.first, m) = magnitude;
    const MatrixD qa = references::gemm_reference(plain, slack_a.middleRows(blk.first, m), in.b_dequantized[g].cwiseAbs().transpose());
    const MatrixD qb = references::gemm_reference(plain, a_orig.cwiseAbs(), slack_b[g].transpose());
    r.quantization.middleRows(blk.first, m) = std::fabs(d.alpha) * (qa + qb);
  }
  if (d.d_type == OutputType::e4m3fn) {
    // Output scaling as a kernel with current scaling does: the largest power of two
    // that keeps amax(D) within e4m3's 448, so nothing saturates.
    double amax = 0;
    for (std::int64_t i = 0; i < r.dequantized.size(); ++i)
      if (std::isfinite(r.dequantized.data()[i])) amax = std::max(amax, std::fabs(r.dequantized.data()[i]));
    r.output_scale = amax > 0 ? std::ldexp(1.0, static_cast<int>(std::floor(std::log2(448.0 / amax)))) : 1.0;
  }
  return r;
}

void judge_gemm(const GemmCase& c, const GemmInputs& /*in*/, const GemmReferences& ref, const GemmOutput& out,
                const AccumulationBound& bound, const ToleranceSettings& tol, const GemmOutput* baseline,
                CaseResult& result, StageTimer& timer) {
  const GemmDesc& d = c.desc;
  const NumericType type = output_numeric_type(d.d_type);
  const double s = ref.output_scale;  // compare in the output's (scaled) domain
  const double u_out = unit_roundoff(type);
  const double eta_out = d.d_type == OutputType::fp32 ? std::ldexp(1.0, -150)
                                                      : decode(std::get<Format>(type), 1) / 2;
  const DtypeTolerance dtype = default_dtype_tolerance(type);
  StatisticsOptions opts;
  opts.output_type = type;
  opts.rtol = tol.rtol.value_or(dtype.rtol);
  opts.atol = tol.atol.value_or(dtype.atol);
  const std::int64_t n = d.n;
  StatisticsAccumulator kernel(n, opts), total(n, opts);
  double kernel_ratio = 0, total_ratio = 0, baseline_max = 0, noise = 0;
  double max_deq = 0, max_orig = 0;  // max |ref| over finite elements: the accuracy study's scale
  std::int64_t index = 0;
  auto value_at = [&](const GemmOutput& o, std::int64_t row, std::int64_t col) {
    const std::int64_t per = o.rows;
    return o.value(row / per, row % per, col);
  };
  for (const RowBlock& blk : written_row_blocks(d))
    for (std::int64_t i = blk.first; i < blk.last; ++i)
      for (std::int64_t j = 0; j < n; ++j, ++index) {
        const double got = value_at(out, i, j);
        const double deq = ref.dequantized(i, j) * s, orig = ref.original(i, j) * s;
        kernel.add(got, deq, index);
        total.add(got, orig, index);
        if (std::isfinite(deq)) max_deq = std::max(max_deq, std::fabs(deq));
        if (std::isfinite(orig)) max_orig = std::max(max_orig, std::fabs(orig));
        const double e = bound.coefficient * (ref.magnitude(i, j) + bound.absolute) * s;
        const double kernel_bound = e + u_out * (std::fabs(deq) + e) + eta_out;
        const double total_bound = kernel_bound + (1 + u_out) * ref.quantization(i, j) * s;
        if (std::isfinite(got)) {
          const double ke = std::fabs(got - deq), te = std::fabs(got - orig);
          kernel_ratio = std::max(kernel_ratio, ke == 0 ? 0.0 : ke / kernel_bound);
          total_ratio = std::max(total_ratio, te == 0 ? 0.0 : te / total_bound);
        }
        if (baseline) baseline_max = std::max(baseline_max, std::fabs(value_at(*baseline, i, j) - deq));
        // FlashAttention-3's reference noise: what rounding the reference itself costs.
        noise = std::max(noise, std::fabs((deq + 0.3) - 0.3 - deq));
      }
  result.kernel_error = kernel.finish();
  result.total_error = total.finish();
  timer.lap("statistics");
  const ErrorStatistics& ks = *result.kernel_error;

  auto add = [&](std::string name, double observed, double limit, bool passed, std::string detail) {
    result.checks.push_back({std::move(name), observed, limit, passed, std::move(detail)});
  };
  const std::int64_t unexpected = ks.unexpected_specials.total() + ks.missing_specials.nan;
  add("unexpected NaN/inf", static_cast<double>(unexpected), 0, unexpected == 0,
      "an output NaN or inf where the FP64 reference (dequantized inputs) is finite, or a lost NaN, never passes");
  add("kernel error / a-priori bound", kernel_ratio, tol.max_over_bound, kernel_ratio <= tol.max_over_bound,
      bound.derivation + "; output u = " + std::to_string(u_out));
  add("total error / a-priori bound", total_ratio, tol.max_over_bound, total_ratio <= tol.max_over_bound,
      "kernel bound + quantization of A and B (unit roundoff, underflow, clipping)");
  if (baseline) {
    const double limit = tol.baseline_ratio * baseline_max + 2 * noise;
    add("kernel max error vs FP32-accumulation baseline", ks.max_abs_error, limit, ks.max_abs_error <= limit,
        "<= ratio x the plain FP32-accumulation kernel's max error + 2 x reference noise (FlashAttention-3 tests)");
  }
  add_allclose_and_override_checks(ks, tol, dtype, result.checks);

  result.metrics["kernel_over_bound"] = kernel_ratio;
  result.metrics["total_over_bound"] = total_ratio;
  result.metrics["bound_coefficient"] = bound.coefficient;
  result.metrics["output_scale"] = s;
  result.metrics["amax_d"] = out.amax;
  if (baseline) result.metrics["baseline_max_abs_error"] = baseline_max;
  // max |D - ref| / max |ref|: a relative error without outputs near zero dominating it.
  if (max_deq > 0) result.metrics["kernel_max_error_over_max_reference"] = ks.max_abs_error / max_deq;
  if (max_orig > 0) result.metrics["total_max_error_over_max_reference"] = result.total_error->max_abs_error / max_orig;

  // The output as recorded: every written row, in stored-row order.
  std::vector<std::pair<std::int64_t, std::int64_t>> rows;
  for (const RowBlock& blk : written_row_blocks(d))
    for (std::int64_t i = blk.first; i < blk.last; ++i) rows.push_back({i / out.rows, i % out.rows});
  result.output = make_output_record(
      std::string(output_type_name(d.d_type)), static_cast<std::int64_t>(rows.size()), n,
      [&](std::int64_t e) { const auto [b, r] = rows[static_cast<std::size_t>(e / n)]; return out.at(b, r, e % n); },
      [&](std::int64_t e) { const auto [b, r] = rows[static_cast<std::size_t>(e / n)]; return out.value(b, r, e % n); });

  set_verdict_from_checks(result);
}

}  // namespace fp8check
