// What the accumulation models compute (docs/accumulation.md): exact is exact where FP64
// is; fp32 and the kernel models lose what the spec says they lose; outputs convert as
// specified.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <set>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "kernels/emulated/gemm_emulated_reference.hpp"
#include "tests/gemm_emulated_test_support.hpp"

namespace fp8check::test {
namespace {

const ElementType kE4m3 = ElementType::of(Format::e4m3fn);

// sum_k |a * b * scale_a * scale_b| of one element: the scale of accumulation errors.
double magnitude_sum(const GemmOperand& a, const GemmOperand& b, std::int64_t k, std::int64_t m, std::int64_t n) {
  double s = 0;
  for (std::int64_t i = 0; i < k; ++i)
    s += std::fabs(a.element(0, m, i) * b.element(0, n, i) * a.scale(0, m, i) * b.scale(0, n, i));
  return s;
}

TEST(GemmEmulatedNumerics, ExactModelEqualsAnFp64TripleLoopOnIntegerInputs) {
  const ElementType pairs[][2] = {{kE4m3, kE4m3},
                                  {ElementType::of(Format::e5m2), kE4m3},
                                  {ElementType::of(Format::e2m1fn), ElementType::of(Format::e2m1fn)},
                                  {ElementType::of(Format::e2m3fn), ElementType::of(Format::e3m2fn)},
                                  {ElementType::int8(), ElementType::int8()},
                                  {ElementType::int4(), ElementType::int8()}};
  const ScaleBlock recipes[][2] = {{{0, 0}, {0, 0}}, {{1, 0}, {1, 0}}, {{1, 128}, {128, 128}}, {{1, 32}, {1, 32}}};
  std::vector<float> bias(21);
  for (std::size_t j = 0; j < bias.size(); ++j) bias[j] = static_cast<float>(j) - 10.0f;
  int index = 0;
  for (const auto& pair : pairs) {
    for (const auto& recipe : recipes) {
      GemmProblem p = dense_problem(7, 21, 300);
      p.alpha = 0.5f;
      p.bias = bias.data();
      OperandSpec a{pair[0], 7, 300, 1, true, 0, false, Values::small_integers, true, recipe[0]};
      a.scales = Scales::powers_of_two;
      OperandSpec b{pair[1], 21, 300, 1, false, 0, false, Values::small_integers, true, recipe[1]};
      b.scales = Scales::powers_of_two;
      const TestOperand ta = make_operand(a, 100 + index), tb = make_operand(b, 200 + index++);
      for (const char* config_id : {"bm128.bn128.bk128.s4", "bm128.bn128.bk32.s4.sk3.tree"}) {
        for (const char* model_id : {"exact", "fp32"}) {  // model 1 too: every partial sum is an exact float here
          SCOPED_TRACE(pair[0].name() + "x" + pair[1].name() + " " + config_id + " " + model_id);
          const GemmOutput out = run_fast(p, ta, tb, parse_gemm_config(config_id), parse_accumulation_model(model_id));
          for (std::int64_t m = 0; m < 7; ++m)
            for (std::int64_t n = 0; n < 21; ++n)
              ASSERT_EQ(out.value(0, m, n), fp64_element(p, ta.view, tb.view, 0, 0, m, n)) << m << "," << n;
        }
      }
    }
  }
}

TEST(GemmEmulatedNumerics, EveryFormatPairStaysWithinEachModelsErrorBound) {
  const ElementType pairs[][2] = {{kE4m3, kE4m3},
                                  {kE4m3, ElementType::of(Format::e5m2)},
                                  {ElementType::of(Format::e5m2), kE4m3},
                                  {ElementType::of(Format::e5m2), ElementType::of(Format::e5m2)},
                                  {ElementType::of(Format::e2m1fn), ElementType::of(Format::e2m1fn)},
                                  {ElementType::of(Format::e3m2fn), ElementType::of(Format::e2m3fn)},
                                  {ElementType::int8(), ElementType::int8()}};
  // Relative to sum |a*b*s*s|: fp32 rounds each of ~K sums at 2^-24; exact rounds at 2^-53,
  // then once to fp32. (Kernel models: gemm_bound_test.cpp.)
  const std::pair<const char*, double> models[] = {{"fp32", 600 * 0x1p-24}, {"exact", 0x1p-23}};
  int index = 0;
  for (const auto& pair : pairs) {
    const GemmProblem p = dense_problem(6, 10, 600);
    OperandSpec a{pair[0], 6, 600, 1, true, 0, false, Values::random_codes, true, {1, 128}};
    OperandSpec b{pair[1], 10, 600, 1, true, 0, false, Values::random_codes, true, {128, 128}};
    const TestOperand ta = make_operand(a, 300 + index), tb = make_operand(b, 400 + index++);
    for (const auto& [model_id, bound] : models) {
      SCOPED_TRACE(pair[0].name() + "x" + pair[1].name() + " " + model_id);
      const GemmConfig config = parse_gemm_config("bm128.bn128.bk128.s4.sk2");
      const AccumulationModel model = parse_accumulation_model(model_id);
      const GemmOutput out = run_fast(p, ta, tb, config, model);
      EXPECT_TRUE(same_bits(out, run_reference(p, ta, tb, config, model)));
      for (std::int64_t m = 0; m < 6; ++m)
        for (std::int64_t n = 0; n < 10; ++n)
          ASSERT_LE(std::fabs(out.value(0, m, n) - fp64_element(p, ta.view, tb.view, 0, 0, m, n)),
                    bound * magnitude_sum(ta.view, tb.view, 600, m, n))
              << m << "," << n;
    }
  }
}

TEST(GemmEmulatedNumerics, BlockKSplitKAndReductionChangeBitsButStayNearFp64) {
  const GemmProblem p = dense_problem(8, 24, 1024);
  OperandSpec a{kE4m3, 8, 1024, 1, true, 0, false, Values::random_codes, true, {0, 0}};
  OperandSpec b{kE4m3, 24, 1024, 1, true, 0, false, Values::random_codes, true, {0, 0}};
  const TestOperand ta = make_operand(a, 501), tb = make_operand(b, 502);
  std::set<std::vector<std::uint32_t>> distinct;
  for (const char* id : {"bm128.bn128.bk32.s4", "bm128.bn128.bk64.s4", "bm128.bn128.bk128.s4", "bm128.bn128.bk512.s4",
                         "bm128.bn128.bk128.s4.sk2", "bm128.bn128.bk64.s4.sk3", "bm128.bn128.bk64.s4.sk3.tree",
                         "bm128.bn128.bk32.s4.sk8", "bm128.bn128.bk32.s4.sk8.tree"}) {
    SCOPED_TRACE(id);
    const GemmOutput out = run_fast(p, ta, tb, parse_gemm_config(id), parse_accumulation_model("fp32"));
    distinct.insert(out.bits);
    for (std::int64_t m = 0; m < 8; ++m)
      for (std::int64_t n = 0; n < 24; ++n)
        ASSERT_LE(std::fabs(out.value(0, m, n) - fp64_element(p, ta.view, tb.view, 0, 0, m, n)),
                  (1024 + 8) * 0x1p-24 * magnitude_sum(ta.view, tb.view, 1024, m, n));
  }
  EXPECT_GE(distinct.size(), 5u) << "accumulation orders should give different bits on random data";
}

TEST(GemmEmulatedNumerics, AnAllZeroScaleBlockGivesNoNaN) {
  const GemmProblem p = dense_problem(9, 17, 384);
  OperandSpec a{kE4m3, 9, 384, 1, true, 0, false, Values::random_codes, true, {1, 128}};
  OperandSpec b{kE4m3, 17, 384, 1, true, 0, false, Values::random_codes, true, {128, 128}};
  TestOperand ta = make_operand(a, 601), tb = make_operand(b, 602);
  ta.set_k_block_scales(1, 0.0f);  // as a quantizer writes for an all-zero block
  tb.set_k_block_scales(2, 0.0f);
  for (const char* model_id : {"fp32", "sm90-wgmma.p128", "sm89-mma.p64", "exact"}) {
    SCOPED_TRACE(model_id);
    const GemmOutput out = run_fast(p, ta, tb, parse_gemm_config("bm128.bn128.bk64.s4.sk2"),
                                    parse_accumulation_model(model_id));
    EXPECT_FALSE(std::isnan(out.amax));
    for (std::int64_t m = 0; m < 9; ++m)
      for (std::int64_t n = 0; n < 17; ++n) ASSERT_TRUE(std::isfinite(out.value(0, m, n))) << m << "," << n;
  }
}

TEST(GemmEmulatedNumerics, E4m3OutputIsTheScaledSatfiniteEncodingAndAmaxIsTakenBeforeTheScale) {
  GemmProblem p = dense_problem(12, 40, 256);
  OperandSpec a{kE4m3, 12, 256, 1, true, 0, false, Values::random_codes, true, {1, 128}};
  OperandSpec b{kE4m3, 40, 256, 1, true, 0, false, Values::random_codes, true, {128, 128}};
  const TestOperand ta = make_operand(a, 701), tb = make_operand(b, 702);
  const GemmConfig config = parse_gemm_config("bm128.bn128.bk128.s4");
  const AccumulationModel model = parse_accumulation_model("fp32");
  const GemmOutput t = run_fast(p, ta, tb, config, model);  // fp32 output is t itself
  double amax = 0;
  for (std::int64_t m = 0; m < 12; ++m)
    for (std::int64_t n = 0; n < 40; ++n) amax = std::max(amax, std::fabs(t.value(0, m, n)));
  EXPECT_EQ(t.amax, amax);
  p.output = OutputType::e4m3fn;
  p.d_scale = static_cast<float>(300.0 / amax);  // not a power of two; the largest |t| maps to 300 < 448
  for (float d_scale : {p.d_scale, 4 * p.d_scale}) {  // then 1200: saturates to +-448
    p.d_scale = d_scale;
    const GemmOutput d = run_fast(p, ta, tb, config, model);
    EXPECT_EQ(d.amax, amax);
    int saturated = 0;
    for (std::int64_t m = 0; m < 12; ++m)
      for (std::int64_t n = 0; n < 40; ++n) {
        const float scaled = static_cast<float>(t.value(0, m, n)) * d_scale;
        ASSERT_EQ(d.at(0, m, n), encode<Format::e4m3fn>(scaled)) << m << "," << n;
        saturated += std::fabs(d.value(0, m, n)) == 448.0 && std::fabs(scaled) > 464.0f;
      }
    EXPECT_EQ(saturated > 0, d_scale != static_cast<float>(300.0 / amax));
  }
}

TEST(GemmEmulatedNumerics, NaNAndInfinityGiveCanonicalNaNOnEveryPathAndNaNAmax) {
  // Row 0 of A holds a NaN, row 1 +inf and -inf (inf - inf = NaN, whose sign x86 sets), row 2 is finite.
  GemmProblem p = dense_problem(3, 30, 64);
  OperandSpec a{ElementType::of(Format::e5m2), 3, 64};
  TestOperand ta = make_operand(a, 11);
  const TestOperand tb = make_operand(OperandSpec{ElementType::of(Format::e5m2), 30, 64}, 12);
  ta.codes[static_cast<std::size_t>(ta.view.element_offset(0, 0, 5))] = 0x7E;  // NaN
  ta.codes[static_cast<std::size_t>(ta.view.element_offset(0, 1, 3))] = 0x7C;  // +inf
  ta.codes[static_cast<std::size_t>(ta.view.element_offset(0, 1, 9))] = 0xFC;  // -inf
  const std::pair<OutputType, std::uint32_t> outputs[] = {{OutputType::fp32, 0x7FC00000u}, {OutputType::bf16, 0x7FFFu}};
  for (const auto& [type, nan_bits] : outputs) {
    p.output = type;
    for (const char* model_id : {"fp32", "sm90-wgmma.p32", "exact"}) {
      const AccumulationModel model = parse_accumulation_model(model_id);
      const GemmConfig config = parse_gemm_config("bm128.bn128.bk32.s4.sk2.tree");
      const GemmOutput reference = run_reference(p, ta, tb, config, model);
      for (SimdPath path : available_paths()) {
        SCOPED_TRACE(std::string(model_id) + " " + std::string(simd_path_name(path)));
        const GemmOutput out = run_fast(p, ta, tb, config, model, 2, GemmFault::none, path);
        EXPECT_TRUE(same_bits(out, reference));
        EXPECT_TRUE(std::isnan(out.amax));
        for (std::int64_t n = 0; n < 30; ++n) {
          EXPECT_EQ(out.at(0, 0, n), nan_bits);
          // (Kernel models: any inf element makes the instruction's d NaN, fused_dot_add.hpp.)
          if (tb.view.element(0, n, 3) != 0 && tb.view.element(0, n, 9) != 0 &&
              (tb.view.element(0, n, 3) > 0) == (tb.view.element(0, n, 9) > 0)) {
            EXPECT_EQ(out.at(0, 1, n), nan_bits) << n;  // +inf*b and -inf*b of one sign: inf - inf
          }
          EXPECT_FALSE(std::isnan(out.value(0, 2, n)));
        }
      }
    }
  }
}

// A 1 x 1 x K problem from explicit values (exact e4m3 numbers), optionally with 1 x 128
// scales of A (scale_a[g] for k in [128 g, 128 g + 128)) applied at promotion.
float one_output(const std::vector<float>& a, const std::vector<float>& b, const char* model_id,
                 const std::vector<float>& scale_a = {}, const char* config = "bm128.bn128.bk128.s4") {
  const auto k = static_cast<std::int64_t>(a.size());
  GemmOperand va = GemmOperand::of_values(a.data(), 1, k, true), vb = GemmOperand::of_values(b.data(), 1, k, true);
  if (!scale_a.empty()) va.scales = BlockScales::k_contiguous(scale_a.data(), {1, 128}, static_cast<std::int64_t>(scale_a.size()));
  GemmOutput out;
  gemm_emulated(dense_problem(1, 1, k), va, vb, parse_gemm_config(config), parse_accumulation_model(model_id), out, 1);
  GemmOutput reference;
  gemm_emulated_reference(dense_problem(1, 1, k), va, vb, parse_gemm_config(config), parse_accumulation_model(model_id),
                          reference);
  EXPECT_TRUE(same_bits(out, reference)) << model_id;
  return static_cast<float>(out.value(0, 0, 0));
}

// 16 * 16 = 256 at k = 0, then 2^-3 * 2^-3 = 2^-6 at k = 32, 64, ..., 224. One tensor-core
// accumulator aligns every 2^-6 below 256's unit 2^-5 (F = 13): lost. Promotion every 128 k
// starts a second partial at +0 that keeps its four 2^-6. sm100 keeps F = 25 bits.
TEST(GemmEmulatedNumerics, KernelModelsLoseWhatTheInstructionTruncatesAndPromotionKeepsIt) {
  std::vector<float> a(256, 0.0f), b(256, 0.0f);
  a[0] = b[0] = 16.0f;
  for (int k = 32; k < 256; k += 32) a[k] = b[k] = 0.125f;
  EXPECT_EQ(one_output(a, b, "fp32"), 256.109375f);
  EXPECT_EQ(one_output(a, b, "sm90-wgmma"), 256.0f);
  EXPECT_EQ(one_output(a, b, "sm89-mma"), 256.0f);
  EXPECT_EQ(one_output(a, b, "sm90-wgmma.p128"), 256.0625f);
  EXPECT_EQ(one_output(a, b, "sm90-wgmma.p32"), 256.109375f);
  EXPECT_EQ(one_output(a, b, "sm100-tcgen05"), 256.109375f);
  // Split-K: the second slice [128, 256) restarts at +0 like a promotion, reduced in FP32.
  EXPECT_EQ(one_output(a, b, "sm90-wgmma", {}, "bm128.bn128.bk128.s4.sk2"), 256.0625f);
  // .pN counts from the slice start: slices [0, 96), [96, 192), [192, 256) (block_k 32), .p64
  // windows [0, 64) [64, 96) | [96, 160) [160, 192) | [192, 256): only k = 32's 2^-6 meets 256.
  EXPECT_EQ(one_output(a, b, "sm90-wgmma.p64", {}, "bm128.bn128.bk32.s4.sk3"), 256.09375f);
}

// DeepGEMM's promotion, final += (scale_a * scale_b) * partial, is one FFMA: rounded once.
// Window 0 adds -1 (scale 1); window 1's partial 1 + 2^-13 times scale 1 + 2^-23 is
// 1 + 2^-13 + 2^-23 + 2^-36 exactly, and -1 + that is representable: 2^-13 + 2^-23 + 2^-36.
// A multiply, then an add, would lose the 2^-36.
TEST(GemmEmulatedNumerics, ScalesArePromotedWithOneFusedMultiplyAdd) {
  std::vector<float> a(256, 0.0f), b(256, 0.0f);
  a[0] = -1.0f, b[0] = 1.0f;
  a[128] = 1.0f, b[128] = 1.0f;
  a[129] = 0x1p-7f, b[129] = 0x1p-6f;  // an e4m3 subnormal times the smallest normal: 2^-13
  const std::vector<float> scales = {1.0f, 1.0f + 0x1p-23f};
  EXPECT_EQ(one_output(a, b, "sm90-wgmma.p128", scales), 0x1p-13f + 0x1p-23f + 0x1p-36f);
  EXPECT_EQ(one_output(a, b, "fp32", scales), 0x1p-13f + 0x1p-23f);  // CUDA-core kernels multiply, then add
}

TEST(GemmEmulatedNumerics, KernelModelsRefuseWhatAKernelCannotDo) {
  // B's scales: MX-like 1 x 32 when A's are, else per tensor.
  const auto refuses = [](const char* model_id, std::int64_t k, ScaleBlock a_block, const char* config,
                          ElementType type, const std::string& part) {
    OperandSpec a{type, 4, k, 1, true, 0, false, Values::random_codes, true, a_block};
    const ScaleBlock b_block = a_block.k == 32 ? a_block : ScaleBlock{0, 0};
    OperandSpec b{type, 8, k, 1, true, 0, false, Values::random_codes, true, b_block};
    const TestOperand ta = make_operand(a, 1), tb = make_operand(b, 2);
    const AccumulationModel model = parse_accumulation_model(model_id);
    for (int reference = 0; reference < 2; ++reference) {
      try {
        if (reference) run_reference(dense_problem(4, 8, k), ta, tb, parse_gemm_config(config), model);
        else run_fast(dense_problem(4, 8, k), ta, tb, parse_gemm_config(config), model);
        ADD_FAILURE() << model_id << " ran";
      } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
      }
    }
  };
  const char* plain = "bm128.bn128.bk128.s4";
  refuses("sm90-wgmma", 256, {1, 128}, plain, kE4m3, "no promotion");           // fast accumulation + 1x128 scales
  refuses("sm90-wgmma.p128", 100, {0, 0}, plain, kE4m3, "not a multiple of the instruction's k");
  refuses("sm100-mxf4", 192, {0, 0}, "bm128.bn128.bk32.s4.sk2", ElementType::of(Format::e2m1fn), "split-K slices of 96");
  refuses("sm90-wgmma.p128", 256, {1, 16}, plain, kE4m3, "scale groups of 16");
  refuses("sm90-wgmma.p128", 256, {0, 0}, plain, ElementType::int8(), "integer");
  refuses("sm90-wgmma.p128", 256, {0, 0}, plain, ElementType::of(Format::e2m1fn), "has no instruction");
  refuses("sm100-mxf8", 256, {1, 32}, plain, kE4m3, "not an e8m0 value");  // random scales are no powers of two
  EXPECT_THROW(parse_accumulation_model("tc14t.p128"), InputError);         // the running-sum model is gone
}

}  // namespace
}  // namespace fp8check::test
