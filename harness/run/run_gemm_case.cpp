// The GEMM pipeline (see run_case.hpp).
#include <cmath>
#include <memory>
#include <optional>

#include "harness/configs/gemm_selector.hpp"
#include "harness/core/error.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/choose_config.hpp"
#include "harness/run/gemm_judge.hpp"
#include "harness/run/run_case.hpp"
#include "harness/run/stage_timer.hpp"

namespace fp8check {
namespace {

// What an output element holds before the kernel runs: a NaN code of the output type with
// a payload no kernel writes by accident (e4m3fn has one NaN code per sign: the positive
// one), so an element the kernel leaves alone reads as NaN and fails the NaN check.
std::uint32_t unwritten_sentinel(OutputType t) {
  switch (t) {
    case OutputType::fp32: return 0x7FC0DEADu;
    case OutputType::bf16: return 0x7FDEu;
    case OutputType::fp16: return 0x7EADu;
    case OutputType::e4m3fn: return 0x7Fu;
  }
  throw InternalError("unwritten_sentinel: unknown output type");
}

}  // namespace

void run_gemm_case(const CaseInput& input, const RunContext& ctx, CaseResult& result) {
  StageTimer timer(result);
  const GemmCase c = GemmCase::from_params(input.params);
  const ToleranceSettings tol = apply_tolerance_overrides(ctx.tolerance, input.tolerance_overrides);
  result.backend = c.backend;

  const std::unique_ptr<Backend> backend =
      make_backend(c.backend, {c.model.id(), std::string(gemm_fault_name(c.fault)), ctx.threads});
  result.deterministic = backend->deterministic();
  if (std::string why = backend->why_unavailable(); !why.empty()) return mark_skipped(result, why);
  const DeviceProfile& device = c.device == "suite" ? *ctx.device : find_device_profile(c.device);
  const ConfigChoice<GemmConfig> choice = choose_config<GemmConfig>(
      c.config, c.config == "auto" || c.config == "orders", why_gemm_unsupported(c.desc, device), device,
      [&] { return select_gemm_configs(c.desc, device).candidates.front().config; }, parse_gemm_config,
      [&](const GemmConfig& config) { return evaluate_gemm_config(c.desc, device, config); });
  if (!choice.skip.empty()) return mark_skipped(result, choice.skip);
  if (!choice.error.empty()) throw InputError(choice.error);
  result.config = choice.config.id();

  // inputs -> quantize
  GemmInputs in = prepare_gemm_inputs(c, input.id, ctx.seed, &timer);
  result.seed_key = in.key_a;
  // FP64 references (before the run: an e4m3 output's scale comes from the reference amax)
  const GemmReferences ref = compute_gemm_references(c, in);
  in.args.problem.d_scale = static_cast<float>(ref.output_scale);
  in.args.config = choice.config;
  in.args.validate();
  timer.lap("reference");
  if (std::string why = backend->can_implement(in.args); !why.empty()) return mark_skipped(result, why);

  // backend run, into an output whose unwritten rows hold a sentinel
  GemmOutput out;
  out.prepare_for(in.args.problem);
  const std::uint32_t sentinel = unwritten_sentinel(c.desc.d_type);
  std::fill(out.bits.begin(), out.bits.end(), sentinel);
  backend->run_gemm(in.args, out);
  timer.lap("kernel");

  // check (b), as FlashAttention-3's tests: a kernel that claims FP32 accumulation (a
  // device backend, or an emulated one with an injected fault) against the plain emulated
  // FP32-accumulation model on the same operands and config, when the case is small
  // enough to afford it. Emulated models 2 and 3 are judged by their own bound (a).
  std::optional<GemmOutput> baseline;
  const bool differs_from_baseline = c.model.kind == AccumulationModel::Kind::fp32_tiled &&
                                     (c.backend != "emulated" || c.fault != GemmFault::none);
  if (ctx.baseline && differs_from_baseline && c.desc.m * c.desc.n * c.desc.k <= (1ll << 28)) {
    baseline.emplace();
    baseline->prepare_for(in.args.problem);
    make_backend("emulated", {.threads = ctx.threads})->run_gemm(in.args, *baseline);
    timer.lap("reference");
  }

  // statistics -> verdict
  const std::int64_t scale_k = std::max<std::int64_t>(c.desc.a_scale.k, c.desc.b_scale.k);
  const AccumulationBound bound = gemm_accumulation_bound(c.model, choice.config, c.desc.k, scale_k);
  judge_gemm(c, in, ref, out, bound, tol, baseline ? &*baseline : nullptr, result, timer);

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
  if (total > 0) {
    result.checks.push_back({"padding rows written", static_cast<double>(touched), 0, touched == 0,
                             "rows past a masked group's valid count must be neither read nor written"});
    if (touched && result.verdict == Verdict::pass) {
      result.verdict = Verdict::fail;
      result.reason = "padding rows written: " + std::to_string(touched) + " elements of rows the problem does not own";
    }
  }
  const bool amax_ok = std::isfinite(out.amax) || !std::isfinite(result.kernel_error->max_abs_error);
  result.checks.push_back({"amax_D finite", std::isfinite(out.amax) ? 1.0 : 0.0, 1, amax_ok,
                           "amax of D (cuBLASLt AMAX_D) is NaN only when D has a NaN"});
  if (!amax_ok && result.verdict == Verdict::pass) {
    result.verdict = Verdict::fail;
    result.reason = "amax_D is NaN although every output is finite (padding or poisoned values were read)";
  }
  if (c.fault != GemmFault::none) judge_injected_fault(gemm_fault_name(c.fault), result);
  timer.lap("judge");
}

}  // namespace fp8check
