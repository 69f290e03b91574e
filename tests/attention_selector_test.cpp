// select_attention_configs never comes up empty for a problem the device supports, every
// candidate fits, every rejection has a "kind: detail" reason, and unsupported problems
// name their constraint. A thinned shape sweep here; the full grid is
// attention_selector_sweep_test (label long).
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/configs/attention_selector.hpp"
#include "harness/core/error.hpp"
#include "tests/input_error_text.hpp"

namespace fp8check {
namespace {

AttentionDesc problem(std::int64_t sq, std::int64_t skv, std::int64_t d, std::int64_t dv, bool causal = false) {
  AttentionDesc p;
  p.batch = 2;
  p.q_heads = 8;
  p.kv_heads = 2;
  p.seq_q = sq;
  p.seq_kv = skv;
  p.head_dim_qk = d;
  p.head_dim_v = dv;
  p.causal = causal;
  p.softmax_scale = 0.125;
  return p;
}

void expect_all_fit(const AttentionDesc& p, const DeviceProfile& d, const AttentionSelection& sel) {
  ASSERT_FALSE(sel.candidates.empty()) << p << " on " << d.name;
  const std::int64_t blocks_min = 1;
  for (const AttentionCandidate& c : sel.candidates) {
    EXPECT_LE(c.smem_bytes, d.smem_per_block_optin) << c.config;
    if (!d.unconstrained) {
      EXPECT_LE(c.regs_per_thread, d.max_regs_per_thread) << c.config;
    }
    EXPECT_LE(c.config.splits, std::max(blocks_min, (p.seq_kv + c.config.block_kv - 1) / c.config.block_kv));
    EXPECT_FALSE(c.why.empty());
  }
  for (const RejectedAttentionConfig& r : sel.rejected) {
    const std::string kind = r.reason.substr(0, r.reason.find(':'));
    EXPECT_TRUE(kind == "block_kv" || kind == "splits" || kind == "stages" || kind == "shared memory" ||
                kind == "registers")
        << r.reason;
  }
}

TEST(AttentionSelector, ThinnedSweepIsNeverEmpty) {
  int supported = 0, fp8_profiles = 0;
  for (const DeviceProfile& d : builtin_device_profiles()) fp8_profiles += d.native_fp8 ? 1 : 0;
  for (const DeviceProfile& d : builtin_device_profiles())
    for (std::int64_t sq : {1, 127, 1024})
      for (std::int64_t skv : {1, 129, 4224})
        for (auto [dqk, dv] : {std::pair{64, 64}, {128, 128}, {192, 128}, {256, 256}})
          for (const char* p : {"e4m3", "bf16"}) {
            AttentionDesc a = problem(sq, skv, dqk, dv, sq <= skv);
            a.p = parse_p_handling(p);
            if (!why_attention_unsupported(a, d).empty()) continue;
            expect_all_fit(a, d, select_attention_configs(a, d));
            ++supported;
          }
  EXPECT_EQ(supported, fp8_profiles * 3 * 3 * 4 * 2);  // every shape on every profile with FP8 MMA
}

TEST(AttentionSelector, UnsupportedProblemsNameTheConstraint) {
  AttentionDesc p = problem(128, 1024, 128, 128);
  EXPECT_NE(why_attention_unsupported(p, find_device_profile("sm_86")).find("needs native FP8 MMA"), std::string::npos);
  p.k_type = p.v_type = p.q_type = ElementType::of(Format::e5m2);  // Triton's software e5m2 is a GEMM path
  EXPECT_THROW(select_attention_configs(p, find_device_profile("sm_86")), InputError);
  p = problem(128, 1024, 320, 320);
  EXPECT_NE(why_attention_unsupported(p, find_device_profile("sm_90")).find("head_dim_qk = 320 > 256"), std::string::npos);
  p = problem(128, 1024, 72, 72);
  EXPECT_NE(why_attention_unsupported(p, find_device_profile("sm_90")).find("pad the head dim to 80"), std::string::npos);
  p.q_type = ElementType::of(Format::bf16);
  p.head_dim_qk = 200;  // bf16 Q rows align at 8 elements, FP8 K rows at 16
  EXPECT_NE(why_attention_unsupported(p, find_device_profile("sm_90")).find("rows of K"), std::string::npos);
  EXPECT_EQ(why_attention_unsupported(problem(1, 4096, 192, 128), find_device_profile("sm_90")), "");
}

TEST(AttentionSelector, Block176OnlyWithBf16P) {
  AttentionDesc p = problem(1024, 1024, 128, 128);
  AttentionConfig c;
  c.block_kv = 176;
  const AttentionConfigVerdict fp8 = evaluate_attention_config(p, find_device_profile("sm_90"), c);
  EXPECT_FALSE(fp8.fits);
  EXPECT_TRUE(fp8.reason.starts_with("block_kv: 176 is not a multiple of 32")) << fp8.reason;
  p.p = default_p_handling(Format::bf16);
  EXPECT_TRUE(evaluate_attention_config(p, find_device_profile("sm_90"), c).fits);
}

TEST(AttentionSelector, DecodingPrefersSplitsAndSingleBlocksGetNone) {
  // One query row, one batch, a long cache: without splits only 16 CTAs run on 132 SMs.
  AttentionDesc decode = problem(1, 16384, 128, 128);
  decode.batch = 1;
  const AttentionSelection sel = select_attention_configs(decode, find_device_profile("sm_90"));
  EXPECT_GT(sel.candidates.front().config.splits, 1) << sel.candidates.front().config;
  // seq_kv = 1: one block, so one split and one stage; deeper configs are rejected with reasons.
  const AttentionSelection tiny = select_attention_configs(problem(1, 1, 64, 64), find_device_profile("sm_90"));
  for (const AttentionCandidate& c : tiny.candidates) {
    EXPECT_EQ(c.config.splits, 1);
    EXPECT_EQ(c.config.stages, 1);
  }
  EXPECT_TRUE(std::any_of(tiny.rejected.begin(), tiny.rejected.end(),
                          [](const RejectedAttentionConfig& r) { return r.reason.starts_with("splits: 2 > 1 kv block"); }));
  EXPECT_TRUE(std::any_of(tiny.rejected.begin(), tiny.rejected.end(),
                          [](const RejectedAttentionConfig& r) { return r.reason.starts_with("stages: 2 > 1 kv block"); }));
}

TEST(AttentionSelector, RegistersLimitHeadDim256OnHopper) {
  const AttentionSelection sel = select_attention_configs(problem(1024, 1024, 256, 256), find_device_profile("sm_90"));
  for (const AttentionCandidate& c : sel.candidates) EXPECT_LE(c.config.block_kv, 128) << c.config;
  EXPECT_TRUE(std::any_of(sel.rejected.begin(), sel.rejected.end(),
                          [](const RejectedAttentionConfig& r) { return r.reason.starts_with("registers:"); }));
}

TEST(AttentionDesc, ShapeIdsPHandlingAndValidation) {
  AttentionDesc p = problem(128, 1024, 192, 128, true);
  EXPECT_EQ(p.shape_id(), "b2.h8.kv2.sq128.skv1024.d192.dv128.causal");
  EXPECT_EQ(p.kv_head_of(5), 1);
  EXPECT_EQ(p.visible_keys(0), 897);  // bottom-right aligned: row i sees j <= i + skv - sq
  EXPECT_EQ(p.visible_keys(127), 1024);
  EXPECT_EQ(parse_p_handling("e4m3").name(), "e4m3.s256");
  EXPECT_EQ(parse_p_handling("e5m2.s64").scale, 64.0);
  EXPECT_EQ(parse_p_handling("bf16").name(), "bf16");
  for (const char* bad : {"e4m3.s3", "e4m3.s0", "e4m3.s65536", "e4m3.x256", "e4m3.s", "e4m3fnuz", "fp32"})
    EXPECT_THROW(parse_p_handling(bad), InputError) << bad;
  p.kv_heads = 3;
  EXPECT_THROW(p.validate(), InputError);
  p = problem(1, 1, 64, 64);
  p.o_type = OutputType::e4m3fn;
  EXPECT_THROW(p.validate(), InputError);
  p = problem(1, 1, 64, 64);
  p.softmax_scale = 0;
  EXPECT_THROW(p.validate(), InputError);
  p = problem(1, 1, 64, 64);
  p.k_type = ElementType::of(Format::bf16);  // the KV cache is FP8
  EXPECT_THROW(p.validate(), InputError);
}

// Sizes are bounded with overflow-safe arithmetic: the problem's bytes against memory.
TEST(AttentionDesc, ProblemBytesAreCheckedAgainstMemory) {
  AttentionDesc p = problem(128, 1024, 128, 128);  // e4m3 Q, K, V; bf16 O
  // Q 2*8*128*128, K and V 2*2*1024*128 each (1 byte), O 2*8*128*128 * 2 bytes.
  EXPECT_EQ(p.problem_bytes(), 262144u + 2 * 524288u + 524288u);
  EXPECT_NO_THROW(p.validate(1u << 21));
  EXPECT_EQ(testing::error_of([&] { p.validate(1u << 20); }),
            "invalid attention problem b2.h8.kv2.sq128.skv1024.d128: Q, K, V and O take 1.75 MiB in their types, "
            "more than the 1 MiB of memory this process may use: expected a smaller shape");
  p.seq_q = p.seq_kv = std::int64_t{1} << 60;  // 2^71 bytes and more: does not fit in 64 bits
  EXPECT_EQ(p.problem_bytes(), std::nullopt);
  EXPECT_THROW(p.validate(0), InputError);
  EXPECT_THROW(p.validate(), InputError);
  p.batch = -1;
  EXPECT_EQ(p.problem_bytes(), std::nullopt);
}

TEST(AttentionSelector, ConfigIdsRoundTrip) {
  for (const char* id : {"bq128.bkv128.s2", "bq64.bkv176.s1.sp4", "bq64.bkv64.s3.sp8.tree"})
    EXPECT_EQ(parse_attention_config(id).id(), id);
  EXPECT_THROW(parse_attention_config("bq128.bkv100.s2"), InputError);   // not a multiple of 16
  EXPECT_THROW(parse_attention_config("bq128.bkv128.s2.tree"), InputError);  // tree needs splits
  EXPECT_THROW(parse_attention_config("bq128.bkv128.x2"), InputError);
}

}  // namespace
}  // namespace fp8check
