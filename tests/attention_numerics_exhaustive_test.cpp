// exp2_portable's documented bound over EVERY float f in [-1/2, 1/2] (label long, ~1 min
// of CPU). 2^x = 2^round(x) · 2^f with f = x - round(x) exact and the power of two exact,
// so this covers every x whose result is a normal float (docs/attention.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include "harness/run/attention_bound.hpp"
#include "kernels/emulated/attention_numerics.hpp"

namespace fp8check {
namespace {

TEST(AttentionNumericsExhaustive, Exp2OnEveryReducedArgument) {
  constexpr std::uint32_t kHalf = 0x3F000000u;  // bits of 0.5
  const unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<double> worst(workers, 0.0);
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < workers; ++w)
    pool.emplace_back([&, w] {
      double local = 0;
      for (std::uint32_t b = w; b <= kHalf; b += workers)
        for (std::uint32_t sign : {0u, 0x80000000u}) {
          const float f = attention::float_from_bits(b | sign);
          const double exact = std::exp2(static_cast<double>(f));
          local = std::max(local, std::fabs(static_cast<double>(attention::exp2_portable(f)) - exact) / exact);
        }
      worst[w] = local;
    });
  for (std::thread& t : pool) t.join();
  const double max_error = *std::max_element(worst.begin(), worst.end());
  EXPECT_LE(max_error, kExp2RelativeError);
  RecordProperty("max_relative_error_in_2^-23", std::to_string(max_error * 0x1p23));
}

}  // namespace
}  // namespace fp8check
