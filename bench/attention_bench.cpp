// Speed of the emulated FP8 attention against the FP64 reference (docs/performance.md),
// 8 heads × 1024 × 128 (Sq = Skv = 1024, MHA), causal and not, on the same inputs: Q, K, V
// from the pipeline (normal, per-tensor e4m3), the reference fed the dequantized tensors.
//   attention_reference/<causal>: references::attention_reference, threads 0 (its choice:
//     heads on every core when OpenBLAS is single-threaded, else OpenBLAS's threads)
//   attention_emulated/<causal>/<p>/<model>: attention_emulated, 2 threads, config bq128.bkv128.s2,
//     p = 0: e4m3 P (scale 2^8), 1: bf16 P; model = 0: fp32, 1: sm90-wgmma (Q·Kᵀ and P·V through
//     the wgmma instruction model, kernels/emulated/attention_model.hpp)
// Run: build/bench/attention_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// Time is wall-clock; CPU is the whole process's CPU time, every thread included.
#include <benchmark/benchmark.h>

#include <string>

#include "harness/run/attention_inputs.hpp"

namespace fp8check {
namespace {

AttentionCase make_case(bool causal, const char* p) {
  return AttentionCase::from_params({{"shape", std::string("b1.h8.kv8.sq1024.skv1024.d128") + (causal ? ".causal" : "")},
                                     {"p", p}});
}

void attention_reference(benchmark::State& state) {
  const AttentionCase c = make_case(state.range(0) != 0, "e4m3");
  const AttentionInputs in = prepare_attention_inputs(c, "attention_bench", 1);
  const references::AttentionProblem p = reference_problem(c.desc);
  for (auto _ : state) {
    references::AttentionResult r = references::attention_reference(p, in.q_hat, in.k_hat, in.v_hat, 0);
    benchmark::DoNotOptimize(r.out.per_head.data());
  }
  state.SetLabel(std::string(references::product_backend()) + (c.desc.causal ? ", causal" : ""));
}

void attention_emulated(benchmark::State& state) {
  const AttentionCase c = make_case(state.range(0) != 0, state.range(1) == 0 ? "e4m3" : "bf16");
  const AttentionInputs in = prepare_attention_inputs(c, "attention_bench", 1);
  const AttentionConfig config = parse_attention_config("bq128.bkv128.s2");
  const AttentionKernelModel model = parse_attention_kernel_model(state.range(2) == 0 ? "fp32" : "sm90-wgmma");
  AttentionOutput out;
  for (auto _ : state) {
    fp8check::attention_emulated(c.desc, in.q_operand, in.k_operand, in.v_operand, config, out, 2,
                                 AttentionFault::none, model);
    benchmark::DoNotOptimize(out.bits.data());
  }
  state.SetLabel(model.id() + ", P " + c.desc.p.name() + (c.desc.causal ? ", causal" : "") + ", 2 threads");
}

BENCHMARK(attention_reference)
    ->ArgNames({"causal"})
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
BENCHMARK(attention_emulated)
    ->ArgNames({"causal", "bf16_p", "wgmma"})
    ->ArgsProduct({{0, 1}, {0, 1}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

}  // namespace
}  // namespace fp8check

BENCHMARK_MAIN();
