// On a GPU: cuBLASLt through the run pipeline must stay within the tolerance model on the
// gpu suite's GEMM cases (each judged by the device's kernel model, or skipped by a stated
// rule), and the fraction of
// its FP32 output bits equal to `fp8check emulate gemm` with each candidate kernel model is
// reported, FAST_ACCUM off and on: the first measurement of which model cuBLASLt follows.
// Without a GPU every test skips with the reason (docs/gpu-validation.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <thread>

#include "harness/core/convert.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/generate/seed.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/ops.hpp"
#include "harness/run/run_case.hpp"
#include "harness/suite/suite_loader.hpp"
#include "kernels/cuda/cublaslt/cublaslt_backend.hpp"
#include "kernels/cuda/device_query.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"

namespace fp8check {
namespace {

// Lines for the report ci/gpu brings back: printed, and appended to $FP8CHECK_GPU_REPORT.
void report(const std::string& line) {
  std::printf("%s\n", line.c_str());
  if (const char* path = std::getenv("FP8CHECK_GPU_REPORT")) std::ofstream(path, std::ios::app) << line << "\n";
}

class CublasLtGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    cublaslt::register_cublaslt_backend();
    const std::string why = make_backend("cublaslt")->why_unavailable();
    if (!why.empty()) GTEST_SKIP() << "needs a CUDA GPU: " << why;
    std::string no_device;
    device_ = cuda::query_cuda_device(&no_device);
    ASSERT_TRUE(device_) << no_device;
  }
  std::optional<cuda::CudaDevice> device_;
};

TEST_F(CublasLtGpu, GpuSuiteGemmCasesStayWithinTheToleranceModel) {
  const DeviceProfile& profile = *device_->profile;
  const SuiteSpec spec =
      load_suite(std::filesystem::path(FP8CHECK_SOURCE_DIR) / "suites" / "gpu.toml", builtin_op_schemas(profile));
  RunContext ctx;
  ctx.seed = spec.seed;
  ctx.device = &profile;
  ctx.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int passed = 0;
  report("cublaslt on " + device_->name + " (" + profile.name + "), gpu suite GEMM cases:");
  for (const CaseSpec& c : spec.cases) {
    if (c.op != "gemm") continue;
    CaseInput in{c.id, c.op, c.params, c.tolerance, c.seed_bug};
    for (auto& [axis, value] : in.params) {
      if (axis == "backend") value = "cublaslt";
      if (axis == "device") value = "suite";  // this GPU's profile, not the suite's
    }
    const CaseResult r = run_case(in, ctx);
    EXPECT_TRUE(r.verdict == Verdict::pass || r.verdict == Verdict::skipped) << r.id << ": " << r.reason;
    if (r.verdict == Verdict::skipped) {
      EXPECT_FALSE(r.reason.empty()) << r.id;
    }
    passed += r.verdict == Verdict::pass;
    char line[512];
    const auto metric = [&](const char* name) { return r.metrics.contains(name) ? r.metrics.at(name) : 0.0; };
    std::snprintf(line, sizeof line, "  %-9s %8.1f TFLOP/s %6.1f%% of peak  %s%s%s", std::string(verdict_name(r.verdict)).c_str(),
                  metric("tflops"), 100 * metric("peak_fraction"), r.id.c_str(), r.reason.empty() ? "" : ": ",
                  r.reason.c_str());
    report(line);
  }
  EXPECT_GT(passed, 0) << "no gpu suite GEMM case ran on cuBLASLt";
}

// Unscaled e4m3 operands and an FP32 output, so that D is the accumulator itself.
struct RawGemm {
  std::int64_t m, n, k;
  std::vector<std::uint8_t> a, b;  // A M x K, B N x K, both K-major
};

