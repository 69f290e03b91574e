// The full shape grid of issue "memory-config sweeps" on every profile (label long).
#include <gtest/gtest.h>

#include "harness/configs/gemm_selector.hpp"

namespace fp8check {
namespace {

TEST(GemmSelectorSweep, FullShapeGridEveryProfile) {
  const std::vector<std::int64_t> dims = {1, 7, 16, 64, 127, 128, 129, 255, 256, 512, 576, 1024, 2048, 4096, 7168, 4097};
  int supported = 0;
  for (const DeviceProfile& d : builtin_device_profiles())
    for (std::int64_t m : dims)
      for (std::int64_t n : dims)
        for (std::int64_t k : dims) {
          GemmDesc p;
          p.m = m;
          p.n = n;
          p.k = k;
          p.a_type = p.b_type = ElementType::of(d.native_fp8 ? Format::e4m3fn : Format::e5m2);
          if (!why_gemm_unsupported(p, d).empty()) continue;
          const GemmSelection sel = select_gemm_configs(p, d);
          ASSERT_FALSE(sel.candidates.empty()) << p;
          for (const ConfigCandidate& c : sel.candidates) ASSERT_LE(c.smem_bytes, d.smem_per_block_optin);
          ++supported;
        }
  EXPECT_GT(supported, 10000);
  // DeepSeek-V3 / DeepGEMM shapes.
  for (const DeviceProfile& d : builtin_device_profiles()) {
    if (!d.native_fp8) continue;
    for (std::int64_t n : {512, 576, 2112, 4096, 7168, 24576})
      for (std::int64_t k : {128, 512, 1536, 7168, 16384})
        for (std::int64_t m : {1, 64, 128, 4096}) {
          GemmDesc p;
          p.m = m;
          p.n = n;
          p.k = k;
          if (why_gemm_unsupported(p, d).empty()) {
            ASSERT_FALSE(select_gemm_configs(p, d).candidates.empty()) << p;
          }
        }
  }
}

}  // namespace
}  // namespace fp8check
