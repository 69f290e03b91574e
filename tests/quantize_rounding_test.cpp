// Scaled values are rounded once: x / s and x * q are computed rounded to odd
// (harness/quantize/round_to_odd.hpp) before the one rounding into the element format.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <tuple>

#include "harness/core/convert.hpp"
#include "harness/quantize/quantize.hpp"
#include "harness/quantize/round_to_odd.hpp"

namespace fp8check {
namespace {

TEST(RoundToOdd, KeepsAStickyBitOnTheCorrectSide) {
  std::mt19937_64 rng(7);  // raw bits only: the std distributions are not portable
  int moved = 0;
  for (int n = 0; n < 20000; ++n) {
    const double x = std::ldexp(1.0 + static_cast<double>(rng() >> 12) * 0x1p-52, static_cast<int>(rng() % 40) - 20);
    const double s = static_cast<float>(std::ldexp(1.0 + static_cast<double>(rng() >> 41) * 0x1p-23, 3));
    for (auto [rounded, exact_minus_rounded, odd] :
         {std::tuple{x / s, std::fma(-(x / s), s, x), divide_round_to_odd(x, s)},
          std::tuple{x * s, std::fma(x, s, -(x * s)), multiply_round_to_odd(x, s)}}) {
      const bool even = (std::bit_cast<std::uint64_t>(rounded) & 1u) == 0;
      if (exact_minus_rounded == 0 || !even) {
        ASSERT_EQ(odd, rounded);  // exact, or already odd: unchanged
      } else {
        ++moved;
        ASSERT_EQ(odd, std::nextafter(rounded, exact_minus_rounded > 0 ? 2 * rounded : 0.0));
        ASSERT_EQ(std::bit_cast<std::uint64_t>(odd) & 1u, 1u);
      }
    }
  }
  EXPECT_GT(moved, 1000);  // the sweep exercised the interesting case
}

TEST(Quantize, AQuantMultiplierProductIsRoundedOnce) {
  // Find a float q and a double x whose product rounds (in double) to e4m3fn's midpoint
  // 1.0625 while the exact product is above it: one rounding gives 1.125 (0x39); rounding
  // the double product again would tie to even 1.0 (0x38).
  double q = 0, x = 0;
  for (int k = 1; k < 200 && q == 0; ++k) {
    const double candidate_q = 1.0 + k * 0x1p-23;
    for (double c = std::nextafter(1.0625 / candidate_q, 0.0), end = c + 0x1p-48; c < end; c = std::nextafter(c, 2.0))
      if (c * candidate_q == 1.0625 && std::fma(c, candidate_q, -1.0625) > 0) {
        q = candidate_q;
        x = c;
        break;
      }
  }
  ASSERT_NE(q, 0);
  MatrixD m(1, 2);
  m << 448 / q, x;
  QuantizeOptions o;
  o.scale.meaning = ScaleMeaning::quant;
  const QuantizedMatrix quantized = quantize(m, parse_recipe("tensor"), o);
  ASSERT_EQ(quantized.scales.value(0, 0), q);
  EXPECT_EQ(quantized.codes(0, 1), 0x39);
  EXPECT_EQ(encode(Format::e4m3fn, x * q), 0x38u);  // the double-rounded answer
}

}  // namespace
}  // namespace fp8check
