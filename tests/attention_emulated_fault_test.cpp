// The attention faults (kernels/emulated/attention_fault.hpp): bit-identical to a
// fault-free run where the real bug cannot act, and caught by the pipeline's checks
// (run_case, op "attention") where it does; the fault-free twin of each case passes.
#include <gtest/gtest.h>

#include <cmath>
#include <ostream>

#include "harness/configs/device_profile.hpp"
#include "harness/core/error.hpp"
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

TEST(AttentionFaults, HarmlessWhereTheRealBugCannotActUnderTheWgmmaModel) {
  const AttentionFixture fp8 = make_fixture({{"shape", "b1.h2.kv2.sq20.skv300.d32"}, {"accumulation", "sm90-wgmma"}});
  const AttentionConfig whole = parse_attention_config("bq64.bkv64.s2");
  expect_same_bits(run_kernel(fp8, whole, 2), run_kernel(fp8, whole, 2, AttentionFault::kv_descale_dropped));
  const AttentionFixture bf16_q = make_fixture(
      {{"shape", "b1.h2.kv2.sq20.skv300.d32"}, {"formats", "bf16.e4m3fn"}, {"accumulation", "sm90-wgmma"}});
  expect_same_bits(run_kernel(bf16_q, whole, 2), run_kernel(bf16_q, whole, 2, AttentionFault::q_fast_path_no_kv_descale));
  const AttentionFixture short_kv = make_fixture(
      {{"shape", "b1.h2.kv1.sq64.skv128.d64"}, {"logit_scale", "4"}, {"accumulation", "sm90-wgmma"}});
  const AttentionConfig one_block = parse_attention_config("bq64.bkv128.s1");
  expect_same_bits(run_kernel(short_kv, one_block, 2), run_kernel(short_kv, one_block, 2, AttentionFault::p_scale_overflow));
  const AttentionConfig split = parse_attention_config("bq64.bkv64.s2.sp2");
  const AttentionOutput good = run_kernel(fp8, split, 2);
  for (AttentionFault fault : {AttentionFault::p_scale_overflow, AttentionFault::kv_descale_dropped,
                               AttentionFault::q_fast_path_no_kv_descale})
    EXPECT_NE(run_kernel(fp8, split, 2, fault).bits, good.bits) << attention_fault_name(fault);
}

TEST(AttentionFaults, EachFaultChangesTheOutputWhereItActs) {
  const AttentionFixture f = make_fixture({{"shape", "b1.h2.kv2.sq20.skv300.d32"}});
  const AttentionConfig split = parse_attention_config("bq64.bkv64.s2.sp2");
  const AttentionOutput good = run_kernel(f, split, 2);
  for (AttentionFault fault : {AttentionFault::p_scale_overflow, AttentionFault::kv_descale_dropped,
                               AttentionFault::q_fast_path_no_kv_descale})
    EXPECT_NE(run_kernel(f, split, 2, fault).bits, good.bits) << attention_fault_name(fault);
}

CaseResult run_attention(const CaseParams& params) {
  RunContext ctx;
  ctx.device = &find_device_profile("sm_90");
  ctx.threads = 2;
  CaseInput input;
  input.op = "attention";
  input.params = params;
  input.id = "attention/pipeline-test";
  return run_case(input, ctx);
}

TEST(AttentionPipeline, UnsupportedDevicesSkipAndBadConfigsAreErrors) {
  const CaseResult sm86 = run_attention({{"shape", "b1.h2.kv2.sq8.skv64.d64"}, {"device", "sm_86"}});
  EXPECT_EQ(sm86.verdict, Verdict::skipped);
  EXPECT_NE(sm86.reason.find("needs native FP8 MMA"), std::string::npos) << sm86.reason;
  const CaseResult wide = run_attention({{"shape", "b1.h2.kv2.sq8.skv64.d64"}, {"config", "bq64.bkv176.s1"}});
  EXPECT_EQ(wide.verdict, Verdict::error);
  EXPECT_NE(wide.reason.find("block_kv: 176 is not a multiple of 32"), std::string::npos) << wide.reason;
  const CaseResult gpu = run_attention({{"shape", "b1.h2.kv2.sq8.skv64.d64"}, {"backend", "cuda"}});
  EXPECT_EQ(gpu.verdict, Verdict::skipped) << gpu.reason;
  const CaseResult bad = run_attention({{"shape", "b1.h3.kv2.sq8.skv64.d64"}});
  EXPECT_EQ(bad.verdict, Verdict::error);
  EXPECT_NE(bad.reason.find("must divide heads"), std::string::npos) << bad.reason;
  const CaseResult ok = run_attention({{"shape", "b1.h2.kv2.sq8.skv64.d64"}, {"config", "bq64.bkv64.s1"}});
  EXPECT_EQ(ok.verdict, Verdict::pass) << ok.reason;
  EXPECT_EQ(ok.config, "bq64.bkv64.s1");
  ASSERT_TRUE(ok.output.has_value());
  EXPECT_EQ(ok.output->rows, 2 * 8);
  EXPECT_EQ(ok.output->cols, 64);
}

