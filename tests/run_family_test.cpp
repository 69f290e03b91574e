// The GEMM axes added for device libraries: family (which capability table gates the
// case's operand types on its device), fast_accum and algorithm (options only a device
// library honours: the emulated backend refuses them, so the case is skipped, not faked).
#include <gtest/gtest.h>

#include "harness/configs/device_profile.hpp"
#include "harness/core/error.hpp"
#include "harness/run/gemm_case.hpp"
#include "harness/run/run_case.hpp"

namespace fp8check {
namespace {

CaseResult run_gemm(CaseParams params) {
  RunContext ctx;
  ctx.seed = 20261204;
  ctx.device = &find_device_profile("sm_90");
  CaseInput in;
  in.op = "gemm";
  in.params = std::move(params);
  in.id = "gemm/family";
  for (const auto& [axis, value] : in.params) in.id += "/" + value;
  return run_case(in, ctx);
}

const CaseParams kA10 = {{"shape", "m64.n128.k256"}, {"recipe", "tensor"}, {"device", "sm_86"}};

CaseParams with(CaseParams p, const std::string& axis, const std::string& value) {
  p.emplace_back(axis, value);
  return p;
}

TEST(GemmFamilyAxis, TheA10CaseSkipsByItsFamilysRule) {
  const CaseResult plain = run_gemm(kA10);  // family auto: the emulated backend's, tensor-core
  EXPECT_EQ(plain.verdict, Verdict::skipped);
  EXPECT_NE(plain.reason.find("kernel family tensor-core on sm_86"), std::string::npos) << plain.reason;
  const CaseResult triton = run_gemm(with(kA10, "family", "triton"));
  EXPECT_EQ(triton.verdict, Verdict::skipped);
  EXPECT_NE(triton.reason.find("kernel family triton on sm_86"), std::string::npos) << triton.reason;
  EXPECT_NE(triton.reason.find("fp8e4nv"), std::string::npos) << triton.reason;
  // fp8check's software path decodes e4m3fn on sm_80+: the same case is judged.
  const CaseResult own = run_gemm(with(kA10, "family", "fp8check-software"));
  EXPECT_EQ(own.verdict, Verdict::pass) << own.reason;
}

TEST(GemmFamilyAxis, AutoFollowsTheBackend) {
  CaseParams p = kA10;
  EXPECT_EQ(GemmCase::from_params(p).kernel_family(), KernelFamily::tensor_core);
  EXPECT_EQ(GemmCase::from_params(with(p, "backend", "cublaslt")).kernel_family(), KernelFamily::cublaslt);
  EXPECT_EQ(GemmCase::from_params(with(p, "backend", "cuda")).kernel_family(), KernelFamily::fp8check_software);
  EXPECT_EQ(GemmCase::from_params(with(with(p, "backend", "cublaslt"), "family", "triton")).kernel_family(),
            KernelFamily::triton);
  EXPECT_THROW(GemmCase::from_params(with(p, "family", "cutlass")), InputError);
  EXPECT_THROW(GemmCase::from_params(with(p, "fast_accum", "yes")), InputError);
  EXPECT_THROW(GemmCase::from_params(with(p, "algorithm", "-1")), InputError);
  EXPECT_THROW(GemmCase::from_params(with(p, "algorithm", "100000")), InputError);
  const GemmCase c = GemmCase::from_params(with(with(p, "fast_accum", "on"), "algorithm", "3"));
  EXPECT_TRUE(c.fast_accum);
  EXPECT_EQ(c.algorithm, 3);
}

TEST(GemmFamilyAxis, TheEmulatedBackendRefusesLibraryOptions) {
  const CaseParams h100 = {{"shape", "m64.n128.k256"}, {"recipe", "tensor"}};
  const CaseResult fast = run_gemm(with(h100, "fast_accum", "on"));
  EXPECT_EQ(fast.verdict, Verdict::skipped);
  EXPECT_NE(fast.reason.find("fast_accum"), std::string::npos) << fast.reason;
  const CaseResult algo = run_gemm(with(h100, "algorithm", "2"));
  EXPECT_EQ(algo.verdict, Verdict::skipped);
  EXPECT_NE(algo.reason.find("algorithm 2"), std::string::npos) << algo.reason;
  EXPECT_EQ(run_gemm(with(with(h100, "fast_accum", "off"), "algorithm", "0")).verdict, Verdict::pass);
}

}  // namespace
}  // namespace fp8check
