// On a GPU: fp8check's own CUDA kernels through the `cuda` backend (docs/cuda-kernels.md).
//  - quantize: bit-identical to the CPU quantizer for every recipe the kernels take;
//  - GEMM on sm_80/sm_86 (software path) and sm_89 (mma.sync FP8): bit-identical to the
//    kernel model the twin is held to (sm80-mma.p128 on bf16, sm89-mma.p128), and to the twin;
//  - GEMM on sm_90+: mma.sync with FP8 operands is not characterised by the published
//    models, so the test reports the fraction of D elements whose bits equal each candidate
//    model (the first measurement of it) and requires bit equality only on operands where
//    every candidate is exact (small integers);
//  - attention on sm_89: O, LSE and the P statistics bit-identical to the CPU twin (whose bits
//    are the emulated attention's under `sm89-mma`, tests/cuda/attention_twin_test.cpp); on
//    sm_90+ the fraction of O elements equal to the twin under each candidate model;
//  - a CUDA error is a verdict, not an abort (a kernel for the wrong device).
// Skips with the reason where there is no GPU. No result of this file has been seen yet:
// no GPU was available where it was written.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "harness/core/error.hpp"
#include "harness/quantize/quantize.hpp"
#include "harness/run/attention_inputs.hpp"
#include "kernels/cuda/index/gemm_plan.hpp"
#include "kernels/cuda/own/cuda_backend.hpp"
#include "kernels/cuda/twin/attention_twin.hpp"
#include "kernels/cuda/twin/gemm_twin.hpp"
#include "tests/cuda/own_gemm_case.hpp"

namespace fp8check::test {
namespace {

class OwnKernelsGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    device_ = cuda_own::current_cuda_device();
    if (!device_.why.empty()) GTEST_SKIP() << "needs a CUDA GPU: " << device_.why;
    backend_ = cuda_own::make_cuda_backend({});
    if (std::string why = backend_->why_unavailable(); !why.empty()) GTEST_SKIP() << why;
  }
  cuda_own::CudaDevice device_;
  std::unique_ptr<Backend> backend_;
};

TEST_F(OwnKernelsGpu, QuantizeIsBitIdenticalToTheCpu) {
  MatrixD x(70, 300);
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (std::int64_t j = 0; j < x.cols(); ++j) x(i, j) = std::ldexp(std::sin(0.37 * i + 0.011 * j * j), static_cast<int>((i * 7 + j) % 23) - 11);
  x(3, 4) = std::nan("");
  x(5, 6) = -INFINITY;
  for (const char* name : {"tensor", "row", "col", "vec128", "blk128x128", "mxfp8", "mxfp6", "mxfp4", "nvfp4"}) {
    SCOPED_TRACE(name);
    const QuantizeArguments args{&x, parse_recipe(name), {}};
    ASSERT_EQ(backend_->can_implement(args), "");
    const QuantizedMatrix gpu = backend_->run_quantize(args);
    const QuantizedMatrix cpu = quantize(x, args.recipe, args.options);
    EXPECT_EQ(gpu.codes.codes, cpu.codes.codes);
    ASSERT_EQ(gpu.scales.values.size(), cpu.scales.values.size());
    EXPECT_EQ(std::memcmp(gpu.scales.values.data(), cpu.scales.values.data(), cpu.scales.values.size() * sizeof(float)), 0);
    EXPECT_EQ(gpu.scales.codes, cpu.scales.codes);
  }
}

// The config of the first instantiated kernel of the device's path and model.
GemmConfig device_config(int sm, bool blocked, int out_bytes) {
  for (const cuda_index::OwnGemmKernel& k : cuda_index::own_gemm_kernels())
    if (k.path == cuda_index::gemm_path_for_sm(sm) && k.family == cuda_index::smem_family_for_sm(sm) &&
        k.out_bytes == out_bytes && (k.scales == cuda_index::ScaleVariant::blocked) == blocked)
      return k.config();
  throw InternalError("no kernel for the device");
}

