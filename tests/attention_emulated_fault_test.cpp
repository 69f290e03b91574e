// The attention faults (kernels/emulated/attention_fault.hpp): bit-identical to a
// fault-free run where the real bug cannot act, and caught by the pipeline's checks
// (run_case, op "attention") where it does; the fault-free twin of each case passes.
#include <gtest/gtest.h>

#include "harness/configs/device_profile.hpp"
#include "harness/run/run_case.hpp"
#include "tests/attention_test_support.hpp"

namespace fp8check::test {
namespace {

TEST(AttentionFaults, HarmlessWhereTheRealBugCannotAct) {
  // kv_descale_dropped lives on the split path: one split is untouched.
  const AttentionFixture fp8 = make_fixture({{"shape", "b1.h2.kv2.sq20.skv300.d32"}});
  const AttentionConfig whole = parse_attention_config("bq64.bkv64.s2");
  expect_same_bits(run_kernel(fp8, whole, 2), run_kernel(fp8, whole, 2, AttentionFault::kv_descale_dropped));
  // The FP8-Q fast path is not taken for bf16 Q.
  const AttentionFixture bf16_q = make_fixture({{"shape", "b1.h2.kv2.sq20.skv300.d32"}, {"formats", "bf16.e4m3fn"}});
  expect_same_bits(run_kernel(bf16_q, whole, 2), run_kernel(bf16_q, whole, 2, AttentionFault::q_fast_path_no_kv_descale));
  // A stale max needs a second block: none when the keys fit in one.
  const AttentionFixture short_kv = make_fixture({{"shape", "b1.h2.kv1.sq64.skv128.d64"}, {"logit_scale", "4"}});
  const AttentionConfig one_block = parse_attention_config("bq64.bkv128.s1");
  expect_same_bits(run_kernel(short_kv, one_block, 2), run_kernel(short_kv, one_block, 2, AttentionFault::p_scale_overflow));
}

TEST(AttentionFaults, EachFaultChangesTheOutputWhereItActs) {
  const AttentionFixture f = make_fixture({{"shape", "b1.h2.kv2.sq20.skv300.d32"}});
  const AttentionConfig split = parse_attention_config("bq64.bkv64.s2.sp2");
  const AttentionOutput good = run_kernel(f, split, 2);
  for (AttentionFault fault : {AttentionFault::p_scale_overflow, AttentionFault::kv_descale_dropped,
                               AttentionFault::q_fast_path_no_kv_descale})
    EXPECT_NE(run_kernel(f, split, 2, fault).bits, good.bits) << attention_fault_name(fault);
}

struct FaultCase {
  const char* fault;
  const char* shape;
  const char* config;
  const char* failing_check;  // the check that must catch it
};

class AttentionFaultCaught : public ::testing::TestWithParam<FaultCase> {};

TEST_P(AttentionFaultCaught, ByThePipelineChecks) {
  const FaultCase& fc = GetParam();
  RunContext ctx;
  ctx.seed = 20261121;
  ctx.device = &find_device_profile("sm_90");
  ctx.threads = 2;
  CaseInput input;
  input.op = "attention";
  input.params = {{"shape", fc.shape}, {"config", fc.config}, {"fault", fc.fault}};
  input.id = std::string("attention/") + fc.shape + "/" + fc.fault;
  const CaseResult caught = run_case(input, ctx);
  EXPECT_EQ(caught.verdict, Verdict::pass) << caught.reason;  // judge_injected_fault: caught = pass
  EXPECT_EQ(caught.metrics.at("fault_detected"), 1.0) << caught.reason;
  const Check* check = find_check(caught, fc.failing_check);
  ASSERT_NE(check, nullptr) << fc.failing_check;
  EXPECT_FALSE(check->passed) << fc.failing_check << ": " << check->observed << " <= " << check->limit;

  input.params[2].second = "none";  // the same case without the bug passes every check
  const CaseResult clean = run_case(input, ctx);
  EXPECT_EQ(clean.verdict, Verdict::pass) << clean.reason;
  for (const Check& c : clean.checks) EXPECT_TRUE(c.passed) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Faults, AttentionFaultCaught,
    ::testing::Values(
        FaultCase{"p_scale_overflow", "b1.h2.kv1.sq64.skv129.d64", "bq64.bkv128.s1", "P * p_scale within FP8 range"},
        FaultCase{"p_scale_overflow", "b1.h2.kv1.sq64.skv129.d64", "bq64.bkv128.s1", "kernel error / a-priori bound"},
        FaultCase{"kv_descale_dropped", "b1.h2.kv2.sq16.skv256.d64", "bq64.bkv64.s2.sp2", "kernel error / a-priori bound"},
        FaultCase{"kv_descale_dropped", "b1.h2.kv2.sq16.skv256.d64", "bq64.bkv64.s2.sp2",
                  "kernel max error vs bf16-P baseline"},
        FaultCase{"q_fast_path_no_kv_descale", "b1.h2.kv2.sq32.skv64.d64", "auto", "kernel error / a-priori bound"},
        FaultCase{"q_fast_path_no_kv_descale", "b1.h2.kv2.sq32.skv64.d64", "auto", "kernel max error vs bf16-P baseline"}));

}  // namespace
}  // namespace fp8check::test
