// The quantize pipeline: inputs -> reference quantizer and the backend's quantize kernel
// -> exact agreement of codes and scales -> dequantized error against the FP64 input
// -> a per-element bound (unit roundoff, underflow, clipping) -> verdict.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/run/param_text.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/generate/seed.hpp"
#include "harness/quantize/element_codec.hpp"
#include "harness/quantize/convention_diagnosis.hpp"
#include "harness/quantize/quantize_compare.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/output_record.hpp"
#include "harness/run/quantize_case.hpp"
#include "harness/run/stage_timer.hpp"
#include "kernels/emulated/quantize_fault.hpp"

namespace fp8check {
namespace {

std::pair<std::int64_t, std::int64_t> parse_rows_cols(const std::string& v) {
  const std::vector<std::string> parts = split_fields(v, '.');
  if (parts.size() != 2 || !parts[0].starts_with('r') || !parts[1].starts_with('c'))
    throw InputError("shape '" + v + "': expected rR.cC, e.g. r128.c7168");
  const std::string what = "shape '" + v + "'";
  return {parse_count(parts[0].substr(1), what, 1), parse_count(parts[1].substr(1), what, 1)};
}

const CaseAxis kQuantizeAxes[] = {
    {"format", "e4m3fn", [](const std::string& v) { parse_element_type(v); }, "the element type: e4m3fn, e5m2, int8 ..."},
    {"recipe", "tensor", [](const std::string& v) { parse_recipe(v); }, "the scaling recipe (docs/recipes.md): tensor, vec128, mxfp8 ..."},
    {"shape", nullptr, [](const std::string& v) { parse_rows_cols(v); }, "rR.cC, e.g. r128.c7168"},
    {"distribution", "normal", [](const std::string& v) { parse_distribution(v); }, "the input's distribution (docs/inputs.md)"},
    // Added after the goldens: left out of the id at "none", so existing ids are unchanged.
    {"fault", "none", [](const std::string& v) { parse_quantize_fault(v); },
     "an injected quantize-kernel bug of the emulated backend (kernels/emulated/quantize_fault.hpp)", "fault:", true},
    {"backend", "emulated", validate_backend_name, "the backend that runs the quantize kernel"},
    // Added after the goldens: left out of the id at "exact", so existing ids are unchanged.
    {"convention", "exact", [](const std::string& v) { parse_quant_convention(v); },
     "the arithmetic the kernel follows (docs/recipes.md, Conventions): exact, deepgemm, vllm, transformer-engine ...",
     "conv:", true},
};

}  // namespace

std::span<const CaseAxis> quantize_axes() { return kQuantizeAxes; }

QuantizeCase QuantizeCase::from_params(const CaseParams& params) {
  const AxisValues v(kQuantizeAxes, params, "quantize");
  QuantizeCase c;
  std::tie(c.rows, c.cols) = parse_rows_cols(v["shape"]);
  c.recipe = parse_recipe(v["recipe"], parse_element_type(v["format"]));
  c.distribution = parse_distribution(v["distribution"]);
  c.backend = v["backend"];
  c.fault = parse_quantize_fault(v["fault"]);
  c.convention = parse_quant_convention(v["convention"]);
  ScalePolicy policy;
  policy.convention = c.convention;
  check_convention(c.recipe, policy);  // e.g. a library convention on an MX recipe
  return c;
}

PreparedQuantize prepare_quantize_case(const QuantizeCase& c, const std::string& case_id, std::uint64_t seed,
                                       int threads) {
  auto tensor = [&](const std::string& name) {
    MatrixD m(c.rows, c.cols);
    generate(c.distribution, tensor_key(seed, case_id, name), std::span<double>(m.data(), static_cast<std::size_t>(m.size())), 0,
             threads);
    return m;
  };
  PreparedQuantize p;
  p.key = format_key(tensor_key(seed, case_id, "X"));
  p.x = tensor("X");
  p.options.scale.convention = c.convention;
  if (c.recipe.scheme == ScalingScheme::delayed) {
    p.history = std::make_unique<AmaxHistory>(c.recipe.delayed);
    const int steps = std::min(c.recipe.delayed.history_len, kDelayedHistorySteps);
    for (int back = steps; back >= 1; --back) p.history->record(tensor_amax(tensor("X-" + std::to_string(back))));
    p.options.history = p.history.get();
  }
  return p;
}

void run_quantize_case(const CaseInput& input, const RunContext& ctx, CaseResult& result) {
  StageTimer timer(result);
  const QuantizeCase c = QuantizeCase::from_params(input.params);
  const ToleranceSettings tol = apply_tolerance_overrides(ctx.tolerance, input.tolerance_overrides);
  const std::int64_t rows = c.rows, cols = c.cols;
  const Recipe& recipe = c.recipe;
  result.backend = c.backend;
  const std::unique_ptr<Backend> backend =
      make_backend(c.backend, {.fault = std::string(quantize_fault_name(c.fault)), .threads = ctx.threads, .case_id = input.id});
  result.deterministic = backend->deterministic();
  if (std::string why = backend->why_unavailable(); !why.empty()) return mark_skipped(result, why);
  const PreparedQuantize in = prepare_quantize_case(c, input.id, ctx.seed, ctx.threads);
  const MatrixD& x = in.x;
  result.seed_key = in.key;
  timer.lap("inputs");

  const QuantizeArguments args{&x, recipe, in.options};
  if (std::string why = backend->can_implement(args); !why.empty()) return mark_skipped(result, why);
  const QuantizedMatrix expected = quantize(x, recipe, in.options);
  timer.lap("reference");
  const QuantizedMatrix got = backend->run_quantize(args);
  timer.lap("kernel");
  const QuantizeComparison cmp = compare_quantized(expected, got);
  const MatrixD deq = dequantize(got);

  // |x - dequant(q(x))| <= u |x| + scale * half the smallest step + what saturation clipped;
  // a library convention's FP32 steps (x * q or x / s rounded to FP32, an approximate
  // division within 2 ulp) may move a value by a few FP32 ulps before it is rounded: 2^-21 |x|.
  const ElementType t = recipe.element;
  const double u = (t.is_integer() ? 0.0 : std::ldexp(1.0, -(format_spec(t.format).man_bits + 1))) +
                   (c.convention.id == ConventionId::exact ? 0.0 : 0x1p-21);
  const double half_step = t.is_integer() ? 0.5 : (format_spec(t.format).man_bits > 0 ? decode(t.format, 1) : decode(t.format, 0)) / 2;
  const double tensor = got.tensor_scale ? static_cast<double>(*got.tensor_scale) : 1.0;
  const ScaleLayout& l = got.scales.layout;
  // total_error: the dequantized tensor against x (FP64: dequantized values are not values
  // of the element format). kernel_error: each code's value against the exact scaled input
  // x / s, so ULPs count steps of the element format (float formats; integers have none).
  StatisticsOptions opts;
  opts.output_type = IeeeFloat::fp64;
  StatisticsAccumulator stats(cols, opts);
  std::optional<StatisticsAccumulator> code_stats;
  if (!t.is_integer()) {
    StatisticsOptions code_opts;
    code_opts.output_type = t.format;
    code_stats.emplace(cols, code_opts);
  }
  double ratio = 0;
  const double max_magnitude = t.max_magnitude();
  // One row at a time, the statistics in one add_range call each (the bits of add() per
  // element); one scale per block of the row.
  std::vector<double> code_values(static_cast<std::size_t>(cols)), scaled_x(code_values.size());
  for (std::int64_t i = 0; i < rows; ++i) {
    const auto row = [&](const MatrixD& m) { return std::span<const double>(&m(i, 0), static_cast<std::size_t>(cols)); };
    stats.add_range(row(deq), row(x), i * cols);
    for (std::int64_t j0 = 0; j0 < cols; j0 += l.block.cols) {
      const double s = static_cast<double>(got.scales.value(l.block_row(i), l.block_col(j0))) * tensor;
      for (std::int64_t j = j0, end = std::min(cols, j0 + l.block.cols); j < end; ++j) {
        if (code_stats) {
          code_values[static_cast<std::size_t>(j)] = decode(t.format, got.codes(i, j));
          scaled_x[static_cast<std::size_t>(j)] = x(i, j) / s;
        }
        const double bound = u * std::fabs(x(i, j)) + half_step * s + std::max(0.0, std::fabs(x(i, j)) - max_magnitude * s);
        const double err = std::fabs(deq(i, j) - x(i, j));
        if (std::isfinite(err)) ratio = std::max(ratio, err == 0 ? 0.0 : err / bound);
      }
    }
    if (code_stats) code_stats->add_range(code_values, scaled_x, i * cols);
  }
  result.total_error = stats.finish();
  if (code_stats) result.kernel_error = code_stats->finish();
  timer.lap("statistics");
  const ErrorStatistics& st = *result.total_error;
  // Codes and scales against the declared convention; when they differ, the diagnosis says
  // which other named convention explains them ("matches deepgemm except 0 codes").
  const std::string agreement =
      cmp.code_mismatches == 0 && cmp.scale_mismatches == 0 ? "convention " + describe(c.convention) + ": " + cmp.summary()
                                                            : diagnose_quantized(x, recipe, in.options, got).summary();
  result.checks.push_back({"code mismatches vs reference quantizer", static_cast<double>(cmp.code_mismatches), 0,
                           cmp.code_mismatches == 0, agreement});
  result.checks.push_back({"scale mismatches vs reference quantizer", static_cast<double>(cmp.scale_mismatches), 0,
                           cmp.scale_mismatches == 0, agreement});
  // Saturating recipes turn +-inf inputs into +-max: a reference inf with a finite output
  // is expected. A NaN or inf from a finite input, or a NaN input that lost its NaN, is not.
  const std::int64_t bad_specials = st.unexpected_specials.total() + st.missing_specials.nan;
  result.checks.push_back({"unexpected NaN/inf", static_cast<double>(bad_specials), 0, bad_specials == 0,
                           "a finite input never dequantizes to NaN or inf; a NaN input stays NaN"});
  result.checks.push_back({"dequantized error / bound", ratio, tol.max_over_bound, ratio <= tol.max_over_bound,
                           "u |x| + scale * half the smallest step + clipped magnitude, per element"});
  result.metrics["over_bound"] = ratio;
  result.metrics["code_mismatches"] = static_cast<double>(cmp.code_mismatches);
  result.metrics["scale_mismatches"] = static_cast<double>(cmp.scale_mismatches);
  // Values are the dequantized tensor (FP64); the digest covers the codes.
  result.output = make_output_record(
      "fp64", rows, cols, [&](std::int64_t e) { return got.codes(e / cols, e % cols); },
      [&](std::int64_t e) { return deq(e / cols, e % cols); });
  set_verdict_from_checks(result);
  timer.lap("judge");
  if (c.fault != QuantizeFault::none) judge_injected_fault(quantize_fault_name(c.fault), result);
}

}  // namespace fp8check