RawGemm random_gemm(std::int64_t m, std::int64_t n, std::int64_t k, std::uint64_t seed) {
  RawGemm g{m, n, k, {}, {}};
  for (auto [codes, rows, name] : {std::tuple{&g.a, m, "A"}, std::tuple{&g.b, n, "B"}}) {
    std::vector<double> v(static_cast<std::size_t>(rows * k));
    generate(Distribution::normal(), tensor_key(seed, "cublaslt_gpu_test", name), v);
    for (double x : v) codes->push_back(static_cast<std::uint8_t>(encode(Format::e4m3fn, 16 * x)));
  }
  return g;
}

std::vector<std::uint32_t> run_cublaslt(const RawGemm& g, bool fast_accum) {
  GemmArguments args;
  args.desc.m = g.m, args.desc.n = g.n, args.desc.k = g.k;
  args.desc.d_type = OutputType::fp32;
  args.desc.a_scale = args.desc.b_scale = {0, 0};
  args.problem.m = g.m, args.problem.n = g.n, args.problem.k = g.k;
  args.problem.output = OutputType::fp32;
  args.a = GemmOperand::of_codes(g.a.data(), Format::e4m3fn, g.m, g.k, true);
  args.b = GemmOperand::of_codes(g.b.data(), Format::e4m3fn, g.n, g.k, true);
  args.validate();
  const std::unique_ptr<Backend> backend = cublaslt::make_cublaslt_backend({.fast_accum = fast_accum});
  const std::string why = backend->can_implement(args);
  EXPECT_EQ(why, "");
  GemmOutput out;
  out.prepare_for(args.problem);
  if (why.empty()) backend->run_gemm(args, out);
  return out.bits;
}

std::vector<std::uint32_t> run_model(const RawGemm& g, const std::string& model) {
  std::vector<std::uint16_t> a(g.a.begin(), g.a.end()), b(static_cast<std::size_t>(g.k * g.n));
  for (std::int64_t n = 0; n < g.n; ++n)
    for (std::int64_t k = 0; k < g.k; ++k) b[static_cast<std::size_t>(k * g.n + n)] = g.b[static_cast<std::size_t>(n * g.k + k)];
  ChainGemmOperands p;
  p.m = g.m, p.n = g.n, p.k = g.k;
  p.a = a, p.b = b;
  return mma_chain_gemm(parse_kernel_model(model), p, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST_F(CublasLtGpu, BitAgreementWithEachCandidateKernelModel) {
  const ComputeCapability cc = device_->capability;
  const std::string base = cc == ComputeCapability{8, 9} ? "sm89-mma" : cc.major == 9 ? "sm90-wgmma" : "sm100-tcgen05";
  for (const auto& [m, n, k] : {std::tuple{128, 256, 512}, std::tuple{128, 256, 4096}, std::tuple{64, 128, 16384}}) {
    const RawGemm g = random_gemm(m, n, k, 2026);
    for (bool fast : {false, true}) {
      const std::vector<std::uint32_t> lt = run_cublaslt(g, fast);
      const std::string declared = cublaslt::declared_kernel_model(fast, cc);
      report("cublaslt FAST_ACCUM " + std::string(fast ? "on " : "off") + " m" + std::to_string(m) + ".n" +
             std::to_string(n) + ".k" + std::to_string(k) + " on " + device_->name +
             ": fraction of FP32 output bits equal to fp8check emulate gemm --kernel MODEL");
      for (const std::string suffix : {"", ".p128", ".p256", ".p512", ".p1024"}) {
        const std::string model = base + suffix;
        const std::vector<std::uint32_t> ref = run_model(g, model);
        ASSERT_EQ(ref.size(), lt.size());
        std::size_t equal = 0;
        for (std::size_t i = 0; i < ref.size(); ++i) equal += ref[i] == lt[i];
        char line[256];
        std::snprintf(line, sizeof line, "  %-22s %.6f (%zu of %zu)%s", model.c_str(),
                      static_cast<double>(equal) / static_cast<double>(ref.size()), equal, ref.size(),
                      model == declared ? "  <- declared for this setting" : "");
        report(line);
      }
    }
  }
}

}  // namespace
}  // namespace fp8check
