#include "harness/run/gemm_judge.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "harness/core/convert.hpp"
#include "harness/quantize/element_codec.hpp"
#include "harness/run/output_record.hpp"
#include "harness/run/tolerance_checks.hpp"
#include "kernels/emulated/parallel_for.hpp"
#include "references/gemm_reference.hpp"

namespace fp8check {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Runs f(first, last) over the rows [0, rows) in pieces of 64 on `threads` threads. Every
// element-wise pass below computes a row by the same code whichever thread runs it, so no
// bit depends on the count.
template <typename F>
void for_row_pieces(std::int64_t rows, int threads, F&& f) {
  constexpr std::int64_t kPiece = 64;
  detail::parallel_for((rows + kPiece - 1) / kPiece, threads,
                       [&](std::int64_t piece, int) { f(piece * kPiece, std::min(rows, (piece + 1) * kPiece)); });
}

// |x| into `out` (resized to x's shape: a buffer of that shape is reused).
void absolute(const MatrixD& x, MatrixD& out, int threads) {
  out.resize(x.rows(), x.cols());
  for_row_pieces(x.rows(), threads, [&](std::int64_t first, std::int64_t last) {
    out.middleRows(first, last - first) = x.middleRows(first, last - first).cwiseAbs();
  });
}

// Per-element quantization error bound of one operand: |x - x_hat| <= u |x| + delta,
// delta = scale * (half the smallest subnormal) for float elements (0.5 * scale for
// integers), plus what saturation clipped (|x| beyond max * scale). One scale per block of
// a row, looked up once per block: the element loop is plain arithmetic. Writes `slack`
// (resized to x's shape: a buffer of that shape is reused).
void quantization_slack(const MatrixD& x, const QuantizedMatrix& q, MatrixD& slack, int threads) {
  const ElementType t = q.recipe.element;
  double u = 0, half_quantum = 0.5;
  if (!t.is_integer()) {
    const FormatSpec s = format_spec(t.format);
    u = std::ldexp(1.0, -(s.man_bits + 1));
    half_quantum = s.man_bits > 0 ? decode(t.format, 1) / 2 : decode(t.format, 0) / 2;
  }
  const double max = t.max_magnitude();
  const double tensor = q.tensor_scale ? static_cast<double>(*q.tensor_scale) : 1.0;
  const ScaleLayout& l = q.scales.layout;
  const std::int64_t cols = x.cols();
  slack.resize(x.rows(), cols);
  for_row_pieces(x.rows(), threads, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t i = first; i < last; ++i) {
      const double* xi = x.data() + i * cols;
      double* si = slack.data() + i * cols;
      for (std::int64_t j0 = 0; j0 < cols; j0 += l.block.cols) {
        const double s = static_cast<double>(q.scales.value(l.block_row(i), l.block_col(j0))) * tensor;
        const double limit = max * s, floor = half_quantum * s;
        for (std::int64_t j = j0, end = std::min(cols, j0 + l.block.cols); j < end; ++j) {
          const double clipped = std::max(0.0, std::fabs(xi[j]) - limit);
          si[j] = u * std::fabs(xi[j]) + floor + clipped;
        }
      }
    }
  });
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

