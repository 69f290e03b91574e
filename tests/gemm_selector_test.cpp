// select_gemm_configs never comes up empty for a problem the device supports, every
// candidate fits, and every rejection has a reason. The DeepGEMM K = 128 bug behind
// this project (../shared/seeds/004_*) is the first case.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "harness/configs/gemm_selector.hpp"
#include "harness/core/error.hpp"
#include "tests/input_error_text.hpp"

namespace fp8check {
namespace {

GemmDesc masked_q_nope(std::int64_t seq_len, std::int64_t n) {
  // q_nope [S, 128 heads, 128] quantized to [128, ceil(S/256)*256, 128]: a masked grouped
  // GEMM with 128 groups, M padded to a multiple of 256 and K = 128.
  GemmDesc p;
  p.kind = GemmKind::grouped_masked;
  p.groups = 128;
  p.m = (seq_len + 255) / 256 * 256;
  p.n = n;
  p.k = 128;
  p.group_rows.assign(128, seq_len);
  return p;
}

// What the buggy selector did: stage candidates (8..2) filtered by s <= K / block_k.
std::vector<int> legacy_stage_candidates(std::int64_t k, int block_k) {
  std::vector<int> out;
  for (int s = 8; s >= 2; --s)
    if (s <= k / block_k) out.push_back(s);
  return out;
}

void expect_all_fit(const GemmDesc& p, const DeviceProfile& d, const GemmSelection& sel) {
  ASSERT_FALSE(sel.candidates.empty()) << p << " on " << d.name;
  for (const ConfigCandidate& c : sel.candidates) {
    EXPECT_LE(c.smem_bytes, d.smem_per_block_optin) << c.config;
    EXPECT_LE(c.regs_per_thread, d.max_regs_per_thread) << c.config;
    EXPECT_LE(c.config.stages, std::max<std::int64_t>(1, (p.k + c.config.block_k - 1) / c.config.block_k)) << c.config;
    EXPECT_FALSE(c.why.empty());
  }
  for (const RejectedConfig& r : sel.rejected) EXPECT_NE(r.reason.find(':'), std::string::npos) << r.reason;
}

TEST(GemmSelector, DeepGemmK128MaskedGroupedIsNeverEmpty) {
  for (std::int64_t n : {512, 576, 2112, 4096, 7168, 24576}) {
    for (std::int64_t s : {1, 100, 256, 1000}) {
      const GemmDesc p = masked_q_nope(s, n);
      ASSERT_TRUE(legacy_stage_candidates(p.k, 128).empty());  // the bug: nothing left to choose
      for (const char* dev : {"sm_90", "sm_100"}) {
        const DeviceProfile& d = find_device_profile(dev);
        const GemmSelection sel = select_gemm_configs(p, d);
        expect_all_fit(p, d, sel);
        EXPECT_EQ(sel.candidates.front().config.stages, 1);
        const bool explained = std::any_of(sel.rejected.begin(), sel.rejected.end(), [](const RejectedConfig& r) {
          return r.reason.starts_with("stages: 2 > 1 k-tile");
        });
        EXPECT_TRUE(explained) << "deeper pipelines must be rejected with a reason, not silently dropped";
      }
    }
  }
}

TEST(GemmSelector, UnsupportedProblemsNameTheConstraint) {
  GemmDesc p;
  p.m = 128;
  p.n = 512;
  p.k = 128;
  // The seed behind fp8check: fp8e4nv (e4m3fn) refused on an sm_86 GPU.
  try {
    select_gemm_configs(p, find_device_profile("sm_86"));
    FAIL() << "e4m3fn on sm_86 must be refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("needs native FP8 MMA"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("e5m2, e4m3b15"), std::string::npos) << e.what();
  }
  p.a_type = p.b_type = ElementType::of(Format::e5m2);  // Triton's software path covers e5m2
  EXPECT_NO_THROW(select_gemm_configs(p, find_device_profile("sm_86")));
  p.a_type = p.b_type = ElementType::of(Format::e4m3fn);
  p.k = 129;
  EXPECT_NE(why_gemm_unsupported(p, find_device_profile("sm_90")).find("pad K with zeros to 144"), std::string::npos);
  p.k = 128;
  p.b_k_major = false;
  EXPECT_NE(why_gemm_unsupported(p, find_device_profile("sm_90")).find("K-major (TN"), std::string::npos);
  p.b_k_major = true;
  p.a_scale = p.b_scale = {1, 32};  // MX groups on Hopper: no block-scaled MMA
  EXPECT_NE(why_gemm_unsupported(p, find_device_profile("sm_90")).find("block-scaled MMA"), std::string::npos);
  EXPECT_EQ(why_gemm_unsupported(p, find_device_profile("sm_100")), "");
  p.a_type = p.b_type = ElementType::of(Format::e2m1fn);
  EXPECT_NE(why_gemm_unsupported(p, find_device_profile("sm_90")).find("block-scaled"), std::string::npos);
}

TEST(GemmSelector, InventedProfileWithLittleSharedMemory) {
  DeviceProfile tiny = find_device_profile("sm_89");
  tiny.name = "sm_test";
  tiny.smem_per_block_optin = 48 * 1024;
  GemmDesc p;
  p.m = 4096;
  p.n = 4096;
  p.k = 4096;
  const GemmSelection sel = select_gemm_configs(p, tiny);
  expect_all_fit(p, tiny, sel);
  EXPECT_TRUE(std::any_of(sel.rejected.begin(), sel.rejected.end(),
                          [](const RejectedConfig& r) { return r.reason.starts_with("shared memory:"); }));
}

TEST(GemmSelector, ExplicitConfigsAreJudged) {
  GemmDesc p;
  p.m = 256;
  p.n = 7168;
  p.k = 128;
  const DeviceProfile& h100 = find_device_profile("sm_90");
  const ConfigVerdict deep = evaluate_gemm_config(p, h100, parse_gemm_config("bm128.bn128.bk128.s4"));
  EXPECT_FALSE(deep.fits);
  EXPECT_TRUE(deep.reason.starts_with("stages: 4 > 1 k-tile")) << deep.reason;
  EXPECT_TRUE(evaluate_gemm_config(p, h100, parse_gemm_config("bm128.bn128.bk128.s1")).fits);
  const ConfigVerdict split = evaluate_gemm_config(p, h100, parse_gemm_config("bm128.bn128.bk128.s1.sk2"));
  EXPECT_TRUE(split.reason.starts_with("split-K: 2 slices > 1 k-tile")) << split.reason;
  EXPECT_THROW(parse_gemm_config("bm128.bn128.bq128"), InputError);
  EXPECT_EQ(parse_gemm_config("bm64.bn96.bk128.s3.sk2.tree.c2x1").id(), "bm64.bn96.bk128.s3.sk2.tree.c2x1");
}

// The shape grid of the issue, on every profile: a supported problem always has
// candidates that fit; an unsupported one is refused with a reason.
void sweep(const std::vector<std::int64_t>& dims, int* supported, int* refused) {
  for (const DeviceProfile& d : builtin_device_profiles())
    for (std::int64_t m : dims)
      for (std::int64_t n : dims)
        for (std::int64_t k : dims) {
          for (ScaleBlock a_scale : {ScaleBlock{1, 128}, ScaleBlock{0, 0}}) {
            GemmDesc p;
            p.m = m;
            p.n = n;
            p.k = k;
            p.a_scale = a_scale;
            p.b_scale = a_scale.k ? ScaleBlock{128, 128} : ScaleBlock{0, 0};
            p.a_type = p.b_type = ElementType::of(d.native_fp8 ? Format::e4m3fn : Format::e5m2);
            const std::string why = why_gemm_unsupported(p, d);
            // Refusals here come only from 16-byte row alignment (K for A/B, N for D on TMA parts).
            const bool aligned = d.unconstrained || (k % 16 == 0 && (!d.warpgroup_mma || n % 8 == 0));
            EXPECT_EQ(why.empty(), aligned) << p << " on " << d.name << ": " << why;
            if (!why.empty()) {
              EXPECT_NE(why.find("aligned"), std::string::npos) << why;
              ++*refused;
              continue;
            }
            ++*supported;
            expect_all_fit(p, d, select_gemm_configs(p, d));
          }
        }
}

TEST(GemmSelector, ShapeGridThinned) {
  int supported = 0, refused = 0;
  sweep({1, 128, 129, 7168}, &supported, &refused);
  EXPECT_GT(supported, 0);
  EXPECT_GT(refused, 0);
}

// Shapes and counts are bounded with overflow-safe arithmetic: the problem's bytes against
// the memory this process may use, so huge shapes are input errors, never bad_alloc.
TEST(GemmDesc, ProblemBytesAreOverflowSafeAndCheckedAgainstMemory) {
  GemmDesc p;
  p.m = 128;
  p.n = 256;
  p.k = 512;  // e4m3fn A and B, bf16 D
  EXPECT_EQ(p.problem_bytes(), 128u * 512 + 256u * 512 + 2u * 128 * 256);
  p.kind = GemmKind::batched;
  p.groups = 4;  // every batch has its own A, B and D
  EXPECT_EQ(p.problem_bytes(), 4 * (128u * 512 + 256u * 512 + 2u * 128 * 256));
  p.a_type = p.b_type = ElementType::of(Format::e2m1fn);  // half a byte each
  EXPECT_EQ(p.problem_bytes(), 4 * (64u * 512 + 128u * 512 + 2u * 128 * 256));
  EXPECT_NO_THROW(p.validate(1u << 20));
  EXPECT_EQ(testing::error_of([&] { p.validate(1u << 19); }),
            "invalid GEMM problem m128.n256.k512.b4: A, B and D take 640 KiB in their types, more than the "
            "512 KiB of memory this process may use: expected a smaller shape or fewer groups");

  GemmDesc huge;  // the shape: 2 EiB of bf16 output
  huge.m = huge.n = 1000000000;
  huge.k = 128;
  EXPECT_THROW(huge.validate(), InputError);
  huge.kind = GemmKind::batched;
  huge.groups = std::int64_t{1} << 62;  // beyond 64 bits
  EXPECT_EQ(huge.problem_bytes(), std::nullopt);
  EXPECT_THROW(huge.validate(0), InputError);  // even with the memory check off
  huge.groups = -1;
  EXPECT_EQ(huge.problem_bytes(), std::nullopt);
}

TEST(GemmSelector, WaveCountsNeverWrapAround) {
  GemmDesc p;
  p.kind = GemmKind::batched;
  p.m = p.n = p.k = 128;
  p.groups = 4096;  // 4096 output tiles of 128x128 and more: tens of waves on 132 SMs
  const GemmSelection sel = select_gemm_configs(p, find_device_profile("sm_90"));
  ASSERT_FALSE(sel.candidates.empty());
  for (const ConfigCandidate& c : sel.candidates) EXPECT_GE(c.waves, 4096 / 132) << c.config.id();
}

}  // namespace
}  // namespace fp8check
