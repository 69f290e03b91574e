// The attention pipeline (see run_case.hpp): suite case -> inputs (keyed by seed, case id
// and "Q"/"K"/"V") -> quantize -> FP64 references from the original and the dequantized
// inputs -> emulated run -> bf16-P baseline run -> statistics -> checks -> verdict.
#include <memory>
#include <optional>

#include "harness/configs/attention_selector.hpp"
#include "harness/core/error.hpp"
#include "harness/run/attention_judge.hpp"
#include "harness/run/backend.hpp"
#include "harness/run/run_case.hpp"

namespace fp8check {
namespace {

// Baseline runs only where they are cheap enough to afford: B·Hq·Sq·Skv·(dqk + dv) MACs.
constexpr std::int64_t kBaselineWorkLimit = std::int64_t{1} << 32;

// auto/all: the selector's first choice; an explicit id: that config, which the device must
// accept. Sets *skip or *error when the case cannot run.
AttentionConfig choose_config(const AttentionCase& c, const DeviceProfile& device, std::string* skip,
                              std::string* error) {
  const std::string unsupported = why_attention_unsupported(c.desc, device);
  const bool automatic = c.config == "auto" || c.config == "all";
  const AttentionConfig explicit_config = automatic ? AttentionConfig{} : parse_attention_config(c.config);
  if (!unsupported.empty()) {
    *skip = unsupported + "; device is " + device.name;
    return explicit_config;
  }
  if (automatic) return select_attention_configs(c.desc, device).candidates.front().config;
  const AttentionConfigVerdict v = evaluate_attention_config(c.desc, device, explicit_config);
  if (!v.fits) *error = "config " + explicit_config.id() + " rejected on " + device.name + ": " + v.reason;
  return explicit_config;
}

}  // namespace

void run_attention_case(const CaseInput& input, const RunContext& ctx, CaseResult& result) {
  const AttentionCase c = AttentionCase::from_params(input.params);
  const ToleranceSettings tol = apply_tolerance_overrides(ctx.tolerance, input.tolerance_overrides);
  result.backend = c.backend;
  if (c.backend != "emulated") {
    // Only the emulated backend has an attention kernel; a GPU backend named in a suite is
    // skipped with its reason where it cannot run, and is an error where it could.
    const std::unique_ptr<Backend> backend = make_backend(c.backend);
    const std::string why = backend->why_unavailable();
    result.verdict = why.empty() ? Verdict::error : Verdict::skipped;
    result.reason = why.empty() ? "backend " + c.backend + " has no attention kernel (only emulated runs attention)" : why;
    return;
  }
  const DeviceProfile& device = c.device == "suite" ? *ctx.device : find_device_profile(c.device);
  std::string skip, error;
  const AttentionConfig config = choose_config(c, device, &skip, &error);
  if (!skip.empty() || !error.empty()) {
    result.verdict = skip.empty() ? Verdict::error : Verdict::skipped;
    result.reason = skip.empty() ? error : skip;
    return;
  }
  result.config = config.id();

  const AttentionInputs in = prepare_attention_inputs(c, input.id, ctx.seed);
  result.seed_key = in.key_q;
  const AttentionReferences ref = compute_attention_references(c, in, ctx.threads);

  AttentionOutput out;
  attention_emulated(c.desc, in.q_operand, in.k_operand, in.v_operand, config, out, ctx.threads, c.fault);

  // Check (b), as FlashAttention-3's tests: the same kernel, blocking and inputs with bf16 P
  // and no fault, whenever the case differs from it.
  std::optional<AttentionOutput> baseline;
  const AttentionDesc& d = c.desc;
  const bool differs = d.p.format != Format::bf16 || d.p.scale != 1 || c.fault != AttentionFault::none;
  const std::int64_t work = d.batch * d.q_heads * d.seq_q * d.seq_kv * (d.head_dim_qk + d.head_dim_v);
  if (ctx.baseline && differs && work <= kBaselineWorkLimit) {
    AttentionDesc plain = d;
    plain.p = default_p_handling(Format::bf16);
    baseline.emplace();
    attention_emulated(plain, in.q_operand, in.k_operand, in.v_operand, config, *baseline, ctx.threads);
  }
  judge_attention(c, config, ref, out, tol, baseline ? &*baseline : nullptr, result);
  if (c.fault != AttentionFault::none) judge_injected_fault(attention_fault_name(c.fault), result);
}

}  // namespace fp8check
