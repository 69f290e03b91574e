// The `cuda` backend without a GPU (built with CUDA only): registered under its name, every
// case skips with "no CUDA device: ..." (the pipeline's why_unavailable), and its refusals
// name what it has no kernel for. On a machine with a GPU the device-dependent checks are
// skipped: tests/gpu/own_kernels_gpu_test.cpp covers it there.
#include <gtest/gtest.h>

#include "harness/run/backend_registry.hpp"
#include "kernels/cuda/own/cuda_backend.hpp"

namespace fp8check {
namespace {

TEST(CudaBackend, IsRegisteredAndDeterministic) {
  const std::unique_ptr<Backend> b = make_backend("cuda");
  EXPECT_EQ(b->name(), "cuda");
  EXPECT_TRUE(b->deterministic());
}

TEST(CudaBackend, WithoutADeviceEveryCaseSkipsWithTheReason) {
  const cuda_own::CudaDevice d = cuda_own::current_cuda_device();
  if (d.why.empty()) GTEST_SKIP() << "this machine has a GPU (" << d.name << ")";
  const std::unique_ptr<Backend> b = make_backend("cuda");
  EXPECT_EQ(b->why_unavailable().rfind("no CUDA device: ", 0), 0u) << b->why_unavailable();
  EXPECT_EQ(b->why_unavailable(), d.why);
}

TEST(CudaBackend, RefusalsNameWhatIsMissing) {
  const std::unique_ptr<Backend> b = make_backend("cuda", {"fp32", "split_k_scale_offset_forgotten", 1, ""});
  const AttentionArguments attention{};
  EXPECT_NE(b->can_implement(attention).find("injected faults"), std::string::npos) << b->can_implement(attention);
  // Without a fault the attention refusal names the device rule (no device here: "sm_0"); a
  // device of sm_89+ gets past it (tests/cuda/attention_twin_test.cpp holds the other reasons).
  const cuda_own::CudaDevice d = cuda_own::current_cuda_device();
  const std::string why = make_backend("cuda")->can_implement(attention);
  if (d.sm < 89) {
    EXPECT_NE(why.find("needs FP8 mma.sync (sm_89 or newer)"), std::string::npos) << why;
  }
  MatrixD x(4, 4);
  x.setOnes();
  const QuantizeArguments q{&x, parse_recipe("tensor"), {}};
  EXPECT_NE(b->can_implement(q).find("injected faults"), std::string::npos) << b->can_implement(q);
}

}  // namespace
}  // namespace fp8check