std::vector<OwnGemmCase> gemm_cases(int sm) {
  std::vector<OwnGemmCase> cases;
  OwnGemmCase s;
  s.m = 200;
  s.n = 136;
  s.k = 1040;
  s.seed = 31;
  s.name = "fp32 out, row/col scales";
  s.outer = OuterScales::row_col;
  s.config = device_config(sm, false, 4);
  cases.push_back(s);
  s.name = "blocked scales, bf16 out, C, bias, split-K 3 tree";
  s.outer = OuterScales::none;
  s.blocked = true;
  s.output = OutputType::bf16;
  s.beta = 0.5f;
  s.bias = true;
  s.config = device_config(sm, true, 2);
  s.config.split_k = 3;
  s.config.reduction = SplitKReduction::tree;
  cases.push_back(s);
  s = cases[0];
  s.name = "e4m3 out, specials, e5m2 A";
  s.output = OutputType::e4m3fn;
  s.specials = true;
  s.a_format = Format::e5m2;
  s.d_scale = 0.5f;
  s.config = device_config(sm, false, 1);
  cases.push_back(s);
  return cases;
}

TEST_F(OwnKernelsGpu, GemmBitsOfTheKernelModel) {
  const bool characterised = device_.sm < 90;  // sm_80/86: sm80-mma bf16; sm_89: sm89-mma FP8
  const cuda_index::GemmPath path = cuda_index::gemm_path_for_sm(device_.sm);
  for (const OwnGemmCase& s : gemm_cases(device_.sm)) {
    SCOPED_TRACE(s.name + " on " + device_.name + " config " + s.config.id());
    const OwnGemmInputs in = make_own_gemm_inputs(s);
    ASSERT_EQ(backend_->can_implement(in.args), "");
    GemmOutput gpu;
    gpu.prepare_for(in.args.problem);
    backend_->run_gemm(in.args, gpu);
    if (characterised) {
      const KernelModel model = parse_kernel_model(path == cuda_index::GemmPath::native ? "sm89-mma.p128" : "sm80-mma.p128");
      const BitDiff diff = compare_output_bits(in, gpu, own_gemm_reference(in, model, path));
      EXPECT_EQ(diff.differing, 0) << "of " << diff.compared << "; first " << diff.first;
      EXPECT_TRUE(diff.amax_equal);
      GemmOutput twin;
      cuda_twin::run_gemm_twin(in.args, cuda_index::smem_family_for_sm(device_.sm), path, twin);
      EXPECT_EQ(compare_output_bits(in, gpu, twin).differing, 0) << "GPU against the CPU twin";
      continue;
    }
    // sm_90+: the first measurement of mma.sync FP8 against each candidate model.
    for (const char* id : {"sm89-mma.p128", "sm90-wgmma.p128", "sm90-wgmma.f12.p128", "sm100-tcgen05.p128"}) {
      const BitDiff diff = compare_output_bits(in, gpu, own_gemm_reference(in, parse_kernel_model(id), path));
      const double equal = diff.compared ? 1.0 - static_cast<double>(diff.differing) / static_cast<double>(diff.compared) : 0.0;
      std::printf("[ MEASURED ] %s on %s, %s: %.6f of %lld D elements carry the model's bits\n", id, device_.name.c_str(),
                  s.name.c_str(), equal, static_cast<long long>(diff.compared));
      RecordProperty(std::string(id) + " " + s.name, std::to_string(equal));
    }
  }
}

// Small integers: every product and every partial sum is exact in every model, so the bits
// are the same whatever the tensor core's alignment and truncation: on any device the GPU
// must give them.
TEST_F(OwnKernelsGpu, ExactOperandsGiveTheSameBitsOnEveryDevice) {
  OwnGemmCase s;
  s.name = "exact";
  s.m = 64;
  s.n = 64;
  s.k = 512;
  s.config = device_config(device_.sm, false, 4);
  OwnGemmInputs in = make_own_gemm_inputs(s);
  for (std::uint8_t& c : in.a_codes) c = static_cast<std::uint8_t>(encode(Format::e4m3fn, static_cast<double>(c % 5) - 2.0));
  for (std::uint8_t& c : in.b_codes) c = static_cast<std::uint8_t>(encode(Format::e4m3fn, static_cast<double>(c % 3) - 1.0));
  GemmOutput gpu;
  gpu.prepare_for(in.args.problem);
  backend_->run_gemm(in.args, gpu);
  const cuda_index::GemmPath path = cuda_index::gemm_path_for_sm(device_.sm);
  const KernelModel model = parse_kernel_model(path == cuda_index::GemmPath::native ? "sm89-mma.p128" : "sm80-mma.p128");
  const BitDiff diff = compare_output_bits(in, gpu, own_gemm_reference(in, model, path));
  EXPECT_EQ(diff.differing, 0) << "of " << diff.compared << "; first " << diff.first;
}

