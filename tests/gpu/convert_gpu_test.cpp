// On a GPU: fp8check's codec running on the device equals the CPU codec, and the
// hardware conversion (cvt.rn.satfinite on sm_89+) equals both, on all 2^32 floats.
// Skips with the reason when there is no GPU.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "harness/core/convert.hpp"
#include "kernels/cuda/convert_device.hpp"

namespace fp8check {
namespace {

class ConvertGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda::device_count() == 0) GTEST_SKIP() << "needs a CUDA GPU: " << cuda::device_description();
  }
};

void compare_all_floats(Format f, EncodeOptions opt, cuda::ConvertPath path) {
  constexpr std::size_t kChunk = std::size_t{1} << 28;
  std::vector<std::uint8_t> device(kChunk);
  std::uint64_t mismatches = 0;
  for (std::uint64_t first = 0; first < (std::uint64_t{1} << 32); first += kChunk) {
    cuda::encode_bit_range(f, opt, path, first, kChunk, device.data());
    for (std::size_t i = 0; i < kChunk; ++i) {
      const std::uint32_t bits = static_cast<std::uint32_t>(first + i);
      float x;
      std::memcpy(&x, &bits, 4);
      const std::uint32_t cpu = encode(f, x, opt);
      const bool same = cpu == device[i] || (is_nan_code(f, cpu) && is_nan_code(f, device[i]));
      if (!same && ++mismatches <= 5)
        ADD_FAILURE() << format_spec(f).name << " input 0x" << std::hex << bits << ": cpu 0x" << cpu << " gpu 0x"
                      << unsigned(device[i]);
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

TEST_F(ConvertGpu, EmulatedKernelEqualsCpuOnAllFloats) {
  for (Format f : {Format::e4m3fn, Format::e5m2})
    compare_all_floats(f, default_encode_options(f), cuda::ConvertPath::emulated);
}

TEST_F(ConvertGpu, HardwareConversionEqualsEmulationOnAllFloats) {
  for (Format f : {Format::e4m3fn, Format::e5m2}) {
    compare_all_floats(f, {Rounding::nearest_even, true, true}, cuda::ConvertPath::native);
    compare_all_floats(f, {Rounding::nearest_even, false, false}, cuda::ConvertPath::native);
  }
}

}  // namespace
}  // namespace fp8check
