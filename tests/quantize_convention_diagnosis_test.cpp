// The diagnosis of a quantize kernel against its declared convention
// (harness/quantize/convention_diagnosis.hpp). The "kernels" are the literal library
// formulas of tests/quantize_convention_support.hpp, so a correct kernel and a kernel
// with a real bug both come from outside harness/quantize.
#include "harness/quantize/convention_diagnosis.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/quantize_convention_support.hpp"

namespace fp8check {
namespace {

namespace lit = conventions_test;

// The output a kernel implementing `group` would hand back, in the recipe's layout.
QuantizedMatrix kernel_output(const MatrixD& x, const Recipe& r,
                              const std::function<lit::GroupResult(const std::vector<float>&)>& group) {
  QuantizedMatrix q = quantize(x, r);  // the shapes and layout; every value is replaced
  const ScaleLayout& l = q.scales.layout;
  const lit::Assembled a = lit::by_blocks(x, l.block.rows, l.block.cols, group);
  q.codes.codes = a.codes;
  for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
    for (std::int64_t gj = 0; gj < l.grid_cols; ++gj)
      q.scales.set(gi, gj, a.scales[static_cast<std::size_t>(gi * l.grid_cols + gj)]);
  return q;
}

QuantizeOptions declaring(const char* convention) {
  QuantizeOptions o;
  o.scale.convention = parse_quant_convention(convention);
  return o;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const auto kDeepGemm = [](const std::vector<float>& g) { return lit::deepgemm(g, Format::e4m3fn, 448, false); };

TEST(ConventionDiagnosis, ADeepGemmKernelPassesWhenDeclaredAndIsNamedWhenNot) {
  const MatrixD x = lit::bf16_activation(128, 1024, 31);
  const Recipe r = parse_recipe("vec128");
  const QuantizedMatrix kernel = kernel_output(x, r, kDeepGemm);

  const ConventionDiagnosis as_declared = diagnose_quantized(x, r, declaring("deepgemm"), kernel);
  EXPECT_TRUE(as_declared.passes()) << as_declared.summary();
  EXPECT_TRUE(as_declared.alternatives.empty());
  EXPECT_TRUE(contains(as_declared.summary(), "convention deepgemm (amax floor 0.0001): codes and scales agree"))
      << as_declared.summary();

  const ConventionDiagnosis as_exact = diagnose_quantized(x, r, declaring("exact"), kernel);
  EXPECT_FALSE(as_exact.passes());
  EXPECT_GT(as_exact.declared.comparison.code_mismatches, 50);  // ~1e-3 of 131072 codes
  EXPECT_EQ(as_exact.declared.comparison.scale_mismatches, 0);
  ASSERT_NE(as_exact.best_alternative(), nullptr);
  EXPECT_EQ(as_exact.best_alternative()->convention.id, ConventionId::deepgemm);
  EXPECT_TRUE(as_exact.best_alternative()->explains_all());
  const std::string s = as_exact.summary();
  EXPECT_TRUE(contains(s, "convention exact: codes: ")) << s;
  EXPECT_TRUE(contains(s, "matches deepgemm (amax floor 0.0001) except 0 codes and 0 scales")) << s;
  EXPECT_TRUE(contains(s, "as does mul-inverse-scale-fp32")) << s;  // the same arithmetic without the floor
  // Every other applicable convention was tried and ranked.
  EXPECT_EQ(as_exact.alternatives.size(), all_conventions().size() - 1);
}

TEST(ConventionDiagnosis, ARealBugIsNotExplainedAway) {
  const MatrixD x = lit::bf16_activation(16, 512, 32);
  const Recipe r = parse_recipe("vec128");
  QuantizedMatrix kernel = kernel_output(x, r, kDeepGemm);
  kernel.codes(3, 200) ^= 0x01;  // one flipped mantissa bit
  kernel.scales.set(5, 2, kernel.scales.value(5, 2) * 2);  // one scale off by 2x
  const ConventionDiagnosis d = diagnose_quantized(x, r, declaring("deepgemm"), kernel);
  EXPECT_FALSE(d.passes());
  EXPECT_EQ(d.declared.unexplained_codes(), 1);
  EXPECT_EQ(d.declared.unexplained_scales(), 1);
  EXPECT_EQ(d.best_alternative(), nullptr);  // nothing explains a flipped bit better
  EXPECT_TRUE(contains(d.summary(), "first at (3, 200)")) << d.summary();
  EXPECT_TRUE(contains(d.summary(), "no other convention explains the kernel better")) << d.summary();
}

TEST(ConventionDiagnosis, NamesTheClosestWhenNoneMatches) {
  const MatrixD x = lit::bf16_activation(64, 512, 33);
  const Recipe r = parse_recipe("vec128");
  QuantizedMatrix kernel = kernel_output(x, r, [](const std::vector<float>& g) {
    return lit::vllm(g, Format::e4m3fn, 448, false);
  });
  kernel.codes(0, 0) ^= 0x02;
  const ConventionDiagnosis d = diagnose_quantized(x, r, declaring("exact"), kernel);
  ASSERT_NE(d.best_alternative(), nullptr);
  EXPECT_EQ(d.best_alternative()->convention.id, ConventionId::vllm);
  EXPECT_EQ(d.best_alternative()->unexplained_codes(), 1);
  EXPECT_TRUE(contains(d.summary(), "closest: vllm (amax floor 1e-10) except 1 codes and 0 scales")) << d.summary();
}

TEST(ConventionDiagnosis, ApproximateDivisionIsToleratedWithinItsBound) {
  // A Triton kernel whose div.full.f32 happened to return the correctly rounded quotient
  // every time (vLLM's CUDA kernel does exactly that): it differs from the a * (1/b)
  // model in many scales and codes, all within div.full.f32's 2-ulp bound.
  const MatrixD x = lit::bf16_activation(64, 1024, 34);
  const Recipe r = parse_recipe("vec128");
  const QuantizedMatrix correctly_rounded = kernel_output(x, r, [](const std::vector<float>& g) {
    return lit::vllm(g, Format::e4m3fn, 448, false);
  });
  const ConventionDiagnosis d = diagnose_quantized(x, r, declaring("vllm-triton"), correctly_rounded);
  EXPECT_TRUE(d.passes()) << d.summary();
  EXPECT_GT(d.declared.comparison.scale_mismatches, 0);
  EXPECT_EQ(d.declared.scales_within_division_bound, d.declared.comparison.scale_mismatches);
  EXPECT_EQ(d.declared.codes_within_division_bound, d.declared.comparison.code_mismatches);
  EXPECT_TRUE(contains(d.summary(), "within the div.full.f32 error bound")) << d.summary();

  // A scale 3 ulp off, or a code two steps off, is outside the bound.
  QuantizedMatrix off = correctly_rounded;
  off.scales.set(1, 1, std::nextafter(std::nextafter(std::nextafter(off.scales.value(1, 1), 1.0f), 1.0f), 1.0f));
  off.codes(7, 9) = static_cast<std::uint8_t>(off.codes(7, 9) + 2);
  const ConventionDiagnosis bad = diagnose_quantized(x, r, declaring("vllm-triton"), off);
  EXPECT_FALSE(bad.passes());
  EXPECT_EQ(bad.declared.unexplained_scales(), 1);
  EXPECT_GE(bad.declared.unexplained_codes(), 1);

  // Conventions with exact IEEE division tolerate nothing.
  const ConventionDiagnosis strict = diagnose_quantized(x, r, declaring("vllm"), off);
  EXPECT_EQ(strict.declared.codes_within_division_bound, 0);
  EXPECT_EQ(strict.declared.scales_within_division_bound, 0);
}

TEST(ConventionDiagnosis, RecipesWithOneRuleHaveNoAlternatives) {
  const MatrixD x = lit::bf16_activation(4, 64, 35);
  const Recipe r = parse_recipe("mxfp8");
  QuantizedMatrix kernel = quantize(x, r);
  kernel.codes(0, 0) ^= 0x01;
  const ConventionDiagnosis d = diagnose_quantized(x, r, QuantizeOptions{}, kernel);
  EXPECT_FALSE(d.passes());
  EXPECT_TRUE(d.alternatives.empty());
  EXPECT_TRUE(contains(d.summary(), "no other convention explains the kernel better")) << d.summary();
}

TEST(ConventionDiagnosis, TransformerEngineScalesUnderTheQuantMeaning) {
  // TE hands back `scale` (fmax / amax): declared with the quant meaning it passes.
  const MatrixD x = lit::bf16_activation(8, 256, 36);
  const Recipe r = parse_recipe("vec128");
  QuantizedMatrix kernel = kernel_output(x, r, [](const std::vector<float>& g) {
    lit::GroupResult res = lit::transformer_engine(g, Format::e4m3fn, 448, false);
    res.stored_scale = 448.0f / lit::absmax_fmaxf(g, 0);
    return res;
  });
  QuantizeOptions o = declaring("transformer-engine");
  o.scale.meaning = ScaleMeaning::quant;
  kernel.scales.meaning = ScaleMeaning::quant;
  EXPECT_TRUE(diagnose_quantized(x, r, o, kernel).passes());
  QuantizeOptions exact;
  exact.scale.meaning = ScaleMeaning::quant;
  const ConventionDiagnosis d = diagnose_quantized(x, r, exact, kernel);
  ASSERT_NE(d.best_alternative(), nullptr);
  EXPECT_TRUE(d.best_alternative()->explains_all()) << d.summary();
}

}  // namespace
}  // namespace fp8check