// Attention: GQA causal prefill with partial tiles, MQA decode with kv splits, bf16 P; the twin under
// Ada's models (and, on sm_90+, Hopper's wgmma models as a second candidate).
TEST_F(OwnKernelsGpu, AttentionBitsOfTheKernelModel) {
  if (device_.sm < 89) GTEST_SKIP() << "fp8check's own attention kernel needs sm_89+; this device is " << device_.name;
  struct Case {
    const char *shape, *formats, *p, *config, *output;
  } cases[] = {{"b1.h4.kv2.sq130.skv333.d128.causal", "e4m3fn.e4m3fn", "e4m3", "bq64.bkv64.s2", "bf16"},
               {"b2.h4.kv1.sq1.skv1000.d64", "e4m3fn.e5m2", "e5m2", "bq64.bkv128.s2.sp4", "fp32"},
               {"b1.h4.kv4.sq130.skv257.d64", "e5m2.e4m3fn", "bf16", "bq64.bkv32.s2", "fp16"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.shape) + " " + c.formats + " p " + c.p + " " + c.config + " on " + device_.name);
    const AttentionCase ac = AttentionCase::from_params(
        {{"shape", c.shape}, {"formats", c.formats}, {"p", c.p}, {"output", c.output}, {"accumulation", "sm89-mma"}});
    const AttentionInputs in = prepare_attention_inputs(ac, std::string("own_kernels_gpu/") + c.shape, 0x677075ull);
    const AttentionArguments args{ac.desc, in.q_operand, in.k_operand, in.v_operand, parse_attention_config(c.config)};
    ASSERT_EQ(backend_->can_implement(args), "");
    AttentionOutput gpu, twin;
    backend_->run_attention(args, gpu);
    cuda_twin::run_attention_twin(args, twin);
    ASSERT_EQ(gpu.bits.size(), twin.bits.size());
    if (device_.sm < 90) {  // Ada: the instruction MMA-Sim characterised
      std::int64_t differ = 0;
      for (std::size_t i = 0; i < gpu.bits.size(); ++i) differ += gpu.bits[i] != twin.bits[i] ? 1 : 0;
      EXPECT_EQ(differ, 0) << "of " << gpu.bits.size() << " O elements";
      EXPECT_EQ(std::memcmp(gpu.lse.data(), twin.lse.data(), twin.lse.size() * sizeof(float)), 0) << "LSE";
      EXPECT_EQ(gpu.p_saturated, twin.p_saturated);
      EXPECT_EQ(std::memcmp(&gpu.p_max, &twin.p_max, sizeof(float)), 0);
      continue;
    }
    const KernelModel wgmma = parse_kernel_model("sm90-wgmma");
    AttentionOutput hopper;
    cuda_twin::run_attention_twin(args, hopper, {wgmma, wgmma});
    for (const auto& [id, want] : {std::pair<const char*, const AttentionOutput*>{"sm89-mma", &twin}, {"sm90-wgmma", &hopper}}) {
      std::int64_t equal = 0;
      for (std::size_t i = 0; i < gpu.bits.size(); ++i) equal += gpu.bits[i] == want->bits[i] ? 1 : 0;
      const double fraction = static_cast<double>(equal) / static_cast<double>(gpu.bits.size());
      std::printf("[ MEASURED ] attention %s on %s, %s: %.6f of %zu O elements carry the model's bits\n", id,
                  device_.name.c_str(), c.shape, fraction, gpu.bits.size());
      RecordProperty(std::string("attention ") + id + " " + c.shape, std::to_string(fraction));
    }
  }
}

}  // namespace
}  // namespace fp8check::test
