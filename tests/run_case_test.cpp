// The case pipeline through its public entry run_case: one small case per op, every
// injected fault caught on the case built for it and harmless on a clean twin, and how the
// pipeline treats a backend's answers (unavailable, can_implement refusals, exceptions).
#include <gtest/gtest.h>

#include <algorithm>
#include <new>
#include <stdexcept>

#include "harness/configs/device_profile.hpp"
#include "harness/core/error.hpp"
#include "harness/record/run_status.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/quantize_case.hpp"
#include "harness/run/run_case.hpp"
#include "kernels/emulated/emulated_backend.hpp"
#include "tests/run_case_support.hpp"

namespace fp8check {
namespace {

using test::find_check;
using test::sm90_context;

CaseResult run(const std::string& op, CaseParams params) {
  return run_case(test::case_input(op, std::move(params)), sm90_context());
}

// Every stage of the op's pipeline is timed, and the stages add up to no more than the case.
void expect_stage_times(const CaseResult& r, std::vector<std::string> stages) {
  double sum = 0;
  for (const std::string& s : stages) {
    ASSERT_TRUE(r.stage_seconds.contains(s)) << r.id << " lacks stage " << s;
    EXPECT_GE(r.stage_seconds.at(s), 0.0);
  }
  for (const auto& [stage, seconds] : r.stage_seconds) {
    EXPECT_NE(std::find(stages.begin(), stages.end(), stage), stages.end()) << stage;
    sum += seconds;
  }
  EXPECT_LE(sum, r.seconds);
  EXPECT_GT(sum, 0.5 * r.seconds);  // the stages cover the case, not a sliver of it
}

TEST(RunCase, EveryOpJudgesASmallCleanCase) {
  const CaseResult gemm = run("gemm", {{"shape", "m64.n96.k256"}});
  EXPECT_EQ(gemm.verdict, Verdict::pass) << gemm.reason;
  EXPECT_TRUE(gemm.deterministic);
  EXPECT_EQ(gemm.backend, "emulated");
  ASSERT_TRUE(gemm.kernel_error && gemm.output);
  EXPECT_EQ(gemm.output->rows, 64);
  EXPECT_NE(find_check(gemm, "kernel error / a-priori bound"), nullptr);
  expect_stage_times(gemm, {"inputs", "quantize", "reference", "kernel", "statistics", "judge"});

  const CaseResult quantize = run("quantize", {{"shape", "r32.c256"}, {"recipe", "vec128"}});
  EXPECT_EQ(quantize.verdict, Verdict::pass) << quantize.reason;
  ASSERT_NE(find_check(quantize, "code mismatches vs reference quantizer"), nullptr);
  EXPECT_EQ(find_check(quantize, "code mismatches vs reference quantizer")->observed, 0);
  expect_stage_times(quantize, {"inputs", "reference", "kernel", "statistics", "judge"});
  // ULPs count steps of the element format from the correctly rounded x / s: the
  // reference quantizer is 0 ULP away everywhere (not ~4.5e18 FP64 ULPs, as before).
  ASSERT_TRUE(quantize.kernel_error);
  EXPECT_EQ(quantize.kernel_error->max_ulp, 0u);
  EXPECT_EQ(quantize.kernel_error->ulp_histogram[0], 32 * 256);

  const CaseResult attention = run("attention", {{"shape", "b1.h2.kv1.sq64.skv96.d64.causal"}});
  EXPECT_EQ(attention.verdict, Verdict::pass) << attention.reason;
  ASSERT_TRUE(attention.kernel_error);
  expect_stage_times(attention, {"inputs", "quantize", "reference", "kernel", "statistics", "judge"});
}

struct FaultCase {
  const char* op;
  const char* fault;
  CaseParams params;  // where the real bug bites
};

class InjectedFault : public ::testing::TestWithParam<FaultCase> {};

// Each fault on its case is caught (the case passes, metric fault_detected = 1, the reason
// names the check); the same case without the fault passes with every check green.
TEST_P(InjectedFault, IsCaughtAndTheCleanTwinPasses) {
  const FaultCase& f = GetParam();
  CaseParams faulty = f.params;
  faulty.emplace_back("fault", f.fault);
  const CaseResult caught = run(f.op, faulty);
  EXPECT_EQ(caught.verdict, Verdict::pass) << caught.reason;
  EXPECT_EQ(caught.metrics.at("fault_detected"), 1.0);
  EXPECT_NE(caught.reason.find(std::string("injected fault ") + f.fault + " caught: "), std::string::npos) << caught.reason;

  const CaseResult clean = run(f.op, f.params);
  EXPECT_EQ(clean.verdict, Verdict::pass) << clean.reason;
  for (const Check& c : clean.checks) EXPECT_TRUE(c.passed) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Gemm, InjectedFault,
    ::testing::Values(
        FaultCase{"gemm", "split_k_scale_offset_forgotten", {{"shape", "m128.n256.k640"}, {"config", "bm128.bn128.bk128.s2.sk2"}}},
        FaultCase{"gemm", "last_partial_k_block_skipped", {{"shape", "m128.n256.k640"}, {"config", "bm128.bn128.bk128.s2.sk2"}}},
        FaultCase{"gemm", "scale_pointer_not_advanced",
                  {{"shape", "m128.n256.k512"}, {"config", "bm128.bn128.bk64.s2"}, {"device", "sm_89"}}},
        FaultCase{"gemm", "padding_rows_read", {{"shape", "m128.n256.k256.g4m.v40"}}}),
    [](const auto& info) { return std::string(info.param.fault); });

INSTANTIATE_TEST_SUITE_P(
    Attention, InjectedFault,
    ::testing::Values(FaultCase{"attention", "p_scale_overflow", {{"shape", "b1.h2.kv2.sq64.skv129.d128"}}},
                      FaultCase{"attention", "kv_descale_dropped", {{"shape", "b1.h4.kv2.sq64.skv256.d128.causal"}}},
                      FaultCase{"attention", "q_fast_path_no_kv_descale", {{"shape", "b1.h4.kv2.sq64.skv256.d128.causal"}}}),
    [](const auto& info) { return std::string(info.param.fault); });

INSTANTIATE_TEST_SUITE_P(
    Quantize, InjectedFault,
    ::testing::Values(FaultCase{"quantize", "wrong_fp8_variant", {{"shape", "r64.c512"}, {"recipe", "vec128"}}},
                      FaultCase{"quantize", "no_saturation", {{"shape", "r64.c1024"}, {"recipe", "mxfp8"}}},
                      FaultCase{"quantize", "round_toward_zero", {{"shape", "r64.c512"}, {"recipe", "vec128"}}},
                      FaultCase{"quantize", "round_half_away",
                                {{"shape", "r64.c1024"}, {"recipe", "mxfp8"}, {"distribution", "integers(-1000,1000)"}}},
                      FaultCase{"quantize", "inverted_scale", {{"shape", "r64.c512"}, {"recipe", "vec128"}}},
                      FaultCase{"quantize", "transposed_scale_layout", {{"shape", "r64.c512"}, {"recipe", "vec128"}}}),
    [](const auto& info) { return std::string(info.param.fault); });

// A backend whose every answer the test chooses.
class ScriptedBackend final : public Backend {
 public:
  enum class Act { refuse, throw_input, throw_runtime, throw_bad_alloc, write_nothing };
  explicit ScriptedBackend(Act act) : act_(act) {}
  std::string_view name() const override { return "scripted"; }
  bool deterministic() const override { return false; }
  std::string why_unavailable() const override { return ""; }
  std::string can_implement(const GemmArguments&) const override {
    return act_ == Act::refuse ? "scripted: no kernel for this layout" : "";
  }
  void run_gemm(const GemmArguments&, GemmOutput&) override {
    switch (act_) {
      case Act::throw_input: throw InputError("scripted: bad argument");
      case Act::throw_runtime: throw std::runtime_error("scripted: driver exploded");
      case Act::throw_bad_alloc: throw std::bad_alloc();
      default: return;
    }
  }

