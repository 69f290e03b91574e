// RunContext::declared_kernel_model (verify --kernel-model): a kernel that declares the
// arithmetic it follows must carry the emulated model's bits on every written element.
#include <gtest/gtest.h>

#include "harness/configs/device_profile.hpp"
#include "harness/run/run_case.hpp"
#include "tests/run_case_support.hpp"

namespace fp8check {
namespace {

CaseResult run_declaring(const std::string& model, CaseParams params) {
  RunContext ctx = test::sm90_context(20261203);
  ctx.declared_kernel_model = model;
  CaseInput in;
  in.op = "gemm";
  in.params = std::move(params);
  in.id = "gemm/declared";
  for (const auto& [axis, value] : in.params) in.id += "/" + value;
  return run_case(in, ctx);
}

using test::find_check;

TEST(DeclaredKernelModel, TheModelsOwnBitsPass) {
  for (const char* model : {"fp32", "exact"}) {
    const CaseResult r = run_declaring(model, {{"shape", "m48.n80.k512"}, {"output", "fp32"}, {"accumulation", model}});
    EXPECT_EQ(r.verdict, Verdict::pass) << model << ": " << r.reason;
    const Check* c = find_check(r, std::string("bits equal to emulated ") + model);
    ASSERT_NE(c, nullptr) << model;
    EXPECT_EQ(c->observed, 0) << model;
    EXPECT_TRUE(c->passed) << model;
  }
}

TEST(DeclaredKernelModel, AnotherModelsBitsFailNamingTheCheck) {
  // The kernel accumulates in FP32 (promoted every 128 of K) but declares exact accumulation.
  const CaseResult r = run_declaring("exact", {{"shape", "m48.n80.k512"}, {"output", "fp32"}});
  EXPECT_EQ(r.verdict, Verdict::fail);
  const Check* c = find_check(r, "bits equal to emulated exact");
  ASSERT_NE(c, nullptr);
  EXPECT_GT(c->observed, 0);
  EXPECT_FALSE(c->passed);
  EXPECT_EQ(r.reason.rfind("bits equal to emulated exact: ", 0), 0u) << r.reason;
  // Masked groups: padding rows are not compared (they are not written).
  const CaseResult masked = run_declaring("fp32", {{"shape", "m64.n64.k128.g3m.v40"}, {"output", "fp32"}});
  EXPECT_EQ(masked.verdict, Verdict::pass) << masked.reason;
  EXPECT_EQ(find_check(masked, "bits equal to emulated fp32")->observed, 0);
}

TEST(DeclaredKernelModel, AnUnknownModelIsTheCasesError) {
  const CaseResult r = run_declaring("tc99q", {{"shape", "m32.n64.k128"}});
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_NE(r.reason.find("tc99q"), std::string::npos) << r.reason;
}

}  // namespace
}  // namespace fp8check
