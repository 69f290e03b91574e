// The GEMM pipeline (see run_case.hpp).
#include <cmath>
#include <memory>
#include <optional>
#include <utility>

#include "harness/core/error.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/gemm_prepare.hpp"
#include "harness/run/run_case.hpp"
#include "harness/run/stage_timer.hpp"

namespace fp8check {
namespace {


struct BitComparison {
  std::int64_t compared = 0, differing = 0;
};

// Written elements whose bits differ (two NaNs of any payload agree: an output that went
// through float32 values keeps no payload).
BitComparison compare_written_bits(const GemmDesc& d, const GemmOutput& got, const GemmOutput& expected) {
  BitComparison r;
  for (const RowBlock& blk : written_row_blocks(d))
    for (std::int64_t i = blk.first; i < blk.last; ++i)
      for (std::int64_t j = 0; j < d.n; ++j, ++r.compared) {
        const std::int64_t b = i / got.rows, row = i % got.rows;
        const bool both_nan = std::isnan(got.value(b, row, j)) && std::isnan(expected.value(b, row, j));
        r.differing += !both_nan && got.at(b, row, j) != expected.at(b, row, j);
      }
  return r;
}

}  // namespace

void run_gemm_case(const CaseInput& input, const RunContext& ctx, CaseResult& result) {
  StageTimer timer(result);
  GemmCase c = GemmCase::from_params(input.params);
  c.model = case_accumulation(c, *ctx.device);
  const ToleranceSettings tol = apply_tolerance_overrides(ctx.tolerance, input.tolerance_overrides);
  result.backend = c.backend;

  const std::unique_ptr<Backend> backend = make_backend(c.backend, {c.model.id(), std::string(gemm_fault_name(c.fault)),
                                                                     ctx.threads, input.id, c.fast_accum, c.algorithm});
  result.deterministic = backend->deterministic();
  if (std::string why = backend->why_unavailable(); !why.empty()) return mark_skipped(result, why);
  const ConfigChoice<GemmConfig> choice = choose_gemm_config(c, *ctx.device);
  if (!choice.skip.empty()) return mark_skipped(result, choice.skip);
  if (!choice.error.empty()) throw InputError(choice.error);
  result.config = choice.config.id();

  // inputs -> quantize -> FP64 references (gemm_prepare.hpp: `export` builds the same)
  const PreparedGemm prepared = prepare_gemm_case(c, choice.config, input.id, ctx.seed, &timer, ctx.threads);
  const GemmInputs& in = prepared.in;
  const GemmReferences& ref = prepared.ref;
  result.seed_key = in.key_a;
  if (std::string why = backend->can_implement(in.args); !why.empty()) return mark_skipped(result, why);

  // backend run, into an output whose unwritten rows hold a sentinel
  GemmOutput out;
  out.prepare_for(in.args.problem);
  const std::uint32_t sentinel = unwritten_output_code(c.desc.d_type);
  std::fill(out.bits.begin(), out.bits.end(), sentinel);
  backend->run_gemm(in.args, out);
  timer.lap("kernel");

  // The arithmetic the kernel declares (--kernel-model): the emulated backend with that
  // model on the same arguments must give the same bits.
  std::optional<BitComparison> model_bits;
  std::optional<GemmOutput> declared;
  if (!ctx.declared_kernel_model.empty()) {
    const std::unique_ptr<Backend> model = make_backend("emulated", {ctx.declared_kernel_model, "none", ctx.threads});
    if (std::string why = model->can_implement(in.args); !why.empty())
      throw InputError("the declared kernel model " + ctx.declared_kernel_model + " cannot run this case: " + why);
    declared.emplace();
    declared->prepare_for(in.args.problem);
    model->run_gemm(in.args, *declared);
    model_bits = compare_written_bits(c.desc, out, *declared);
  }

  // check (b), as FlashAttention-3's tests: a kernel that claims FP32 accumulation or a
  // kernel model (any backend but the emulated one, or the emulated one with an injected
  // fault) against the emulated kernel of that arithmetic on the same operands and config,
  // when the case is small enough to afford it. The a-priori bound of a kernel model is a
  // worst case 20-100x the typical error (docs/tolerance.md): a wrong block scale or a
  // bf16 accumulator stays under it, not under 2x the model's own error. The emulated
  // backend's own kernel models and the exact model are judged by their bound (a), and so
  // is a case whose model is only the device profile's default (accumulation = "device"):
  // which model a device's kernels follow is for a GPU run to measure, not to assume.
  std::optional<GemmOutput> baseline;
  const bool claims = c.model.kind == AccumulationModel::Kind::fp32_tiled ||
                      (c.model.is_kernel_model() && !c.accumulation_from_device && c.backend != "emulated");
  const bool differs_from_baseline = claims && (c.backend != "emulated" || c.fault != GemmFault::none);
  if (ctx.baseline && differs_from_baseline && c.desc.m * c.desc.n * c.desc.k <= (1ll << 28)) {
    if (declared && ctx.declared_kernel_model == c.model.id()) {
      baseline = std::move(declared);  // the declared model's run above is this baseline
    } else {
      baseline.emplace();
      baseline->prepare_for(in.args.problem);
      make_backend("emulated", {.kernel_model = c.model.id(), .threads = ctx.threads})->run_gemm(in.args, *baseline);
    }
    timer.lap("reference");
  }

  // statistics -> verdict
  const std::int64_t scale_k = std::max<std::int64_t>(c.desc.a_scale.k, c.desc.b_scale.k);
  AccumulationBound bound =
      gemm_accumulation_bound(c.model, choice.config, c.desc.k, scale_k, c.desc.a_type.format, c.desc.b_type.format);
  if (c.model.is_kernel_model()) {
    const auto scale_max = [](const QuantizedMatrix& q) {
      float m = 0;
      for (float s : q.scales.values) m = std::isfinite(s) ? std::max(m, s) : m;
      return static_cast<double>(m) * (q.tensor_scale ? static_cast<double>(*q.tensor_scale) : 1.0);
    };
    double b_scale = 0;
    for (const QuantizedMatrix& q : in.qb) b_scale = std::max(b_scale, scale_max(q));
    bound.absolute = kernel_model_operand_slack(c.desc.a_type.format, c.desc.b_type.format, c.desc.k, c.desc.alpha,
                                                in.a_dequantized, scale_max(in.qa), in.b_dequantized, b_scale);
  }
  judge_gemm(c, in, ref, out, bound, tol, baseline ? &*baseline : nullptr, result, timer);
  // What the kernel measured about its own run (device backends: tflops, peak_fraction).
  for (const auto& [name, value] : out.metrics) result.metrics[name] = value;

  // Checks on the whole output, after the statistics: a failing one fails a passing case.
  auto add_check = [&](Check check, const std::string& reason) {
    const bool passed = check.passed;
    result.checks.push_back(std::move(check));
    if (!passed && result.verdict == Verdict::pass) {
      result.verdict = Verdict::fail;
      result.reason = reason;
    }
  };
  // Rows the problem must not write (masked padding) still hold the sentinel.
  std::int64_t touched = 0, total = 0;
  std::vector<bool> written(static_cast<std::size_t>(c.desc.stored_rows()), false);
  for (const RowBlock& blk : written_row_blocks(c.desc))
    for (std::int64_t i = blk.first; i < blk.last; ++i) written[static_cast<std::size_t>(i)] = true;
  for (std::int64_t i = 0; i < c.desc.stored_rows(); ++i) {
    if (written[static_cast<std::size_t>(i)]) continue;
    for (std::int64_t j = 0; j < c.desc.n; ++j, ++total)
      touched += out.at(i / out.rows, i % out.rows, j) != sentinel;
  }
  if (total > 0)
    add_check({"padding rows written", static_cast<double>(touched), 0, touched == 0,
               "rows past a masked group's valid count must be neither read nor written"},
              "padding rows written: " + std::to_string(touched) + " elements of rows the problem does not own");
  const bool amax_ok = std::isfinite(out.amax) || !std::isfinite(result.kernel_error->max_abs_error);
  add_check({"amax_D finite", std::isfinite(out.amax) ? 1.0 : 0.0, 1, amax_ok,
             "amax of D (cuBLASLt AMAX_D) is NaN only when D has a NaN"},
            "amax_D is NaN although every output is finite (padding or poisoned values were read)");
  if (model_bits) {
    const std::string name = "bits equal to emulated " + ctx.declared_kernel_model;
    add_check({name, static_cast<double>(model_bits->differing), 0, model_bits->differing == 0,
               "the kernel declares this arithmetic: every written element must carry the emulated model's bits"},
              name + ": " + std::to_string(model_bits->differing) + " of " + std::to_string(model_bits->compared) +
                  " elements differ");
  }
  if (c.fault != GemmFault::none) judge_injected_fault(gemm_fault_name(c.fault), result);
  timer.lap("judge");
}

}  // namespace fp8check