 private:
  Act act_;
};

CaseResult run_scripted(ScriptedBackend::Act act) {
  register_backend("scripted", [act](const BackendOptions&) { return std::make_unique<ScriptedBackend>(act); });
  return run("gemm", {{"shape", "m32.n64.k128"}, {"backend", "scripted"}});
}

TEST(RunCase, CanImplementRefusalSkipsWithTheReason) {
  const CaseResult r = run_scripted(ScriptedBackend::Act::refuse);
  EXPECT_EQ(r.verdict, Verdict::skipped);
  EXPECT_EQ(r.reason, "scripted: no kernel for this layout");
  EXPECT_FALSE(r.deterministic);
}

TEST(RunCase, EveryExceptionOfACaseBecomesItsErrorVerdict) {
  CaseResult r = run_scripted(ScriptedBackend::Act::throw_input);
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_EQ(r.reason, "scripted: bad argument");
  EXPECT_EQ(r.metrics.count("internal_error"), 0u);

  r = run_scripted(ScriptedBackend::Act::throw_bad_alloc);
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_NE(r.reason.find("out of memory"), std::string::npos) << r.reason;

  r = run_scripted(ScriptedBackend::Act::throw_runtime);
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_NE(r.reason.find("driver exploded"), std::string::npos) << r.reason;
  EXPECT_EQ(r.metrics.at("internal_error"), 1.0);
  EXPECT_EQ(run_status(std::span(&r, 1)).exit_code, 3);
}

TEST(RunCase, AKernelThatWritesNothingFails) {
  // The output starts as a NaN sentinel: an untouched output is never a pass.
  const CaseResult r = run_scripted(ScriptedBackend::Act::write_nothing);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.reason;
  EXPECT_NE(r.reason.find("unexpected NaN/inf"), std::string::npos) << r.reason;
}

TEST(RunCase, UnavailableBackendsSkipAndUnknownOnesAreErrors) {
  const CaseResult cuda = run("gemm", {{"shape", "m32.n64.k128"}, {"backend", "cuda"}});
  EXPECT_EQ(cuda.verdict, Verdict::skipped);
  // A CPU-only build names the backend without it; a CUDA build on this GPU-less machine has it.
  EXPECT_TRUE(cuda.reason.find("not built into this program") != std::string::npos ||
              cuda.reason.find("no CUDA device") != std::string::npos)
      << cuda.reason;
  const CaseResult unknown = run("gemm", {{"shape", "m32.n64.k128"}, {"backend", "nonesuch"}});
  EXPECT_EQ(unknown.verdict, Verdict::error);
  EXPECT_NE(unknown.reason.find("unknown backend 'nonesuch'"), std::string::npos) << unknown.reason;
  const CaseResult op = run("conv", {});
  EXPECT_EQ(op.verdict, Verdict::error);
}

TEST(RunCase, HugeProblemsAreErrorsNotAborts) {
  const CaseResult r = run("gemm", {{"shape", "m1000000000.n1000000000.k128"}});
  EXPECT_EQ(r.verdict, Verdict::error) << r.reason;
  EXPECT_EQ(r.metrics.count("internal_error"), 0u) << r.reason;
}

// A quantize kernel that follows a library's arithmetic, whatever the case declares.
class ConventionQuantizer final : public Backend {
 public:
  explicit ConventionQuantizer(std::string convention) : convention_(std::move(convention)) {}
  std::string_view name() const override { return "convention_quantizer"; }
  bool deterministic() const override { return true; }
  std::string why_unavailable() const override { return ""; }
  std::string can_implement(const QuantizeArguments&) const override { return ""; }
  QuantizedMatrix run_quantize(const QuantizeArguments& args) override {
    QuantizeOptions o = args.options;
    o.scale.convention = parse_quant_convention(convention_);
    return quantize(*args.x, args.recipe, o);
  }