GemmReferences compute_gemm_references(const GemmCase& c, const GemmInputs& in, int threads) {
  using references::BLayout;
  using references::product;
  const GemmDesc& d = c.desc;
  const std::int64_t rows = d.stored_rows();
  GemmReferences r;
  r.dequantized = MatrixD::Constant(rows, d.n, kNaN);
  r.original = r.dequantized;
  r.magnitude = r.dequantized;
  r.quantization = r.dequantized;
  MatrixD slack_a;
  quantization_slack(in.a, in.qa, slack_a, threads);
  MatrixD abs_a, abs_a_hat;
  absolute(in.a, abs_a, threads);
  absolute(in.a_dequantized, abs_a_hat, threads);
  const references::RowVectorD* bias = d.with_bias ? &in.bias : nullptr;
  const double abs_alpha = std::fabs(d.alpha);
  // Every product reads B as stored (N x K) and writes rows of the results in place
  // (references/product.hpp): no transposed copy. One N x K buffer holds |B_hat| of the
  // block's group, then that group's slack_B: memory for one B-sized matrix whatever the
  // number of groups (each written row block has a group of its own).
  MatrixD b_term, q_b;
  for (const RowBlock& blk : written_row_blocks(d)) {
    const std::int64_t m = blk.last - blk.first;
    if (m == 0) continue;
    const auto g = static_cast<std::size_t>(blk.group);
    absolute(in.b_dequantized[g], b_term, threads);
    std::optional<references::ConstMatrixView> c_rows;
    if (d.beta != 0) c_rows.emplace(in.c.middleRows(blk.first, m));
    const auto problem = dense_problem(m, d, d.alpha, d.beta);
    references::gemm_reference_view(problem, in.a_dequantized.middleRows(blk.first, m), in.b_dequantized[g],
                                    BLayout::n_by_k, r.dequantized.middleRows(blk.first, m), c_rows, bias);
    references::gemm_reference_view(problem, in.a.middleRows(blk.first, m), in.b[g], BLayout::n_by_k,
                                    r.original.middleRows(blk.first, m), c_rows, bias);
    // |alpha| |A_hat| |B_hat| + |beta C| + |bias|, each term rounded as written.
    auto magnitude = r.magnitude.middleRows(blk.first, m);
    product(1.0, abs_a_hat.middleRows(blk.first, m), b_term, BLayout::n_by_k, 0.0, magnitude);
    magnitude *= abs_alpha;
    if (d.beta != 0) magnitude += std::fabs(d.beta) * c_rows->cwiseAbs();
    if (bias) magnitude.rowwise() += bias->cwiseAbs();
    // |alpha| (slack_A |B_hat| + |A| slack_B): the two products apart, then summed.
    auto quantization = r.quantization.middleRows(blk.first, m);
    q_b.resize(m, d.n);
    product(1.0, slack_a.middleRows(blk.first, m), b_term, BLayout::n_by_k, 0.0, quantization);
    quantization_slack(in.b[g], in.qb[g], b_term, threads);
    product(1.0, abs_a.middleRows(blk.first, m), b_term, BLayout::n_by_k, 0.0, q_b);
    quantization = abs_alpha * (quantization + q_b);
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
  double kernel_ratio = 0, total_ratio = 0, baseline_max = 0, noise = 0, max_kernel_bound = 0;
  double max_deq = 0, max_orig = 0;  // max |ref| over finite elements: the accuracy study's scale
  std::int64_t index = 0;
  // One output row at a time: its values, the two references in the output's domain; the
  // statistics take the row in one add_range call each (the bits of add() per element).
  std::vector<double> got(static_cast<std::size_t>(n)), deq(got.size()), orig(got.size());
  for (const RowBlock& blk : written_row_blocks(d))
    for (std::int64_t i = blk.first; i < blk.last; ++i, index += n) {
      const std::int64_t b = i / out.rows, row = i % out.rows;
      for (std::int64_t j = 0; j < n; ++j) {
        got[static_cast<std::size_t>(j)] = out.value(b, row, j);
        deq[static_cast<std::size_t>(j)] = ref.dequantized(i, j) * s;
        orig[static_cast<std::size_t>(j)] = ref.original(i, j) * s;
      }
      kernel.add_range(got, deq, index);
      total.add_range(got, orig, index);
      for (std::int64_t j = 0; j < n; ++j) {
        const auto jj = static_cast<std::size_t>(j);
        if (std::isfinite(deq[jj])) max_deq = std::max(max_deq, std::fabs(deq[jj]));
        if (std::isfinite(orig[jj])) max_orig = std::max(max_orig, std::fabs(orig[jj]));
        const double e = bound.coefficient * (ref.magnitude(i, j) + bound.absolute) * s;
        const double kernel_bound = e + u_out * (std::fabs(deq[jj]) + e) + eta_out;
        const double total_bound = kernel_bound + (1 + u_out) * ref.quantization(i, j) * s;
        if (std::isfinite(deq[jj])) max_kernel_bound = std::max(max_kernel_bound, kernel_bound);
        if (std::isfinite(got[jj])) {
          const double ke = std::fabs(got[jj] - deq[jj]), te = std::fabs(got[jj] - orig[jj]);
          kernel_ratio = std::max(kernel_ratio, ke == 0 ? 0.0 : ke / kernel_bound);
          total_ratio = std::max(total_ratio, te == 0 ? 0.0 : te / total_bound);
        }
        if (baseline) baseline_max = std::max(baseline_max, std::fabs(baseline->value(b, row, j) - deq[jj]));
        // FlashAttention-3's reference noise: what rounding the reference itself costs.
        noise = std::max(noise, std::fabs((deq[jj] + 0.3) - 0.3 - deq[jj]));
      }
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
    // The baseline is the emulated kernel of the arithmetic the case claims (run_gemm_case.cpp).
    const bool model = c.model.is_kernel_model();
    add(model ? "kernel max error vs emulated " + c.model.id() + " baseline" : "kernel max error vs FP32-accumulation baseline",
        ks.max_abs_error, limit, ks.max_abs_error <= limit,
        "<= ratio x the " + (model ? "emulated " + c.model.id() : std::string("plain FP32-accumulation")) +
            " kernel's max error + 2 x reference noise (FlashAttention-3 tests)");
  }
  // amax_D (cuBLASLt AMAX_D: max |t| before the output scale, feeding the next step's
  // scale) of the kernel's own values: each t is within its element's kernel bound of the
  // reference, so max |t| is within the largest bound of max |ref| (in the output's scaled
  // domain). A NaN amax is the "amax_D finite" check's (run_gemm_case.cpp).
  if (std::isfinite(out.amax) && ks.unexpected_specials.total() == 0) {
    const double amax_error = std::fabs(out.amax * s - max_deq);
    add("amax_D vs reference", amax_error, max_kernel_bound, amax_error <= max_kernel_bound,
        "|amax_D - max |ref|| in the output's domain <= the largest per-element kernel bound");
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
