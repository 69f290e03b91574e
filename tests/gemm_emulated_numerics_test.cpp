// What the accumulation models compute (docs/accumulation.md): model 3 is exact where
// FP64 is; models 1 and 2 lose what the spec says they lose; outputs convert as specified.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <set>

#include "harness/core/convert.hpp"
#include "kernels/emulated/round_mantissa.hpp"
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
  // Relative to sum |a*b*s*s|: fp32 rounds each of ~K sums at 2^-24; tc14 keeps 14 bits per
  // chunk step (4 steps per promotion); exact rounds at 2^-53, then once to fp32.
  const std::pair<const char*, double> models[] = {{"fp32", 600 * 0x1p-24}, {"tc14t.p128", 64 * 0x1p-14}, {"exact", 0x1p-23}};
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
  for (const char* model_id : {"fp32", "tc14t.p128", "tc14r.p0", "exact"}) {
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
  GemmProblem p = dense_problem(3, 30, 40);
  OperandSpec a{ElementType::of(Format::e5m2), 3, 40};
  TestOperand ta = make_operand(a, 11);
  const TestOperand tb = make_operand(OperandSpec{ElementType::of(Format::e5m2), 30, 40}, 12);
  ta.codes[static_cast<std::size_t>(ta.view.element_offset(0, 0, 5))] = 0x7E;  // NaN
  ta.codes[static_cast<std::size_t>(ta.view.element_offset(0, 1, 3))] = 0x7C;  // +inf
  ta.codes[static_cast<std::size_t>(ta.view.element_offset(0, 1, 9))] = 0xFC;  // -inf
  const std::pair<OutputType, std::uint32_t> outputs[] = {{OutputType::fp32, 0x7FC00000u}, {OutputType::bf16, 0x7FFFu}};
  for (const auto& [type, nan_bits] : outputs) {
    p.output = type;
    for (const char* model_id : {"fp32", "tc14r.p128", "exact"}) {
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

// A 1 x 1 x K problem from explicit values (exact e4m3 numbers).
float one_output(const std::vector<float>& a, const std::vector<float>& b, const char* model_id) {
  const auto k = static_cast<std::int64_t>(a.size());
  GemmOutput out;
  gemm_emulated(dense_problem(1, 1, k), GemmOperand::of_values(a.data(), 1, k, true),
                GemmOperand::of_values(b.data(), 1, k, true), parse_gemm_config("bm128.bn128.bk128.s4"),
                parse_accumulation_model(model_id), out, 1);
  return static_cast<float>(out.value(0, 0, 0));
}

TEST(GemmEmulatedNumerics, TensorCoreModelLosesExactlyTheBitsBeyondPAndPromotionRecoversThem) {
  // Chunk 0 sums to 16; chunk 4 (k = 128) adds 1.5. 17.5 = 1.00011b * 2^4 needs 5 mantissa bits.
  std::vector<float> ones(256, 1.0f), b(256, 0.0f);
  b[0] = 16.0f, b[128] = 1.5f;
  EXPECT_EQ(one_output(ones, b, "fp32"), 17.5f);
  EXPECT_EQ(one_output(ones, b, "tc4t.p0"), 17.0f);    // truncation drops 2^-1
  EXPECT_EQ(one_output(ones, b, "tc4r.p0"), 18.0f);    // a tie (1.0001|1): to even, 1.0010b * 2^4
  EXPECT_EQ(one_output(ones, b, "tc4t.p128"), 17.5f);  // promoted at k = 128: 16 and 1.5 meet in FP32
  EXPECT_EQ(one_output(ones, b, "tc4r.p128"), 17.5f);

  // The default 14 bits: 2^15 + 1 needs 15 bits. 32 products of 32 * 32 make 2^15.
  std::vector<float> a14(256, 0.0f), b14(256, 0.0f);
  for (int k = 0; k < 32; ++k) a14[k] = 32.0f, b14[k] = 32.0f;
  a14[128] = 1.0f, b14[128] = 1.0f;
  EXPECT_EQ(one_output(a14, b14, "fp32"), 32769.0f);
  EXPECT_EQ(one_output(a14, b14, "tc14t.p0"), 32768.0f);  // 1 lost
  EXPECT_EQ(one_output(a14, b14, "tc14r.p0"), 32768.0f);  // exactly half an ulp, lsb even: lost too
  EXPECT_EQ(one_output(a14, b14, "tc14t.p128"), 32769.0f);

  // Rounding applies to r + c before any promotion, so promotion cannot recover a chunk's own
  // low bits: c = 1 + 2^-5 + 2^-6 (exact in FP32) keeps 4 bits as 1 (t) or 1 + 2^-4 (r).
  std::vector<float> a1(32, 1.0f), b1(32, 0.0f);
  b1[0] = 1.0f, b1[1] = 0x1p-5f, b1[2] = 0x1p-6f;
  EXPECT_EQ(one_output(a1, b1, "fp32"), 1.046875f);
  EXPECT_EQ(one_output(a1, b1, "tc4t.p32"), 1.0f);
  EXPECT_EQ(one_output(a1, b1, "tc4r.p32"), 1.0625f);
}

TEST(GemmEmulatedNumerics, RoundMantissaKeepsPBitsAndPassesInfAndNaN) {
  EXPECT_EQ(round_mantissa(1.046875f, 4, true), 1.0f);
  EXPECT_EQ(round_mantissa(1.046875f, 4, false), 1.0625f);
  EXPECT_EQ(round_mantissa(-1.046875f, 4, true), -1.0f);    // toward zero
  EXPECT_EQ(round_mantissa(-1.046875f, 4, false), -1.0625f);
  EXPECT_EQ(round_mantissa(1.96875f, 4, false), 2.0f);      // 1.11111b: the carry enters the next binade
  EXPECT_EQ(round_mantissa(1.09375f, 4, false), 1.125f);    // 1.0001|1b tie, odd lsb: up
  EXPECT_EQ(round_mantissa(1.03125f, 4, false), 1.0f);      // 1.0000|1b tie, even lsb: down
  EXPECT_EQ(round_mantissa(1.1f, 23, true), 1.1f);          // 23 bits: FP32 itself
  EXPECT_EQ(round_mantissa(std::numeric_limits<float>::max(), 14, false), std::numeric_limits<float>::infinity());
  EXPECT_EQ(round_mantissa(std::numeric_limits<float>::infinity(), 1, true), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(round_mantissa(std::bit_cast<float>(0x7F800001u), 1, true)));  // payload below the cut
}

}  // namespace
}  // namespace fp8check::test
