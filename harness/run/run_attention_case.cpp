// The attention pipeline (see run_case.hpp): suite case -> inputs (keyed by seed, case id
// and "Q"/"K"/"V") -> quantize -> FP64 references from the original and the dequantized
// inputs -> backend run -> bf16-P baseline run (emulated) -> statistics -> checks -> verdict.
#include <memory>
#include <optional>

#include "harness/core/error.hpp"
#include "harness/run/attention_judge.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/run_case.hpp"
#include "harness/run/stage_timer.hpp"

namespace fp8check {
namespace {

// Baseline runs only where they are cheap enough to afford: B·Hq·Sq·Skv·(dqk + dv) MACs.
constexpr std::int64_t kBaselineWorkLimit = std::int64_t{1} << 32;

}  // namespace

void run_attention_case(const CaseInput& input, const RunContext& ctx, CaseResult& result) {
  StageTimer timer(result);
  const AttentionCase c = AttentionCase::from_params(input.params);
  const ToleranceSettings tol = apply_tolerance_overrides(ctx.tolerance, input.tolerance_overrides);
  result.backend = c.backend;
  const std::unique_ptr<Backend> backend =
      make_backend(c.backend, {c.model.id(), std::string(attention_fault_name(c.fault)), ctx.threads, input.id});
  result.deterministic = backend->deterministic();
  if (std::string why = backend->why_unavailable(); !why.empty()) return mark_skipped(result, why);
  const ConfigChoice<AttentionConfig> choice = choose_attention_config(c, *ctx.device);
  if (!choice.skip.empty()) return mark_skipped(result, choice.skip);
  if (!choice.error.empty()) throw InputError(choice.error);
  const AttentionConfig& config = choice.config;
  result.config = config.id();

  const AttentionInputs in = prepare_attention_inputs(c, input.id, ctx.seed, &timer);
  result.seed_key = in.key_q;
  const AttentionReferences ref = compute_attention_references(c, in, ctx.threads);
  timer.lap("reference");

  const AttentionArguments args{c.desc, in.q_operand, in.k_operand, in.v_operand, config};
  if (std::string why = backend->can_implement(args); !why.empty()) return mark_skipped(result, why);
  AttentionOutput out;
  backend->run_attention(args, out);
  timer.lap("kernel");

  // Check (b), as FlashAttention-3's tests: the same kernel (kernel model included), blocking
  // and inputs with bf16 P and no fault, whenever the case differs from it.
  std::optional<AttentionOutput> baseline;
  const AttentionDesc& d = c.desc;
  const bool differs = d.p.format != Format::bf16 || d.p.scale != 1 || c.fault != AttentionFault::none;
  const std::int64_t work = d.batch * d.q_heads * d.seq_q * d.seq_kv * (d.head_dim_qk + d.head_dim_v);
  if (ctx.baseline && differs && work <= kBaselineWorkLimit) {
    AttentionArguments plain = args;
    plain.desc.p = default_p_handling(Format::bf16);
    baseline.emplace();
    make_backend("emulated", {.kernel_model = c.model.id(), .threads = ctx.threads, .case_id = input.id})
        ->run_attention(plain, *baseline);
    timer.lap("reference");
  }
  judge_attention(c, config, ref, out, tol, baseline ? &*baseline : nullptr, result, timer);
  if (c.fault != AttentionFault::none) judge_injected_fault(attention_fault_name(c.fault), result);
  timer.lap("judge");
}

}  // namespace fp8check
