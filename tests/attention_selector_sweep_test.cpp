// The attention selector over a full shape grid on every profile (label long): never empty
// for a supported problem, every candidate within the device's limits.
#include <gtest/gtest.h>

#include "harness/configs/attention_selector.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check {
namespace {

TEST(AttentionSelectorSweep, FullShapeGridEveryProfile) {
  const std::vector<std::int64_t> lengths = {1, 2, 63, 64, 127, 128, 129, 255, 256, 257, 1023, 1024, 4224, 16384, 131072};
  const std::vector<std::pair<std::int64_t, std::int64_t>> dims = {{32, 32}, {64, 64}, {80, 80}, {96, 96}, {128, 128},
                                                                   {192, 128}, {192, 192}, {256, 256}, {576, 512}};
  int supported = 0;
  auto check = [&](const DeviceProfile& d, const AttentionDesc& a) {
    if (!why_attention_unsupported(a, d).empty()) return;
    const AttentionSelection sel = select_attention_configs(a, d);
    ASSERT_FALSE(sel.candidates.empty()) << a;
    for (const AttentionCandidate& c : sel.candidates) {
      ASSERT_LE(c.smem_bytes, d.smem_per_block_optin) << a << " " << c.config;
      if (!d.unconstrained) ASSERT_LE(c.regs_per_thread, d.max_regs_per_thread) << a << " " << c.config;
    }
    ++supported;
  };
  AttentionDesc a;
  a.q_heads = 16;
  a.softmax_scale = 0.1;
  for (const DeviceProfile& d : builtin_device_profiles())
    for (std::int64_t sq : lengths) {
      if (sq > 16384) continue;  // the cost model walks query tiles: longer queries add time, not coverage
      for (std::int64_t skv : lengths)
        for (auto [dqk, dv] : dims)
          for (const char* q : {"e4m3fn", "e5m2", "bf16"})
            for (bool causal : {false, true})
              for (const char* p : {"e4m3", "e5m2.s256", "bf16"}) {
                a.seq_q = sq;
                a.seq_kv = skv;
                a.head_dim_qk = dqk;
                a.head_dim_v = dv;
                a.causal = causal;
                a.q_type = ElementType::of(parse_format(q));
                a.p = parse_p_handling(p);
                check(d, a);
              }
    }
  EXPECT_GT(supported, 30000);
}

}  // namespace
}  // namespace fp8check
