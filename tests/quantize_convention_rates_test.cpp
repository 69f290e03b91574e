// How often the conventions disagree on a realistic activation: the full-size measurement
// of docs/recipes.md ("How often they disagree"), on the shape issue 15 reports (a keyed
// bf16-valued 2048 x 7168 N(0, 1) activation, 1x128 blocks, e4m3fn): about 3 s.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "tests/quantize_convention_support.hpp"

namespace fp8check {
namespace {

TEST(QuantConventionRates, FullSizeActivation) {
  const MatrixD x = conventions_test::bf16_activation(2048, 7168, 15);
  const Recipe r = parse_recipe("vec128");
  std::map<std::string, QuantizedMatrix> q;
  for (const char* c : {"exact", "deepgemm", "deepgemm-legacy", "transformer-engine", "vllm", "vllm-triton"})
    q.emplace(c, conventions_test::quantize_with(x, r, c));
  const std::pair<const char*, const char*> pairs[] = {
      {"exact", "deepgemm"},        {"exact", "deepgemm-legacy"}, {"exact", "transformer-engine"},
      {"exact", "vllm"},            {"exact", "vllm-triton"},     {"deepgemm", "vllm"},
      {"deepgemm", "deepgemm-legacy"}, {"deepgemm-legacy", "vllm"}, {"vllm", "vllm-triton"}};
  for (const auto& [a, b] : pairs) {
    const conventions_test::Disagreement d = conventions_test::disagreement(q.at(a), q.at(b));
    std::printf("[ rates ] %-18s vs %-18s codes %7lld of %lld (%.3g), scales %5lld of %lld\n", a, b,
                static_cast<long long>(d.codes), static_cast<long long>(d.elements), d.code_rate(),
                static_cast<long long>(d.scales), static_cast<long long>(d.blocks));
  }
  // The sizes issue 15 reports (from another generator): 1.3e-3 of the codes differ between
  // exact and DeepGEMM's first formula, 1.25e-3 between exact and vLLM's, 3.1e-4 between
  // those two. All three store the same scale: fl32(amax / 448) correctly rounded.
  const auto between = [&](const char* a, const char* b) { return conventions_test::disagreement(q.at(a), q.at(b)); };
  for (const char* c : {"deepgemm", "deepgemm-legacy", "vllm"}) {
    EXPECT_GT(between("exact", c).code_rate(), 1e-3) << c;
    EXPECT_LT(between("exact", c).code_rate(), 1.6e-3) << c;
    EXPECT_EQ(between("exact", c).scales, 0) << c;
  }
  EXPECT_GT(between("deepgemm-legacy", "vllm").code_rate(), 2e-4);
  EXPECT_LT(between("deepgemm-legacy", "vllm").code_rate(), 5e-4);
  EXPECT_GT(between("deepgemm", "vllm").code_rate(), 2e-4);
  EXPECT_LT(between("deepgemm", "vllm").code_rate(), 1e-3);
  // Transformer Engine multiplies by the same fl32(448 / amax) as DeepGEMM's first formula
  // (same codes) but stores scale_inv = fl32(1 / that), not fl32(amax / 448).
  EXPECT_EQ(between("deepgemm-legacy", "transformer-engine").codes, 0);
  EXPECT_GT(between("deepgemm-legacy", "transformer-engine").scales, 0);
}

}  // namespace
}  // namespace fp8check
