// The fast emulated GEMM against its literal reference, bit for bit, and the invariances
// the spec promises: thread count, SIMD path, storage layout, accumulation-neutral config
// fields, and the batched / grouped kinds (docs/accumulation.md).
#include <gtest/gtest.h>

#include <string>

#include "tests/gemm_emulated_test_support.hpp"

namespace fp8check::test {
namespace {

struct Recipe {
  const char* name;
  bool a_scaled;
  ScaleBlock a;
  bool b_scaled;
  ScaleBlock b;
  float tensor_a = 1.0f, tensor_b = 1.0f;
};

const Recipe kRecipes[] = {
    {"unscaled", false, {}, false, {}},
    {"per_tensor", true, {0, 0}, true, {0, 0}},
    {"per_row_col", true, {1, 0}, true, {1, 0}},
    {"deepseek_1x128_128x128", true, {1, 128}, true, {128, 128}},
    {"deepseek_small_1x32_32x32", true, {1, 32}, true, {32, 32}},
    {"mx_1x32", true, {1, 32}, true, {1, 32}},
    {"nvfp4_1x16_tensor", true, {1, 16}, true, {1, 16}, 0.75f, 1.25f},
    {"mixed_1x64_per_col", true, {1, 64}, true, {1, 0}},
    {"finer_b_groups_1x128_16x32", true, {1, 128}, true, {16, 32}},
    {"per_row_a_blocked_b_128x64", true, {1, 0}, true, {128, 64}},
};

const char* const kConfigs[] = {"bm128.bn128.bk128.s4",         "bm64.bn64.bk32.s2",
                                "bm128.bn128.bk64.s4.sk3",      "bm128.bn128.bk32.s4.sk4.tree",
                                "bm128.bn128.bk256.s2.sk2.tree", "bm128.bn128.bk32.s4.sk7.tree",
                                "bm128.bn128.bk128.s4.sk5"};
// Kernel models have their own random test (gemm_kernel_model_test.cpp): they refuse most of
// the shapes here (K off the instruction grid, integer operands).
const char* const kModels[] = {"fp32", "exact"};

struct FormatPair {
  ElementType a, b;
};
const FormatPair kFormats[] = {
    {ElementType::of(Format::e4m3fn), ElementType::of(Format::e4m3fn)},
    {ElementType::of(Format::e4m3fn), ElementType::of(Format::e5m2)},
    {ElementType::of(Format::e5m2), ElementType::of(Format::e4m3fn)},
    {ElementType::of(Format::e5m2), ElementType::of(Format::e5m2)},
    {ElementType::of(Format::e2m1fn), ElementType::of(Format::e2m1fn)},
    {ElementType::of(Format::e2m3fn), ElementType::of(Format::e3m2fn)},
    {ElementType::int8(), ElementType::int8()},
    {ElementType::int4(), ElementType::int8()},
};

struct Shape {
  std::int64_t m, n, k;
};
const Shape kShapes[] = {{5, 7, 33}, {9, 30, 100}, {16, 25, 257}, {3, 49, 130}, {13, 24, 64}};
const OutputType kOutputs[] = {OutputType::fp32, OutputType::bf16, OutputType::fp16, OutputType::e4m3fn};
const BlasLayout kLayouts[] = {BlasLayout::TN, BlasLayout::NN, BlasLayout::NT, BlasLayout::TT};

template <typename T, std::size_t N>
const T& pick(const T (&table)[N], std::size_t i) {
  return table[i % N];
}

// One pseudo-random combination of every axis per case index (coprime strides).
TEST(GemmEmulated, FastPathEqualsReferenceBitwiseAcrossShapesConfigsModelsRecipesLayouts) {
  for (std::size_t i = 0; i < 280; ++i) {
    const Recipe& recipe = pick(kRecipes, i);
    const GemmConfig config = parse_gemm_config(pick(kConfigs, i * 3 + 1));
    const AccumulationModel model = parse_accumulation_model(pick(kModels, i * 5 + 2));
    const FormatPair& formats = pick(kFormats, i * 7 + i / 8);
    const Shape& shape = pick(kShapes, i * 11 + 3);
    const BlasLayout layout = pick(kLayouts, i / 2 + i / 16);
    const GemmFault fault = pick(kAllGemmFaults, i / 3);

    OperandSpec a{formats.a, shape.m, shape.k, 1, a_is_k_major(layout), static_cast<std::int64_t>(i % 3)};
    a.store_values = i % 5 == 0 && !formats.a.is_integer();
    a.scaled = recipe.a_scaled, a.block = recipe.a, a.scales_mn_contiguous = i % 2 == 0, a.scale_ld_pad = i % 2;
    a.tensor_scale = recipe.tensor_a;
    OperandSpec b{formats.b, shape.n, shape.k, 1, b_is_k_major(layout), static_cast<std::int64_t>(i % 4)};
    b.scaled = recipe.b_scaled, b.block = recipe.b, b.tensor_scale = recipe.tensor_b;
    const TestOperand ta = make_operand(a, 1000 + i), tb = make_operand(b, 2000 + i);

    GemmProblem p = dense_problem(shape.m, shape.n, shape.k);
    p.output = pick(kOutputs, i / 5);
    p.d_scale = 0.25f;
    std::vector<float> c(static_cast<std::size_t>(shape.m * (shape.n + 1)), 3.0f), bias(static_cast<std::size_t>(shape.n));
    for (std::size_t j = 0; j < bias.size(); ++j) bias[j] = 0.125f * static_cast<float>(j) - 1.0f;
    if (i % 4 == 1) p.alpha = 0.7f, p.beta = -0.3f, p.c = c.data(), p.ldc = shape.n + 1, p.bias = bias.data();

    SCOPED_TRACE("case " + std::to_string(i) + ": " + recipe.name + " " + config.id() + " " + model.id() + " " +
                 formats.a.name() + "x" + formats.b.name() + " " + std::string(blas_layout_name(layout)) + " m" +
                 std::to_string(shape.m) + " n" + std::to_string(shape.n) + " k" + std::to_string(shape.k) + " " +
                 std::string(gemm_fault_name(fault)));
    const GemmOutput reference = run_reference(p, ta, tb, config, model, fault);
    for (SimdPath path : available_paths()) {
      SCOPED_TRACE(std::string(simd_path_name(path)));
      ASSERT_TRUE(same_bits(run_fast(p, ta, tb, config, model, 1 + static_cast<int>(i % 3), fault, path), reference));
    }
  }
}

TEST(GemmEmulated, SameBitsForOneTwoAndThreeThreadsAndEveryPath) {
  // Larger than one work item in both directions, so the threads really split the tiles.
  const GemmProblem p = dense_problem(300, 250, 192);
  OperandSpec a{ElementType::of(Format::e4m3fn), 300, 192};
  a.scaled = true, a.block = {1, 128};
  OperandSpec b{ElementType::of(Format::e4m3fn), 250, 192};
  b.scaled = true, b.block = {128, 128};
  const TestOperand ta = make_operand(a, 7), tb = make_operand(b, 8);
  for (const char* model_id : {"fp32", "sm90-wgmma.p128", "sm89-mma.f12.p64", "exact"}) {
    const AccumulationModel model = parse_accumulation_model(model_id);
    const GemmConfig config = parse_gemm_config("bm128.bn128.bk64.s4.sk3.tree");
    const GemmOutput one = run_fast(p, ta, tb, config, model, 1, GemmFault::none, SimdPath::scalar);
    for (SimdPath path : available_paths())
      for (int threads : {1, 2, 3}) {
        SCOPED_TRACE(std::string(model_id) + " " + std::string(simd_path_name(path)) + " threads " + std::to_string(threads));
        EXPECT_TRUE(same_bits(run_fast(p, ta, tb, config, model, threads, GemmFault::none, path), one));
      }
  }
}

// The same logical matrices stored TN / NN / NT / TT, with ld above the minimum and both
// scale layouts: identical bits.
TEST(GemmEmulated, EveryLayoutAndLeadingDimensionGivesTheSameBits) {
  const GemmProblem p = dense_problem(11, 29, 160);
  const GemmConfig config = parse_gemm_config("bm128.bn128.bk64.s4.sk2");
  const AccumulationModel model = parse_accumulation_model("sm90-wgmma.p128");
  GemmOutput first;
  for (BlasLayout layout : kLayouts) {
    for (std::int64_t pad : {0, 5}) {
      OperandSpec a{ElementType::of(Format::e4m3fn), 11, 160, 1, a_is_k_major(layout), pad};
      a.scaled = true, a.block = {1, 32}, a.scales_mn_contiguous = pad != 0, a.scale_ld_pad = pad;
      OperandSpec b{ElementType::of(Format::e5m2), 29, 160, 1, b_is_k_major(layout), 2 * pad};
      b.scaled = true, b.block = {16, 64}, b.scales_mn_contiguous = pad == 0, b.scale_ld_pad = pad;
      const GemmOutput out = run_fast(p, make_operand(a, 31), make_operand(b, 32), config, model);
      SCOPED_TRACE(std::string(blas_layout_name(layout)) + " pad " + std::to_string(pad));
      if (first.bits.empty()) first = out;
      else EXPECT_TRUE(same_bits(out, first));
    }
  }
}

TEST(GemmEmulated, ScaleLayoutHelpersAddressTheDocumentedBlocks) {
  const std::vector<float> data = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  GemmOperand op = GemmOperand::of_values(data.data(), 8, 300, true);  // 2 row blocks of 4, 3 K blocks of 128
  op.scales = BlockScales::k_contiguous(data.data(), {4, 128}, 5);     // (i, j) at i*5 + j
  EXPECT_EQ(op.scale(0, 5, 260), 7.0f);                                // block (1, 2)
  EXPECT_EQ(op.scale_of_group(0, 3, 1), 1.0f);                         // block (0, 1)
  op.scales = BlockScales::mn_contiguous(data.data(), {4, 128}, 3);    // (i, j) at j*3 + i: padded column-major
  EXPECT_EQ(op.scale(0, 5, 260), 7.0f);                                // block (1, 2) at 2*3 + 1
  EXPECT_EQ(op.scale(0, 7, 0), 1.0f);                                  // block (1, 0)
  op.scales = BlockScales::k_contiguous(data.data() + 9, {0, 0}, 1);   // per-tensor
  EXPECT_EQ(op.scale(0, 7, 299), 9.0f);
}

TEST(GemmEmulated, ConfigsThatDifferOnlyInBlockMNStagesOrClusterGiveTheSameBits) {
  const GemmProblem p = dense_problem(40, 70, 320);
  OperandSpec a{ElementType::of(Format::e4m3fn), 40, 320};
  a.scaled = true, a.block = {1, 128};
  OperandSpec b{ElementType::of(Format::e4m3fn), 70, 320};
  b.scaled = true, b.block = {128, 128};
  const TestOperand ta = make_operand(a, 41), tb = make_operand(b, 42);
  for (const char* model_id : {"fp32", "sm90-wgmma.p128", "exact"}) {
    const AccumulationModel model = parse_accumulation_model(model_id);
    const GemmOutput base = run_fast(p, ta, tb, parse_gemm_config("bm128.bn128.bk128.s4.sk2"), model);
    for (const char* id : {"bm64.bn128.bk128.s4.sk2", "bm128.bn64.bk128.s2.sk2", "bm256.bn256.bk128.s8.sk2.c2x1",
                           "bm16.bn8.bk128.s1.sk2.c1x2"}) {
      SCOPED_TRACE(std::string(model_id) + " " + id);
      EXPECT_TRUE(same_bits(run_fast(p, ta, tb, parse_gemm_config(id), model), base));
    }
  }
}

}  // namespace
}  // namespace fp8check::test
