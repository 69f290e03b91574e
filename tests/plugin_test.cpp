// Plug-in backends through their public entries (docs/plugins.md): the example plug-in
// (examples/plugin) loaded, registered and judged by run_case like any backend; plug-ins
// that are not what they claim (tests/plugin/faulty_plugin.c, the wrong-ABI build of the
// example) refused with one line, or turned into the case's verdict.
#include <gtest/gtest.h>

#include <limits>
#include <tuple>

#include "harness/configs/device_profile.hpp"
#include "harness/core/error.hpp"
#include "harness/plugin/plugin_loader.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/run_case.hpp"
#include "tests/plugin/echo_plugin.hpp"
#include "tests/run_case_support.hpp"

namespace fp8check {
namespace {

using plugin::load_backend_library;
using test::find_check;

CaseResult run(const std::string& op, CaseParams params) {
  return run_case(test::case_input(op, std::move(params)), test::sm90_context());
}

std::string load_error(const std::string& path) {
  try {
    load_backend_library(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Plugin, TheExamplePluginIsJudgedLikeAnyBackend) {
  ASSERT_EQ(load_backend_library(EXAMPLE_PLUGIN), "example");
  EXPECT_EQ(load_backend_library(EXAMPLE_PLUGIN), "example");  // loading again is harmless
  EXPECT_TRUE(make_backend("example")->deterministic());

  for (const char* recipe : {"vec128.blk128x128", "tensor"}) {
    const CaseResult gemm = run("gemm", {{"shape", "m64.n96.k256"}, {"recipe", recipe}, {"output", "fp32"},
                                         {"backend", "example"}});
    EXPECT_EQ(gemm.verdict, Verdict::pass) << recipe << ": " << gemm.reason;
    EXPECT_EQ(gemm.backend, "example");
    EXPECT_TRUE(gemm.deterministic);
    // A backend other than emulated is held to the plain FP32-accumulation baseline too.
    EXPECT_NE(find_check(gemm, "kernel max error vs FP32-accumulation baseline"), nullptr) << recipe;
  }
  const CaseResult batched = run("gemm", {{"shape", "m32.n64.k256.b3"}, {"recipe", "tensor"}, {"epilogue", "bias"},
                                          {"backend", "example"}});
  EXPECT_EQ(batched.verdict, Verdict::pass) << batched.reason;

  const CaseResult quantize = run("quantize", {{"shape", "r64.c512"}, {"recipe", "tensor"}, {"backend", "example"}});
  EXPECT_EQ(quantize.verdict, Verdict::pass) << quantize.reason;
  ASSERT_NE(find_check(quantize, "code mismatches vs reference quantizer"), nullptr);
  EXPECT_EQ(find_check(quantize, "code mismatches vs reference quantizer")->observed, 0);
  EXPECT_EQ(find_check(quantize, "scale mismatches vs reference quantizer")->observed, 0);
}

TEST(Plugin, WhatThePluginDeclinesIsSkippedWithItsReason) {
  load_backend_library(EXAMPLE_PLUGIN);
  const CaseResult attention = run("attention", {{"shape", "b1.h2.kv1.sq64.skv96.d64"}, {"backend", "example"}});
  EXPECT_EQ(attention.verdict, Verdict::skipped);
  EXPECT_EQ(attention.reason, "plug-in example has no attention kernel");
  const CaseResult fp16 = run("gemm", {{"shape", "m32.n64.k256"}, {"output", "fp16"}, {"backend", "example"}});
  EXPECT_EQ(fp16.verdict, Verdict::skipped);
  EXPECT_EQ(fp16.reason, "plug-in example: the example plug-in writes fp32 and bf16 outputs only, not fp16");
  const CaseResult mx = run("quantize", {{"shape", "r8.c64"}, {"recipe", "mxfp8"}, {"backend", "example"}});
  EXPECT_EQ(mx.verdict, Verdict::skipped);
  EXPECT_NE(mx.reason.find("per tensor to e4m3fn only"), std::string::npos) << mx.reason;
  // Injected faults are the emulated backend's.
  const CaseResult fault = run("gemm", {{"shape", "m128.n256.k256.g4m.v40"}, {"fault", "padding_rows_read"},
                                        {"backend", "example"}});
  EXPECT_EQ(fault.verdict, Verdict::skipped);
  EXPECT_NE(fault.reason.find("has no injected faults"), std::string::npos) << fault.reason;
}

TEST(Plugin, AWrongAbiVersionIsRefusedNamingBoth) {
  const std::string e = load_error(WRONG_ABI_PLUGIN);
  EXPECT_NE(e.find("was built for fp8check plug-in ABI version 999; this fp8check loads version 1"), std::string::npos)
      << e;
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST(Plugin, LibrariesThatAreNoPluginsAreRefused) {
  EXPECT_NE(load_error("/nonexistent/libnothing.so").find("cannot be loaded"), std::string::npos);
  EXPECT_NE(load_error(FAULTY_PLUGIN_2).find("has no symbol fp8check_plugin_entry"), std::string::npos);
  EXPECT_NE(load_error(FAULTY_PLUGIN_3).find("names itself 'bad name', which contains ' '"), std::string::npos)
      << load_error(FAULTY_PLUGIN_3);
  EXPECT_NE(load_error(FAULTY_PLUGIN_4).find("names itself 'emulated', which is already a backend"), std::string::npos)
      << load_error(FAULTY_PLUGIN_4);
  EXPECT_NE(load_error(FAULTY_PLUGIN_5).find("gives run_gemm without can_implement_gemm"), std::string::npos)
      << load_error(FAULTY_PLUGIN_5);
  EXPECT_EQ(load_error(""), "--backend-lib needs the path of a plug-in library (docs/plugins.md)");
}

TEST(Plugin, APluginThatFailsMakesTheCaseAnErrorNotACrash) {
  ASSERT_EQ(load_backend_library(FAULTY_PLUGIN_1), "faulty");
  const CaseResult gemm = run("gemm", {{"shape", "m32.n64.k128"}, {"backend", "faulty"}});
  EXPECT_EQ(gemm.verdict, Verdict::error);
  EXPECT_EQ(gemm.reason, "plug-in faulty: run_gemm failed (status 2): simulated device failure: illegal memory access");
  EXPECT_EQ(gemm.metrics.count("internal_error"), 0u);  // the plug-in's failure, not fp8check's bug
  const CaseResult quantize = run("quantize", {{"shape", "r8.c64"}, {"backend", "faulty"}});
  EXPECT_EQ(quantize.verdict, Verdict::error);
  EXPECT_NE(quantize.reason.find("can_implement_quantize failed (status 7)"), std::string::npos) << quantize.reason;
}

TEST(Plugin, AnUnavailablePluginSkipsEveryCase) {
  ASSERT_EQ(load_backend_library(FAULTY_PLUGIN_6), "unavailable");
  const CaseResult r = run("gemm", {{"shape", "m32.n64.k128"}, {"backend", "unavailable"}});
  EXPECT_EQ(r.verdict, Verdict::skipped);
  EXPECT_EQ(r.reason, "plug-in unavailable is unavailable: no GPU here");
}

// The same case on the emulated backend and on "echo" (the emulated backend behind the C
// mirrors): identical bits, so the mirrors carry everything (kinds, layouts and leading
// dimensions, every scale layout, epilogues, configs, attention's shapes and P, quantize
// recipes with coded scales and tensor scales).
TEST(Plugin, TheCMirrorsLoseNothing) {
  ASSERT_EQ(plugin::register_plugin(test::echo_plugin(), "echo_plugin.cpp"), "echo");
  const std::vector<std::pair<std::string, CaseParams>> cases = {
      {"gemm", {{"shape", "m64.n96.k256"}}},
      {"gemm", {{"shape", "m64.n96.k256"}, {"recipe", "tensor"}, {"output", "fp32"}, {"layout", "TN+pad16"}}},
      {"gemm", {{"shape", "m64.n96.k256"}, {"recipe", "row.col"}, {"epilogue", "beta"}}},
      {"gemm", {{"shape", "m64.n96.k256"}, {"output", "e4m3fn"}, {"epilogue", "bias"}}},
      {"gemm", {{"shape", "m64.n128.k256"}, {"recipe", "mxfp8"}, {"device", "sm_100"}}},
      {"gemm", {{"shape", "m64.n128.k256"}, {"formats", "e2m1fn.e2m1fn"}, {"recipe", "nvfp4"}, {"device", "sm_100"}}},
      {"gemm", {{"shape", "m64.n256.k512"}, {"formats", "int4.int4"}, {"recipe", "int4_g32"}, {"device", "sm_89"}}},
      {"gemm", {{"shape", "m256.n128.k256.g4"}, {"accumulation", "exact"}}},
      {"gemm", {{"shape", "m128.n128.k128.g4m.v40"}}},
      {"gemm", {{"shape", "m32.n64.k256.b3"}, {"recipe", "tensor"}, {"epilogue", "alpha2"}}},
      {"gemm", {{"shape", "m128.n256.k640"}, {"config", "bm128.bn128.bk128.s2.sk2.tree"}, {"accumulation", "sm90-wgmma.p128"}}},
      {"attention", {{"shape", "b1.h4.kv2.sq128.skv129.d64.causal"}}},
      {"attention", {{"shape", "b1.h4.kv1.sq1.skv1023.d128"}, {"formats", "e5m2.e5m2"}, {"p", "bf16"}}},
      {"attention", {{"shape", "b1.h2.kv1.sq64.skv256.d192.dv128.causal"}, {"formats", "bf16.e4m3fn"}, {"scaling", "head"}}},
      {"quantize", {{"shape", "r64.c512"}, {"recipe", "blk128x128"}, {"format", "e5m2"}}},
      {"quantize", {{"shape", "r64.c512"}, {"recipe", "mxfp8"}}},
      {"quantize", {{"shape", "r64.c512"}, {"recipe", "nvfp4"}, {"format", "e2m1fn"}}},
      {"quantize", {{"shape", "r64.c512"}, {"recipe", "int4_g32"}, {"format", "int4"}}},
  };
  RunContext ctx;
  ctx.seed = 7;
  ctx.device = &find_device_profile("sm_90");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CaseInput in{"echo/" + std::to_string(i), cases[i].first, cases[i].second, {}, {}};
    in.params.emplace_back("backend", "emulated");
    const CaseResult emulated = run_case(in, ctx);
    in.params.back().second = "echo";
    const CaseResult echo = run_case(in, ctx);
    EXPECT_EQ(emulated.verdict, Verdict::pass) << in.id << " " << emulated.reason;
    EXPECT_EQ(echo.verdict, emulated.verdict) << in.id << " " << echo.reason;
    ASSERT_TRUE(emulated.output && echo.output) << in.id;
    EXPECT_EQ(echo.output->digest, emulated.output->digest) << in.id;
    EXPECT_EQ(echo.backend, "echo");
  }
}

// Plug-ins whose D and O are right but whose side outputs are not: the emulated kernel
// behind the C mirrors (echo), then one realistic mistake in amax_D or the LSE. amax_D
// feeds the next step's FP8 scale (delayed scaling), the LSE the backward pass and the
// split-KV combine: both are outputs of the ABI and must be judged.
const fp8check_plugin& echo() { return *test::echo_plugin(); }

int amax_unwritten(const fp8check_gemm_args* a, fp8check_gemm_output* out, char* m, std::size_t n) {
  const int status = echo().run_gemm(a, out, m, n);
  out->amax = 0;  // what fp8check put there: the kernel never wrote it
  return status;
}
int amax_after_d_scale(const fp8check_gemm_args* a, fp8check_gemm_output* out, char* m, std::size_t n) {
  const int status = echo().run_gemm(a, out, m, n);
  out->amax *= a->problem.d_scale;  // the amax of the scaled values, not of D
  return status;
}
std::int64_t lse_rows(const fp8check_attention_args* a) { return a->batch * a->q_heads * a->seq_q; }
int lse_log2(const fp8check_attention_args* a, fp8check_attention_output* out, char* m, std::size_t n) {
  const int status = echo().run_attention(a, out, m, n);
  for (std::int64_t i = 0; i < lse_rows(a); ++i) out->lse[i] *= 1.4426950408889634f;  // log2 units, not natural log
  return status;
}
int lse_unwritten(const fp8check_attention_args* a, fp8check_attention_output* out, char* m, std::size_t n) {
  const int status = echo().run_attention(a, out, m, n);
  for (std::int64_t i = 0; i < lse_rows(a); ++i) out->lse[i] = std::numeric_limits<float>::quiet_NaN();
  return status;
}

TEST(Plugin, AWrongAmaxOrLseFails) {
  static fp8check_plugin variants[4];
  const std::pair<const char*, int> names[] = {{"amax_unwritten", 0}, {"amax_after_d_scale", 1}, {"lse_log2", 2},
                                               {"lse_unwritten", 3}};
  for (const auto& [name, i] : names) {
    variants[i] = echo();
    variants[i].name = name;
  }
  variants[0].run_gemm = amax_unwritten;
  variants[1].run_gemm = amax_after_d_scale;
  variants[2].run_attention = lse_log2;
  variants[3].run_attention = lse_unwritten;
  for (const auto& [name, i] : names) ASSERT_EQ(plugin::register_plugin(&variants[i], "plugin_test.cpp"), name);

  const CaseParams bf16 = {{"shape", "m64.n96.k256"}}, e4m3 = {{"shape", "m64.n96.k256"}, {"output", "e4m3fn"}};
  const CaseParams attention = {{"shape", "b1.h4.kv2.sq128.skv129.d64.causal"}};
  // The same cases through echo itself pass: the checks hold a faithful kernel.
  ASSERT_EQ(plugin::register_plugin(test::echo_plugin(), "echo_plugin.cpp"), "echo");
  for (const auto& [op, params] : {std::pair{"gemm", bf16}, {"gemm", e4m3}, {"attention", attention}}) {
    CaseParams p = params;
    p.emplace_back("backend", "echo");
    const CaseResult r = run(op, p);
    EXPECT_EQ(r.verdict, Verdict::pass) << op << " " << r.reason;
  }
  const std::tuple<const char*, const char*, CaseParams, const char*> expected[] = {
      {"amax_unwritten", "gemm", bf16, "amax_D vs reference"},
      {"amax_after_d_scale", "gemm", e4m3, "amax_D vs reference"},
      {"lse_log2", "attention", attention, "LSE error / bound"},
      {"lse_unwritten", "attention", attention, "LSE error / bound"},
  };
  for (const auto& [name, op, params, check] : expected) {
    CaseParams p = params;
    p.emplace_back("backend", name);
    const CaseResult r = run(op, p);
    EXPECT_EQ(r.verdict, Verdict::fail) << name << " " << r.reason;
    EXPECT_EQ(r.reason.rfind(check, 0), 0u) << name << ": " << r.reason;
    if (std::string(name) == "amax_after_d_scale") EXPECT_NE(r.metrics.at("output_scale"), 1.0);
  }
}

}  // namespace
}  // namespace fp8check
