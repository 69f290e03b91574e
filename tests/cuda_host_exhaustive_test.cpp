// Every one of the 2^32 float32 bit patterns through fp8check's encode and CUDA's
// host __nv_cvt_float_to_fp8 (cuda_fp8.hpp, compiled by the host compiler), for
// E4M3 and E5M2 in __NV_SATFINITE = {saturate_finite, clamp_inf} and
// __NV_NOSAT = {!saturate_finite, !clamp_inf}, round to nearest even. Codes must be
// equal, except that for a NaN input both must be NaN codes. Decoding is checked on
// every code against __nv_cvt_fp8_to_halfraw. Label `long`: ~2 min on 2 cores (Release).
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "harness/core/convert.hpp"

namespace fp8check {
namespace {

struct Fp8Mode {
  const char* name;
  Format format;
  __nv_fp8_interpretation_t kind;
  __nv_saturation_t saturation;
};

constexpr Fp8Mode kModes[] = {
    {"e4m3_satfinite", Format::e4m3fn, __NV_E4M3, __NV_SATFINITE},
    {"e4m3_nosat", Format::e4m3fn, __NV_E4M3, __NV_NOSAT},
    {"e5m2_satfinite", Format::e5m2, __NV_E5M2, __NV_SATFINITE},
    {"e5m2_nosat", Format::e5m2, __NV_E5M2, __NV_NOSAT},
};
constexpr int kModeCount = sizeof kModes / sizeof kModes[0];

EncodeOptions options_of(const Fp8Mode& m) {
  const bool sat = m.saturation == __NV_SATFINITE;
  return {Rounding::nearest_even, sat, sat};
}

// Disagreements of one thread over its share of the bit patterns.
struct Tally {
  std::uint64_t mismatches[kModeCount] = {};
  std::uint32_t first_input[kModeCount] = {};
  std::uint32_t first_cuda[kModeCount] = {}, first_ours[kModeCount] = {};
};

void compare_range(std::uint64_t begin, std::uint64_t end, Tally& t) {
  EncodeOptions options[kModeCount];
  for (int m = 0; m < kModeCount; ++m) options[m] = options_of(kModes[m]);
  for (std::uint64_t b = begin; b < end; ++b) {
    const auto bits = static_cast<std::uint32_t>(b);
    float x;
    std::memcpy(&x, &bits, sizeof x);
    const bool nan_input = std::isnan(x);
    for (int m = 0; m < kModeCount; ++m) {
      const std::uint32_t cuda = __nv_cvt_float_to_fp8(x, kModes[m].saturation, kModes[m].kind);
      const std::uint32_t ours = encode(kModes[m].format, x, options[m]);
      const bool same = nan_input ? is_nan_code(kModes[m].format, cuda) && is_nan_code(kModes[m].format, ours)
                                  : cuda == ours;
      if (!same && t.mismatches[m]++ == 0) {
        t.first_input[m] = bits;
        t.first_cuda[m] = cuda;
        t.first_ours[m] = ours;
      }
    }
  }
}

TEST(CudaHostExhaustive, EveryFloat32EncodesLikeCuda) {
  constexpr std::uint64_t kAll = std::uint64_t{1} << 32;
  const auto start = std::chrono::steady_clock::now();
  Tally low, high;  // two threads, one per half of the bit patterns (positive, negative)
  std::thread worker(compare_range, 0, kAll / 2, std::ref(low));
  compare_range(kAll / 2, kAll, high);
  worker.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("2^32 float32 inputs x %d CUDA modes compared in %.1f s (2 threads)\n", kModeCount, seconds);

  for (int m = 0; m < kModeCount; ++m)
    for (const Tally* t : {&low, &high})
      EXPECT_EQ(t->mismatches[m], 0u) << kModes[m].name << ": first input bits 0x" << std::hex << t->first_input[m]
                                      << " cuda=0x" << t->first_cuda[m] << " fp8check=0x" << t->first_ours[m];
}

TEST(CudaHostExhaustive, EveryCodeDecodesLikeCuda) {
  for (const Fp8Mode& m : kModes) {
    for (std::uint32_t c = 0; c < 256; ++c) {
      const float cuda = __half2float(__half(__nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(c), m.kind)));
      const double ours = decode(m.format, c);
      if (std::isnan(cuda)) {
        EXPECT_TRUE(std::isnan(ours) && is_nan_code(m.format, c)) << m.name << " code 0x" << std::hex << c;
        continue;
      }
      EXPECT_EQ(static_cast<double>(cuda), ours) << m.name << " code 0x" << std::hex << c;
      EXPECT_EQ(std::signbit(cuda), std::signbit(ours)) << m.name << " code 0x" << std::hex << c;
      // Round trip in both libraries (satfinite clamps inf, so infinities only without it).
      if (std::isinf(ours) && m.saturation == __NV_SATFINITE) continue;
      EXPECT_EQ(__nv_cvt_float_to_fp8(cuda, m.saturation, m.kind), c) << m.name << " code 0x" << std::hex << c;
      EXPECT_EQ(encode(m.format, ours, options_of(m)), c) << m.name << " code 0x" << std::hex << c;
    }
  }
}

}  // namespace
}  // namespace fp8check