 private:
  std::string convention_;
};

// The `convention` axis declares the arithmetic a quantize kernel follows: a DeepGEMM-style
// kernel passes when the case declares deepgemm, and fails when it declares exact, with a
// diagnosis naming deepgemm. The axis stays out of ids at its default.
TEST(RunCase, QuantizeConventionsAreDeclaredAndDiagnosed) {
  register_backend("convention_quantizer", [](const BackendOptions&) { return std::make_unique<ConventionQuantizer>("deepgemm"); });
  const CaseParams bf16_like{{"shape", "r64.c512"}, {"recipe", "vec128"}, {"distribution", "llm_activation"},
                             {"backend", "convention_quantizer"}};
  CaseParams declared = bf16_like;
  declared.emplace_back("convention", "deepgemm");
  const CaseResult pass = run("quantize", declared);
  EXPECT_EQ(pass.verdict, Verdict::pass) << pass.reason;

  const CaseResult fail = run("quantize", bf16_like);  // declared exact (the default)
  ASSERT_EQ(fail.verdict, Verdict::fail) << fail.reason;
  const Check* codes = find_check(fail, "code mismatches vs reference quantizer");
  const Check* scales = find_check(fail, "scale mismatches vs reference quantizer");
  ASSERT_TRUE(codes && scales);
  EXPECT_GT(codes->observed + scales->observed, 0);
  EXPECT_NE(codes->detail.find("matches deepgemm"), std::string::npos) << codes->detail;

  // The emulated backend with a declared convention: the reference quantizer of that convention.
  CaseParams emulated{{"shape", "r64.c512"}, {"recipe", "vec128"}, {"convention", "vllm"}};
  const CaseResult vllm = run("quantize", emulated);
  EXPECT_EQ(vllm.verdict, Verdict::pass) << vllm.reason;
  CaseResult mx = run("quantize", {{"shape", "r64.c512"}, {"recipe", "mxfp8"}, {"convention", "deepgemm"}});
  EXPECT_EQ(mx.verdict, Verdict::error) << "a library convention on an MX recipe";
}

// A delayed recipe runs from a suite: the scale comes from the amaxes of earlier keyed
// steps, so X itself may saturate; the pipeline's reference uses the same history.
TEST(RunCase, DelayedScalingRunsWithAKeyedHistory) {
  const QuantizeCase c = QuantizeCase::from_params({{"shape", "r32.c256"}, {"recipe", "delayed_recent4"}});
  const PreparedQuantize p = prepare_quantize_case(c, "delayed-case", 7);
  ASSERT_TRUE(p.history);
  EXPECT_EQ(p.options.history, p.history.get());
  ASSERT_EQ(p.history->window().size(), 4u);
  const PreparedQuantize again = prepare_quantize_case(c, "delayed-case", 7);
  EXPECT_EQ(again.history->window(), p.history->window()) << "keyed: the same history every time";
  EXPECT_NE(*p.history->scale_amax(), tensor_amax(p.x)) << "the scale is not X's own amax";
  const QuantizeCase longer = QuantizeCase::from_params({{"shape", "r32.c256"}, {"recipe", "delayed"}});
  EXPECT_EQ(prepare_quantize_case(longer, "delayed-case", 7).history->window().size(),
            static_cast<std::size_t>(kDelayedHistorySteps));
  const CaseResult r = run("quantize", {{"shape", "r32.c256"}, {"recipe", "delayed_max8_m1"}});
  EXPECT_EQ(r.verdict, Verdict::pass) << r.reason;
}

TEST(EmulatedBackend, RefusesUnknownOptionsAndFaultsOfAnotherOp) {
  EXPECT_THROW(make_emulated_backend({.kernel_model = "tc99q"}), InputError);
  EXPECT_THROW(make_emulated_backend({.fault = "nonesuch"}), InputError);
  EXPECT_THROW(make_emulated_backend({.threads = -1}), InputError);
  const auto gemm_faulty = make_emulated_backend({.fault = "padding_rows_read"});
  EXPECT_NE(gemm_faulty->can_implement(AttentionArguments{}), "");
  EXPECT_EQ(gemm_faulty->can_implement(GemmArguments{}), "");
  EXPECT_NE(gemm_faulty->can_implement(QuantizeArguments{}), "");
  // One kernel-model name for both ops: each op refuses a model only the other has.
  const auto exact = make_emulated_backend({.kernel_model = "exact", .fault = "none", .threads = 1, .case_id = ""});
  EXPECT_EQ(exact->can_implement(GemmArguments{}), "");
  EXPECT_NE(exact->can_implement(AttentionArguments{}).find("no such kernel model"), std::string::npos);
  const auto wgmma = make_emulated_backend({.kernel_model = "sm90-wgmma", .fault = "none", .threads = 1, .case_id = ""});
  EXPECT_EQ(wgmma->can_implement(AttentionArguments{}), "");
  AttentionArguments odd_block;
  odd_block.config.block_kv = 80;  // not a multiple of the FP8 P·V instruction's k = 32
  EXPECT_NE(wgmma->can_implement(odd_block).find("not a multiple of 32"), std::string::npos);
  try {
    make_emulated_backend({.kernel_model = "sm90-wgmma.p128x", .fault = "none", .threads = 1, .case_id = ""});
    ADD_FAILURE() << "accepted a model neither op knows";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("as an attention kernel model"), std::string::npos) << e.what();
  }
  const auto quantize_faulty = make_emulated_backend({"", "inverted_scale", 1});
  EXPECT_EQ(quantize_faulty->can_implement(QuantizeArguments{}), "");
  EXPECT_NE(quantize_faulty->can_implement(GemmArguments{}), "");
}

TEST(RunStatus, ARunThatJudgedNothingFailsAndSaysWhy) {
  std::vector<CaseResult> results(3);
  for (CaseResult& r : results) {
    r.verdict = Verdict::skipped;
    r.reason = "no GPU";
  }
  results[2].reason = "sm_86 lacks FP8";
  RunStatus s = run_status(results);
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_EQ(s.line, "0 judged: 3 skipped: no GPU (2 cases; 1 other reason)");
  EXPECT_EQ(run_status({}).exit_code, 1);

  results[0].verdict = Verdict::pass;
  s = run_status(results);
  EXPECT_EQ(s.exit_code, 0);
  EXPECT_EQ(s.line, "all 1 judged cases passed (2 skipped)");
  s = run_status(results, /*fail_on_skip=*/true);
  EXPECT_EQ(s.exit_code, 1);
  EXPECT_NE(s.line.find("--fail-on-skip"), std::string::npos);

  results[1].verdict = Verdict::fail;
  EXPECT_EQ(run_status(results).exit_code, 1);
  EXPECT_EQ(run_status(results).line, "1 of 3 cases failed, regressed or could not be judged");
}

}  // namespace
}  // namespace fp8check
