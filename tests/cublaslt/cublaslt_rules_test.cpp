// can_implement's rules of the cuBLASLt backend, each a reason naming the rule (and where it
// comes from), never a cuBLAS error at run time; and the backend without a GPU.
#include <gtest/gtest.h>

#include "harness/run/backend_registry.hpp"
#include "kernels/cuda/cublaslt/cublaslt_backend.hpp"
#include "kernels/cuda/cublaslt/cublaslt_plan.hpp"
#include "tests/cublaslt/cublaslt_test_support.hpp"

namespace fp8check::cublaslt {
namespace {

constexpr ComputeCapability kSm86{8, 6}, kSm89{8, 9}, kSm90{9, 0}, kSm100{10, 0};

std::string why(CaseParams params, ComputeCapability cc, PlanOptions options = {}) {
  params.emplace_back("backend", "cublaslt");
  const test::PreparedCase p = test::prepare(params, "rules", 11);
  return why_cublaslt_cannot(p.in.args, cc, options);
}

void expect_reason(const std::string& reason, std::initializer_list<const char*> parts) {
  EXPECT_FALSE(reason.empty());
  for (const char* part : parts) EXPECT_NE(reason.find(part), std::string::npos) << "'" << part << "' not in: " << reason;
}

const CaseParams kFp8 = {{"shape", "m128.n256.k512"}, {"recipe", "tensor"}};

CaseParams with(CaseParams p, const std::string& axis, const std::string& value) {
  for (auto& [a, v] : p)
    if (a == axis) {
      v = value;
      return p;
    }
  p.emplace_back(axis, value);
  return p;
}

TEST(CublasLtRules, DevicesAndTypes) {
  EXPECT_EQ(why(kFp8, kSm89), "");
  EXPECT_EQ(why(kFp8, kSm90), "");
  expect_reason(why(kFp8, kSm86), {"kernel family cublaslt on sm_86", "sm_89+", "cublasLtMatmul"});
  expect_reason(why(with(kFp8, "formats", "e5m2.e5m2"), kSm90), {"e5m2 x e5m2"});
  expect_reason(why(with(kFp8, "formats", "e4m3b15.e4m3b15"), kSm90), {"e4m3b15 operands", "no cuBLASLt matmul"});
  expect_reason(why({{"shape", "m64.n128.k512"}, {"formats", "int8.int8"}, {"recipe", "int8_g32"}}, kSm90),
                {"int8 operands", "CUBLAS_COMPUTE_32I", "int8 or int32 D"});
  expect_reason(why({{"shape", "m64.n128.k256"}, {"formats", "e2m1fn.e2m1fn"}, {"recipe", "nvfp4"}}, kSm90),
                {"e2m1fn needs", "sm_100+"});
  EXPECT_EQ(why({{"shape", "m64.n128.k256"}, {"formats", "e2m1fn.e2m1fn"}, {"recipe", "nvfp4"}}, kSm100), "");
  EXPECT_EQ(why({{"shape", "m64.n128.k256"}, {"formats", "e2m1fn.e2m1fn"}, {"recipe", "mxfp4"}}, kSm100), "");
  expect_reason(why({{"shape", "m64.n128.k256"}, {"formats", "e2m1fn.e2m1fn"}, {"recipe", "nvfp4"}, {"output", "e4m3fn"}},
                    kSm100),
                {"D_OUT_SCALE"});
}

TEST(CublasLtRules, ScaleModesAndTheirDevices) {
  const CaseParams block = with(kFp8, "recipe", "vec128.blk128x128");
  EXPECT_EQ(why(block, kSm90), "");
  expect_reason(why(block, kSm100), {"sm_90 only", "VEC128_32F", "device is sm_100"});
  expect_reason(why(block, kSm89), {"sm_90 only"});
  expect_reason(why(with(kFp8, "recipe", "blk128x128"), kSm90), {"no pair of cuBLASLt scale modes", "not both 128x128"});
  expect_reason(why(with(kFp8, "recipe", "vec128.tensor"), kSm90), {"no pair of cuBLASLt scale modes"});
  EXPECT_EQ(why(with(kFp8, "recipe", "row.col"), kSm90), "");
  expect_reason(why(with(kFp8, "recipe", "row.col"), kSm89), {"OUTER_VEC_32F", "Hopper"});
  const CaseParams mx = with(kFp8, "recipe", "mxfp8");
  EXPECT_EQ(why(mx, kSm100), "");
  expect_reason(why(mx, kSm90), {"VEC32_UE8M0", "sm_100+", "device is sm_90"});
  expect_reason(why(with(mx, "shape", "m128.n256.k528"), kSm100), {"K = 528", "whole blocks of 32"});
}

TEST(CublasLtRules, LayoutsAlignmentKindsAndEpilogues) {
  expect_reason(why(with(kFp8, "layout", "NN"), kSm90), {"layout NN", "TN", "FP8 requirements"});
  expect_reason(why(with(kFp8, "shape", "m128.n256.k200"), kSm90), {"K = 200", "pad K with zeros to 208"});
  expect_reason(why(with(kFp8, "shape", "m128.n100.k512"), kSm90), {"N = 100", "multiple of 8"});
  EXPECT_EQ(why(with(with(kFp8, "shape", "m128.n112.k512"), "output", "fp32"), kSm90), "");
  expect_reason(why(with(with(kFp8, "shape", "m128.n120.k512"), "output", "e4m3fn"), kSm90), {"multiple of 16"});
  expect_reason(why(with(kFp8, "layout", "TN+pad8"), kSm90), {"leading dimension of A", "16 bytes"});
  EXPECT_EQ(why(with(kFp8, "layout", "TN+pad16"), kSm90), "");
  expect_reason(why(with(kFp8, "shape", "m256.n128.k256.g4"), kSm90), {"grouped GEMMs", "DeepGEMM"});
  expect_reason(why(with(kFp8, "shape", "m128.n128.k256.g4m"), kSm90), {"grouped GEMMs"});
  // Normal values are not bf16 values: cuBLASLt would round C and the bias.
  expect_reason(why(with(kFp8, "epilogue", "bias"), kSm90), {"bias holds", "CUDA_R_16BF"});
  expect_reason(why(with(kFp8, "epilogue", "beta"), kSm90), {"C holds", "CUDA_R_16BF", "would round it"});
  EXPECT_EQ(why(with(with(kFp8, "epilogue", "beta"), "output", "fp32"), kSm90), "");  // fp32 D reads fp32 C
  EXPECT_EQ(why(with(kFp8, "epilogue", "alpha2"), kSm90), "");
  // Batches: one per-tensor scale for every batch, as SCALAR_32F has.
  expect_reason(why(with(kFp8, "shape", "m64.n128.k256.b3"), kSm90), {"batch 1 of B has its own per-tensor scale"});
  expect_reason(why(with(with(kFp8, "shape", "m128.n128.k256.b3"), "recipe", "vec128.blk128x128"), kSm90),
                {"batched GEMM", "VEC128_32F"});
  CaseParams batched = with(kFp8, "shape", "m64.n128.k256.b3");
  batched.emplace_back("backend", "cublaslt");
  test::PreparedCase p = test::prepare(batched, "rules", 11);
  for (float& s : p.in.b_scales) s = p.in.b_scales.front();  // one scale for all batches
  EXPECT_EQ(why_cublaslt_cannot(p.in.args, kSm90, {}), "");
  EXPECT_NE(why_cublaslt_cannot(p.in.args, kSm90, {false, -1}), "");
}

TEST(CublasLtRules, BlockScalesMustBeCodesOfTheScaleType) {
  CaseParams mx = {{"shape", "m64.n128.k256"}, {"recipe", "mxfp8"}, {"backend", "cublaslt"}};
  test::PreparedCase p = test::prepare(mx, "rules", 11);
  EXPECT_EQ(why_cublaslt_cannot(p.in.args, kSm100, {}), "");
  p.in.a_scales[3] = 0.75f;  // not a power of two: no e8m0 code
  expect_reason(why_cublaslt_cannot(p.in.args, kSm100, {}), {"block scale of A", "e8m0fnu", "VEC32_UE8M0"});
}

TEST(CublasLtRules, TheBackendWithoutAGpu) {
  register_cublaslt_backend();
  const std::unique_ptr<Backend> b = make_backend("cublaslt", {.fault = "none"});
  EXPECT_EQ(b->name(), "cublaslt");
  EXPECT_FALSE(b->deterministic());
  const std::string why = b->why_unavailable();
  if (why.empty()) GTEST_SKIP() << "this machine has a GPU";
  EXPECT_TRUE(why.starts_with("no CUDA device: ")) << why;
  // The backend refuses what it can never do, whatever the device.
  const std::unique_ptr<Backend> faulty = make_cublaslt_backend({.fault = "split_k_scale_offset_forgotten"});
  CaseParams params = kFp8;
  params.emplace_back("backend", "cublaslt");
  const test::PreparedCase p = test::prepare(params, "rules", 11);
  expect_reason(faulty->can_implement(p.in.args), {"no injected faults"});
  const std::unique_ptr<Backend> exact = make_cublaslt_backend({.kernel_model = "exact"});
  expect_reason(exact->can_implement(p.in.args), {"accumulation exact"});
  EXPECT_EQ(declared_kernel_model(true, kSm90), "sm90-wgmma");
  EXPECT_EQ(declared_kernel_model(false, kSm90), "");  // promoted at an undocumented interval: no claim
  EXPECT_EQ(declared_kernel_model(true, kSm89), "sm89-mma");
}

}  // namespace
}  // namespace fp8check::cublaslt