TEST(AttentionPipeline, CaseParamsBuildTheDescriptor) {
  const AttentionCase c = AttentionCase::from_params({{"shape", "b2.h8.kv1.sq1.skv4224.d192.dv128"},
                                                      {"formats", "bf16.e5m2"},
                                                      {"p", "e5m2.s64"},
                                                      {"logit_scale", "4"},
                                                      {"output", "fp32"}});
  EXPECT_EQ(c.desc.shape_id(), "b2.h8.kv1.sq1.skv4224.d192.dv128");
  EXPECT_EQ(c.desc.q_type, ElementType::of(Format::bf16));
  EXPECT_EQ(c.desc.v_type, ElementType::of(Format::e5m2));
  EXPECT_EQ(c.desc.softmax_scale, static_cast<double>(static_cast<float>(4 / std::sqrt(192.0))));
  EXPECT_EQ(c.desc.p.name(), "e5m2.s64");
  for (const char* bad : {"b1.h2.kv2.sq8.d64", "b1.h2.kv2.sq8.skv8.d64.sliding", "b1.h2.kv2.sq8.skv0.d64"})
    EXPECT_THROW(AttentionCase::from_params({{"shape", bad}}), InputError) << bad;
  EXPECT_THROW(AttentionCase::from_params({{"shape", "b1.h2.kv2.sq8.skv8.d64"}, {"logit_scale", "-1"}}), InputError);
  EXPECT_THROW(AttentionCase::from_params({{"shape", "b1.h2.kv2.sq8.skv8.d64"}, {"output", "e4m3fn"}}), InputError);
  EXPECT_THROW(AttentionCase::from_params({{"shape", "b1.h2.kv2.sq8.skv8.d64"}, {"fault", "nope"}}), InputError);
}

struct FaultCase {
  const char* fault;
  const char* shape;
  const char* config;
  const char* failing_check;  // the check that must catch it
  const char* accumulation = "fp32";
};

void PrintTo(const FaultCase& f, std::ostream* os) {
  *os << f.fault << " on " << f.shape << " " << f.config << " " << f.accumulation << ": " << f.failing_check;
}

class AttentionFaultCaught : public ::testing::TestWithParam<FaultCase> {};

TEST_P(AttentionFaultCaught, ByThePipelineChecks) {
  const FaultCase& fc = GetParam();
  RunContext ctx;
  ctx.seed = 20261121;
  ctx.device = &find_device_profile("sm_90");
  ctx.threads = 2;
  CaseInput input;
  input.op = "attention";
  input.params = {{"shape", fc.shape}, {"config", fc.config}, {"fault", fc.fault}, {"accumulation", fc.accumulation}};
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
        FaultCase{"q_fast_path_no_kv_descale", "b1.h2.kv2.sq32.skv64.d64", "auto", "kernel max error vs bf16-P baseline"},
        // Under Hopper's wgmma model (attention_model.hpp) the same bugs are caught the same way.
        FaultCase{"p_scale_overflow", "b1.h2.kv1.sq64.skv129.d64", "bq64.bkv128.s1", "P * p_scale within FP8 range",
                  "sm90-wgmma"},
        FaultCase{"p_scale_overflow", "b1.h2.kv1.sq64.skv129.d64", "bq64.bkv128.s1", "kernel max error vs bf16-P baseline",
                  "sm90-wgmma"},
        FaultCase{"kv_descale_dropped", "b1.h2.kv2.sq16.skv256.d64", "bq64.bkv64.s2.sp2", "kernel error / a-priori bound",
                  "sm90-wgmma"},
        FaultCase{"kv_descale_dropped", "b1.h2.kv2.sq16.skv256.d64", "bq64.bkv64.s2.sp2",
                  "kernel max error vs bf16-P baseline", "sm90-wgmma"},
        FaultCase{"q_fast_path_no_kv_descale", "b1.h2.kv2.sq32.skv64.d64", "auto", "kernel error / a-priori bound",
                  "sm90-wgmma"},
        FaultCase{"q_fast_path_no_kv_descale", "b1.h2.kv2.sq32.skv64.d64", "auto", "kernel max error vs bf16-P baseline",
                  "sm90-wgmma"}));

}  // namespace
}  // namespace fp8check::test
