// The emulated GEMM through kernel models (docs/accumulation.md, "Kernel models"): the fast
// path (the FP8 chain kernel on AVX2 lanes, or the scalar instruction model) against the
// literal reference (mma_execute per instruction) bit for bit on random mixed cases: every
// kernel model, FP8 and FP4 formats, recipes (scales at promotion, scales inside the
// block-scaled instructions, outer scales, NVFP4's tensor scale), layouts, split-K and its
// reductions, outputs and epilogues, batched problems, every fault, any thread count. A
// combination a kernel cannot run is refused by both with the same reason.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "kernels/emulated/gemm_emulated_reference.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"
#include "tests/gemm_emulated_test_support.hpp"

namespace fp8check::test {
namespace {

struct Recipe {
  const char* name;
  ScaleBlock a, b;
  Scales scales = Scales::random;
  float tensor_a = 1.0f, tensor_b = 1.0f;
  bool scaled = true;
};

const Recipe kRecipes[] = {
    {"unscaled", {}, {}, Scales::random, 1.0f, 1.0f, false},
    {"per_tensor", {0, 0}, {0, 0}},
    {"per_row_col", {1, 0}, {1, 0}},
    {"deepseek_1x128_128x128", {1, 128}, {128, 128}},
    {"small_1x32_32x32", {1, 32}, {32, 32}},
    {"mx_1x32_powers_of_two", {1, 32}, {1, 32}, Scales::powers_of_two},
    {"nvfp4_1x16_tensor", {1, 16}, {1, 16}, Scales::powers_of_two, 0.75f, 1.25f},
    {"mixed_1x64_per_col", {1, 64}, {1, 0}},
    {"per_row_a_blocked_b_128x64", {1, 0}, {128, 64}},
};

// Each model with the format pairs it has instructions for.
struct Model {
  const char* id;
  std::vector<std::pair<Format, Format>> formats;
};
const std::vector<std::pair<Format, Format>> kFp8 = {{Format::e4m3fn, Format::e4m3fn},
                                                     {Format::e4m3fn, Format::e5m2},
                                                     {Format::e5m2, Format::e4m3fn},
                                                     {Format::e5m2, Format::e5m2}};
const std::vector<std::pair<Format, Format>> kSameFp8 = {{Format::e4m3fn, Format::e4m3fn}, {Format::e5m2, Format::e5m2}};
const std::vector<std::pair<Format, Format>> kFp4 = {{Format::e2m1fn, Format::e2m1fn}};
const Model kModels[] = {
    {"sm90-wgmma.p128", kFp8},   {"sm90-wgmma", kFp8},           {"sm89-mma.p64", kFp8},
    {"sm89-mma", kFp8},          {"sm90-wgmma.f12.p32", kFp8},   {"sm90-wgmma.f16.p96", kFp8},
    {"sm100-tcgen05.p64", kFp8}, {"sm100-tcgen05", kFp8},        {"sm100-mxf8", kSameFp8},
    {"sm100-mxf8.p64", kSameFp8}, {"sm100-mxf4", kFp4},          {"sm100-nvf4", kFp4},
    {"sm100-nvf4.p128", kFp4},   {"sm90-wgmma.f17.p64", kFp8},
};

const char* const kConfigs[] = {"bm128.bn128.bk128.s4",          "bm64.bn64.bk32.s2",
                                "bm128.bn128.bk64.s4.sk3",       "bm128.bn128.bk32.s4.sk4.tree",
                                "bm128.bn128.bk256.s2.sk2.tree", "bm128.bn128.bk64.s4.sk5",
                                "bm128.bn128.bk128.s4.sk2"};

struct Shape {
  std::int64_t m, n, k;
};
const Shape kShapes[] = {{5, 7, 64}, {9, 30, 192}, {17, 40, 256}, {3, 49, 128}, {20, 33, 320}, {16, 32, 384}};
const OutputType kOutputs[] = {OutputType::fp32, OutputType::bf16, OutputType::fp16, OutputType::e4m3fn};
const BlasLayout kLayouts[] = {BlasLayout::TN, BlasLayout::NN, BlasLayout::NT, BlasLayout::TT};

template <typename T, std::size_t N>
const T& pick(const T (&table)[N], std::size_t i) {
  return table[i % N];
}

// The run's outcome: the output, or the refusal's message.
struct Outcome {
  GemmOutput out;
  std::string refused;
};

template <typename Run>
Outcome attempt(Run run) {
  Outcome o;
  try {
    o.out = run();
  } catch (const InputError& e) {
    o.refused = e.what();
  }
  return o;
}

TEST(GemmKernelModel, FastPathEqualsReferenceBitwiseOnRandomMixedCases) {
  constexpr std::size_t kCases = 420;
  int ran = 0;
  std::map<std::string, int> ran_by_model, ran_by_recipe;
  for (std::size_t i = 0; i < kCases; ++i) {
    const Model& model_entry = pick(kModels, i);
    const auto& formats = model_entry.formats[(i / 14) % model_entry.formats.size()];
    // Block-scaled kernels get their own recipe every other time (scales inside the instruction).
    const std::string id = model_entry.id;
    const bool own = (i / 14) % 2 == 0;
    const Recipe& recipe = own && id.starts_with("sm100-nvf4")                                    ? kRecipes[6]
                           : own && (id.starts_with("sm100-mxf4") || id.starts_with("sm100-mxf8")) ? kRecipes[5]
                                                                                                   : pick(kRecipes, i * 5 + i / 14);
    const GemmConfig config = parse_gemm_config(pick(kConfigs, i * 3 + 1));
    const Shape& shape = pick(kShapes, i * 7 + 2);
    const BlasLayout layout = pick(kLayouts, i / 2 + i / 16);
    const GemmFault fault = pick(kAllGemmFaults, i / 5);
    const AccumulationModel model = parse_accumulation_model(model_entry.id);
    const bool batched = i % 6 == 5;
    const std::int64_t batches = batched ? 2 : 1;

    OperandSpec a{ElementType::of(formats.first), shape.m, shape.k, batches, a_is_k_major(layout),
                  static_cast<std::int64_t>(i % 3)};
    a.store_values = i % 7 == 0;
    a.scaled = recipe.scaled, a.block = recipe.a, a.scales = recipe.scales, a.tensor_scale = recipe.tensor_a;
    a.scales_mn_contiguous = i % 2 == 0, a.scale_ld_pad = i % 2;
    OperandSpec b{ElementType::of(formats.second), shape.n, shape.k, batches, b_is_k_major(layout),
                  static_cast<std::int64_t>(i % 4)};
    b.scaled = recipe.scaled, b.block = recipe.b, b.scales = recipe.scales, b.tensor_scale = recipe.tensor_b;
    const TestOperand ta = make_operand(a, 3000 + i), tb = make_operand(b, 4000 + i);

    GemmProblem p = dense_problem(shape.m, shape.n, shape.k);
    if (batched) p.kind = GemmKind::batched, p.groups = 2;
    p.output = pick(kOutputs, i / 3);
    p.d_scale = 0.25f;
    std::vector<float> c(static_cast<std::size_t>(batches * shape.m * (shape.n + 1)), -2.0f),
        bias(static_cast<std::size_t>(shape.n));
    for (std::size_t j = 0; j < bias.size(); ++j) bias[j] = 0.25f * static_cast<float>(j) - 3.0f;
    if (i % 4 == 1) {
      p.alpha = 0.7f, p.beta = -0.3f, p.c = c.data(), p.ldc = shape.n + 1, p.bias = bias.data();
      p.c_batch_stride = batched ? shape.m * (shape.n + 1) : 0;
    }

    SCOPED_TRACE("case " + std::to_string(i) + ": " + model.id() + " " + format_spec(formats.first).name + "x" +
                 format_spec(formats.second).name + " " + recipe.name + " " + config.id() + " " +
                 std::string(blas_layout_name(layout)) + " m" + std::to_string(shape.m) + " n" +
                 std::to_string(shape.n) + " k" + std::to_string(shape.k) + (batched ? " batched" : "") + " " +
                 std::string(gemm_fault_name(fault)));
    const Outcome reference = attempt([&] { return run_reference(p, ta, tb, config, model, fault); });
    for (SimdPath path : available_paths()) {
      SCOPED_TRACE(std::string(simd_path_name(path)));
      const Outcome fast =
          attempt([&] { return run_fast(p, ta, tb, config, model, 1 + static_cast<int>(i % 3), fault, path); });
      ASSERT_EQ(fast.refused, reference.refused);
      if (reference.refused.empty()) {
        ASSERT_TRUE(same_bits(fast.out, reference.out));
      }
    }
    ran += reference.refused.empty();
    if (reference.refused.empty()) ++ran_by_model[model.id()], ++ran_by_recipe[std::string(model.id()) + " " + recipe.name];
  }
  std::printf("[ kernel models ] %d of %zu random cases ran, the rest were refused by both paths alike\n", ran, kCases);
  for (const Model& m : kModels) EXPECT_GE(ran_by_model[m.id], 6) << m.id;
  // Scales inside the block-scaled instructions, and at promotion, each ran.
  for (const char* combination : {"sm100-mxf8 mx_1x32_powers_of_two", "sm100-mxf4 mx_1x32_powers_of_two",
                                  "sm100-nvf4 nvfp4_1x16_tensor", "sm90-wgmma.p128 deepseek_1x128_128x128",
                                  "sm89-mma.p64 small_1x32_32x32"})
    EXPECT_GE(ran_by_recipe[combination], 1) << combination;
  // The table is meant to run mostly: refusals are the exception (fast accumulation with
  // K-blocked scales, FP4 groups of 16 against k = 32, ...).
  EXPECT_GE(ran, static_cast<int>(kCases) * 6 / 10) << ran << " of " << kCases << " cases ran";
}

// 16-bit operands (bf16, fp16) reach the GEMM as float values of their format: the kernel
// models read them back as codes. Against mma_chain_gemm on the codes themselves.
TEST(GemmKernelModel, SixteenBitOperandsAsValuesEqualTheChainOnTheirCodes) {
  const std::int64_t m = 6, n = 40, k = 128;
  for (const Format f : {Format::bf16, Format::fp16}) {
    std::vector<std::uint16_t> a_codes, b_codes;  // A M x K, B K x N, row-major
    std::uint64_t state = 99;
    const auto next = [&] {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<std::uint32_t>(state >> 33);
    };
    const auto finite_code = [&] {  // moderate exponents: no overflow in fp16
      const std::uint32_t r = next();
      return static_cast<std::uint16_t>(encode(f, std::ldexp(1.0 + (r % 1024) / 1024.0, static_cast<int>(r >> 10) % 9 - 4) *
                                                      ((r >> 20) & 1 ? -1.0 : 1.0)));
    };
    for (std::int64_t i = 0; i < m * k; ++i) a_codes.push_back(finite_code());
    for (std::int64_t i = 0; i < k * n; ++i) b_codes.push_back(finite_code());
    std::vector<float> a_values, b_values(static_cast<std::size_t>(n * k));
    for (std::uint16_t c : a_codes) a_values.push_back(static_cast<float>(decode(f, c)));
    for (std::int64_t kk = 0; kk < k; ++kk)
      for (std::int64_t j = 0; j < n; ++j)
        b_values[static_cast<std::size_t>(j * k + kk)] = static_cast<float>(decode(f, b_codes[static_cast<std::size_t>(kk * n + j)]));
    GemmOperand a = GemmOperand::of_values(a_values.data(), m, k, true), b = GemmOperand::of_values(b_values.data(), n, k, true);
    a.code_format = b.code_format = f;
    ChainGemmOperands chain;
    chain.m = m, chain.n = n, chain.k = k, chain.a_format = f, chain.b_format = f, chain.a = a_codes, chain.b = b_codes;
    for (const char* id : {"sm80-mma", "sm80-mma.p32", "sm90-wgmma", "sm100-tcgen05.p64"}) {
      SCOPED_TRACE(std::string(format_spec(f).name) + " " + id);
      const AccumulationModel model = parse_accumulation_model(id);
      GemmOutput fast, reference;
      gemm_emulated(dense_problem(m, n, k), a, b, GemmConfig{}, model, fast, 2);
      gemm_emulated_reference(dense_problem(m, n, k), a, b, GemmConfig{}, model, reference);
      ASSERT_TRUE(same_bits(fast, reference));
      const std::vector<std::uint32_t> d = mma_chain_gemm(model.kernel, chain, 1);
      for (std::size_t i = 0; i < d.size(); ++i) {
        const float v = std::bit_cast<float>(d[i]);
        ASSERT_EQ(fast.bits[i], std::isnan(v) ? 0x7FC00000u : d[i]) << i;
      }
    }
  }
}

}  // namespace
}  // namespace fp8check::test
