// The avx2 encoder against encode<F> on every one of the 2^32 float bit patterns, for each
// format and overflow option set it covers (label long: about ten seconds per case on two cores).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/core/convert_bulk.hpp"

namespace fp8check {
namespace {

struct Case {
  Format format;
  bool saturate_finite;
  bool clamp_inf;
};

std::string describe(const Case& c) {
  return std::string(format_spec(c.format).name) + (c.saturate_finite ? "_sat" : "_nosat") +
         (c.clamp_inf ? "_clampinf" : "_keepinf");
}
std::string case_name(const testing::TestParamInfo<Case>& info) { return describe(info.param); }

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (Format f : {Format::e4m3fn, Format::e5m2, Format::e4m3fnuz, Format::e5m2fnuz}) {
    for (bool saturate : {true, false}) {
      for (bool clamp : {true, false}) cases.push_back({f, saturate, clamp});
    }
  }
  return cases;
}

std::string hex(std::uint64_t v) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%08llx", static_cast<unsigned long long>(v));
  return text;
}

template <Format F>
struct Checker {
  // Checks the float bit patterns [begin, end) chunk by chunk; returns the mismatch count
  // and keeps the first few as messages.
  static std::uint64_t run(EncodeOptions opt, std::uint64_t begin, std::uint64_t end,
                           std::vector<std::string>& first_mismatches, std::mutex& mutex) {
    constexpr std::size_t kChunk = 1 << 16;
    std::vector<float> in(kChunk);
    std::vector<std::uint8_t> out(kChunk);
    std::uint64_t mismatches = 0;
    for (std::uint64_t base = begin; base < end; base += kChunk) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, end - base));
      for (std::size_t i = 0; i < n; ++i) in[i] = std::bit_cast<float>(static_cast<std::uint32_t>(base + i));
      detail::encode_array_on(SimdPath::avx2, F, std::span(in).first(n), std::span(out).first(n), opt);
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t expected = encode<F>(static_cast<double>(in[i]), opt);
        if (out[i] == expected) continue;
        if (++mismatches <= 5) {
          const std::lock_guard lock(mutex);
          first_mismatches.push_back("input " + hex(base + i) + " gave " + hex(out[i]) + ", encode<F> gives " +
                                     hex(expected));
        }
      }
    }
    return mismatches;
  }
};

std::uint64_t check_range(Format f, EncodeOptions opt, std::uint64_t begin, std::uint64_t end,
                          std::vector<std::string>& first_mismatches, std::mutex& mutex) {
  switch (f) {
    case Format::e4m3fn: return Checker<Format::e4m3fn>::run(opt, begin, end, first_mismatches, mutex);
    case Format::e5m2: return Checker<Format::e5m2>::run(opt, begin, end, first_mismatches, mutex);
    case Format::e4m3fnuz: return Checker<Format::e4m3fnuz>::run(opt, begin, end, first_mismatches, mutex);
    case Format::e5m2fnuz: return Checker<Format::e5m2fnuz>::run(opt, begin, end, first_mismatches, mutex);
    default: ADD_FAILURE() << "no exhaustive checker for " << format_spec(f).name; return 1;
  }
}

class ConvertBulkExhaustive : public testing::TestWithParam<Case> {};

TEST_P(ConvertBulkExhaustive, Avx2EncodeMatchesEncodeOnEveryFloat) {
  if (!cpu_has_avx2()) GTEST_SKIP() << "this CPU lacks AVX2 or F16C: the avx2 path cannot run here";
  const Case c = GetParam();
  const EncodeOptions opt{Rounding::nearest_even, c.saturate_finite, c.clamp_inf};
  ASSERT_TRUE(detail::avx2_encode_covers(c.format, opt));
  ASSERT_TRUE(detail::avx2_fp_environment_is_default()) << "the avx2 kernels would not run";

  const unsigned kThreads = std::max(2u, std::thread::hardware_concurrency());
  constexpr std::uint64_t kAll = std::uint64_t{1} << 32;
  std::atomic<std::uint64_t> mismatches{0};
  std::vector<std::string> first_mismatches;
  std::mutex mutex;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::uint64_t begin = kAll * t / kThreads, end = kAll * (t + 1) / kThreads;
      mismatches += check_range(c.format, opt, begin, end, first_mismatches, mutex);
    });
  }
  for (auto& thread : threads) thread.join();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::cout << "[ exhaustive ] " << describe(c) << ": 2^32 floats in " << elapsed.count() << " s on " << kThreads
            << " threads\n";
  for (const std::string& m : first_mismatches) ADD_FAILURE() << m;
  EXPECT_EQ(mismatches.load(), 0u);
}

INSTANTIATE_TEST_SUITE_P(AllCovered, ConvertBulkExhaustive, testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace fp8check
