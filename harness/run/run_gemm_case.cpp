// The GEMM pipeline (see run_case.hpp).
#include <chrono>
#include <cmath>
#include <cstring>

#include "harness/configs/gemm_selector.hpp"
#include "harness/core/error.hpp"
#include "harness/run/gemm_judge.hpp"
#include "harness/run/quantize_case.hpp"
#include "harness/run/run_case.hpp"

namespace fp8check {
namespace {

constexpr std::uint32_t kUnwrittenSentinel = 0x7FC0DEADu;  // a NaN pattern no kernel writes by accident

// auto: the selector's first choice on the run's device; an explicit id: that config,
// which the device must accept. Returns "" and sets *skip / *error when it cannot run.
GemmConfig choose_config(const GemmCase& c, const DeviceProfile& device, std::string* skip, std::string* error) {
  const std::string unsupported = why_gemm_unsupported(c.desc, device);
  if (c.config == "auto" || c.config == "orders") {
    if (!unsupported.empty()) {
      *skip = unsupported + "; device is " + device.name;
      return {};
    }
    return select_gemm_configs(c.desc, device).candidates.front().config;
  }
  const GemmConfig explicit_config = parse_gemm_config(c.config);
  if (!unsupported.empty()) {
    *skip = unsupported + "; device is " + device.name;
    return explicit_config;
  }
  const ConfigVerdict v = evaluate_gemm_config(c.desc, device, explicit_config);
  if (!v.fits) *error = "config " + explicit_config.id() + " rejected on " + device.name + ": " + v.reason;
  return explicit_config;
}

void run_gemm(const CaseInput& input, const RunContext& ctx, CaseResult& result) {
  const GemmCase c = GemmCase::from_params(input.params);
  const ToleranceSettings tol = apply_tolerance_overrides(ctx.tolerance, input.tolerance_overrides);
  result.backend = c.backend;

  std::unique_ptr<Backend> backend = make_backend(c.backend);
  if (std::string why = backend->why_unavailable(); !why.empty()) {
    result.verdict = Verdict::skipped;
    result.reason = why;
    return;
  }
  const DeviceProfile& device = c.device == "suite" ? *ctx.device : find_device_profile(c.device);
  std::string skip, error;
  const GemmConfig config = choose_config(c, device, &skip, &error);
  if (!skip.empty() || !error.empty()) {
    result.verdict = skip.empty() ? Verdict::error : Verdict::skipped;
    result.reason = skip.empty() ? error : skip;
    return;
  }
  result.config = config.id();

  // inputs -> quantize
  GemmInputs in = prepare_gemm_inputs(c, input.id, ctx.seed);
  result.seed_key = in.key_a;
  // FP64 references (before the run: an e4m3 output's scale comes from the reference amax)
  const GemmReferences ref = compute_gemm_references(c, in);
  in.launch.problem.d_scale = static_cast<float>(ref.output_scale);
  in.launch.config = config;
  in.launch.threads = ctx.threads;

  // backend run, into an output whose unwritten rows hold a sentinel
  GemmOutput out;
  out.prepare_for(in.launch.problem);
  std::fill(out.bits.begin(), out.bits.end(), kUnwrittenSentinel);
  backend->run_gemm(in.launch, out);

  // check (b), as FlashAttention-3's tests: a kernel that claims FP32 accumulation (a
  // device backend, or an emulated one with an injected fault) against the plain emulated
  // FP32-accumulation model on the same operands and config, when the case is small
  // enough to afford it. Emulated models 2 and 3 are judged by their own bound (a).
  std::optional<GemmOutput> baseline;
  const bool differs_from_baseline = c.model.kind == AccumulationModel::Kind::fp32_tiled &&
                                     (c.backend != "emulated" || c.fault != GemmFault::none);
  if (ctx.baseline && differs_from_baseline && c.desc.m * c.desc.n * c.desc.k <= (1ll << 28)) {
    GemmLaunch plain = in.launch;
    plain.model = AccumulationModel{};
    plain.fault = GemmFault::none;
    baseline.emplace();
    baseline->prepare_for(plain.problem);
    make_backend("emulated")->run_gemm(plain, *baseline);
  }

  // statistics -> verdict
  const std::int64_t scale_k = std::max<std::int64_t>(c.desc.a_scale.k, c.desc.b_scale.k);
  const AccumulationBound bound = gemm_accumulation_bound(c.model, config, c.desc.k, scale_k);
  judge_gemm(c, in, ref, out, bound, tol, baseline ? &*baseline : nullptr, result);

  // Rows the problem must not write (masked padding) still hold the sentinel.
  std::int64_t touched = 0, total = 0;
  std::vector<bool> written(static_cast<std::size_t>(c.desc.stored_rows()), false);
  for (const RowBlock& blk : written_row_blocks(c.desc))
    for (std::int64_t i = blk.first; i < blk.last; ++i) written[static_cast<std::size_t>(i)] = true;
  for (std::int64_t i = 0; i < c.desc.stored_rows(); ++i) {
    if (written[static_cast<std::size_t>(i)]) continue;
    for (std::int64_t j = 0; j < c.desc.n; ++j, ++total)
      touched += out.at(i / out.rows, i % out.rows, j) != kUnwrittenSentinel;
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
}

}  // namespace

void judge_injected_fault(std::string_view fault, CaseResult& result) {
  // A case with an injected kernel bug replays a real failure: it passes when the
  // harness catches the bug (some check fails) and fails when the bug goes unnoticed.
  result.metrics["fault_detected"] = result.verdict == Verdict::fail ? 1.0 : 0.0;
  if (result.verdict == Verdict::fail) {
    result.verdict = Verdict::pass;
    result.reason = "injected fault " + std::string(fault) + " caught: " + result.reason;
  } else if (result.verdict == Verdict::pass) {
    result.verdict = Verdict::fail;
    result.reason = "injected fault " + std::string(fault) + " went unnoticed: every check passed";
  }
}

CaseResult run_case(const CaseInput& c, const RunContext& ctx) {
  CaseResult result;
  result.id = c.id;
  result.op = c.op;
  result.params = c.params;
  const auto start = std::chrono::steady_clock::now();
  try {
    if (c.op == "gemm") run_gemm(c, ctx, result);
    else if (c.op == "attention") run_attention_case(c, ctx, result);
    else if (c.op == "quantize") run_quantize_case(c, ctx, result);
    else throw InputError("unknown op '" + c.op + "'");
  } catch (const InputError& e) {
    // Verdicts as data: an invalid config or input is this case's error, not the run's.
    result.verdict = Verdict::error;
    result.reason = e.what();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!c.seed_bug.empty()) result.params.emplace_back("seed_bug", c.seed_bug);
  return result;
}

}  // namespace fp8check
