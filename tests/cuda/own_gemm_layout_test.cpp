// The shared memory of every instantiated own GEMM kernel (kernels/cuda/index/
// gemm_tiling.hpp) against the config selector's model (harness/configs/gemm_selector.cpp),
// and the layout's own consistency: buffers aligned and disjoint inside the allocation,
// the output tile where the model puts it. The static check (own_kernels_static_check.sh)
// then holds ptxas's numbers for the compiled kernels to the same layout. Also the plans'
// refusals (can_implement reasons) and the tile rows of every GEMM kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "kernels/cuda/index/gemm_plan.hpp"
#include "tests/cuda/own_gemm_case.hpp"
#include "tests/cuda/own_kernel_table.hpp"

namespace fp8check::test {
namespace {

using namespace cuda_index;

TEST(OwnGemmLayout, EqualsTheSelectorsSharedMemoryModel) {
  std::set<std::string> symbols;
  for (const OwnGemmKernel& k : own_gemm_kernels()) {
    SCOPED_TRACE(k.symbol());
    EXPECT_TRUE(symbols.insert(k.symbol()).second) << "duplicate kernel";
    const ConfigVerdict v = selector_verdict(k);
    ASSERT_TRUE(v.fits) << v.reason;
    EXPECT_EQ(k.smem().total, v.candidate.smem_bytes);
    EXPECT_LE(k.smem().total, profile_of(k.family).smem_per_block_optin);
  }
}

TEST(OwnGemmLayout, BuffersAreAlignedAndDisjoint) {
  for (const OwnGemmKernel& k : own_gemm_kernels()) {
    SCOPED_TRACE(k.symbol());
    const GemmSmemLayout l = k.smem();
    struct Span {
      int begin, end;
    };
    std::vector<Span> spans;
    for (int s = 0; s < l.stages; ++s) {
      EXPECT_EQ(l.a_offset(s) % 16, 0);
      EXPECT_EQ(l.b_offset(s) % 16, 0);
      EXPECT_EQ(l.a_scale_offset(s) % 4, 0);
      EXPECT_EQ(l.b_scale_offset(s) % 4, 0);
      spans.push_back({l.a_offset(s), l.a_offset(s) + l.a_tile});
      spans.push_back({l.b_offset(s), l.b_offset(s) + l.b_tile});
      spans.push_back({l.a_scale_offset(s), l.a_scale_offset(s) + 4 * l.a_scale_count});
      spans.push_back({l.b_scale_offset(s), l.b_scale_offset(s) + 4 * l.b_scale_count});
    }
    std::sort(spans.begin(), spans.end(), [](Span x, Span y) { return x.begin < y.begin; });
    for (std::size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].end, spans[i].begin);
    EXPECT_LE(spans.back().end + kStageBarrierBytes * l.stages, l.pipeline);
    EXPECT_LE(l.epilogue_offset + l.epilogue, l.total);
    if (k.family == SmemFamily::wgmma) {
      EXPECT_GE(l.epilogue_offset, l.pipeline) << "the wgmma model keeps the output tile apart";
      EXPECT_EQ(l.total % 1024, 0);
    } else {
      EXPECT_EQ(l.epilogue_offset, 0) << "the mma_sync model reuses the stages";
    }
    EXPECT_EQ(l.epilogue % 4, 0);
    const WarpLayout w = gemm_warp_layout(k.block_m, k.block_n);
    EXPECT_EQ(k.block_m % (16 * w.warps_m), 0);
    EXPECT_EQ(k.block_n % (8 * w.warps_n), 0);
    EXPECT_GE(w.warps(), 1);
  }
}

TEST(OwnGemmLayout, SymbolsNameTheirConfig) {
  const OwnGemmKernel& k = own_gemm_kernels()[0];
  EXPECT_EQ(k.symbol(), "fp8check_gemm_native_mma_sync_bm16_bn32_bk64_s4_o1_outer");
  EXPECT_EQ(k.config().id(), "bm16.bn32.bk64.s4");
}

OwnGemmCase plain_case() {
  OwnGemmCase s;
  s.m = 64;
  s.n = 64;
  s.k = 256;
  s.config.block_m = 64;
  s.config.block_n = 64;
  s.config.block_k = 64;
  s.config.stages = 4;
  return s;
}

TEST(OwnGemmPlan, RefusesWhatNoKernelRunsWithTheReason) {
  const auto why = [](const OwnGemmCase& s, GemmPath path = GemmPath::native, SmemFamily f = SmemFamily::mma_sync) {
    return why_no_own_gemm(make_own_gemm_inputs(s).args, f, path);
  };
  EXPECT_EQ(why(plain_case()), "");
  OwnGemmCase s = plain_case();
  s.a_format = Format::e4m3fnuz;
  EXPECT_NE(why(s).find("has no FP8 tensor-core instruction"), std::string::npos) << why(s);
  EXPECT_EQ(why(s, GemmPath::software), "");
  s = plain_case();
  s.config.block_n = 96;
  EXPECT_NE(why(s).find("no native kernel of the mma_sync shared-memory model is instantiated"), std::string::npos) << why(s);
  EXPECT_NE(why(plain_case(), GemmPath::native, SmemFamily::wgmma).find("instantiated: bm64.bn64.bk128.s2"), std::string::npos);
  s = plain_case();
  s.k = 264;
  EXPECT_NE(why(s).find("K a multiple of 16"), std::string::npos) << why(s);
  s = plain_case();
  s.lda_pad = 8;
  EXPECT_NE(why(s).find("16-byte aligned"), std::string::npos) << why(s);
  s = plain_case();
  s.config.cluster_m = 2;
  EXPECT_NE(why(s).find("clusters"), std::string::npos) << why(s);

  // Scales other than outer or DeepSeek-V3's.
  OwnGemmInputs in = make_own_gemm_inputs(plain_case());
  std::vector<float> scales(64 * 8, 1.0f);
  in.args.a.scales = BlockScales::k_contiguous(scales.data(), {1, 32}, 8);
  EXPECT_NE(why_no_own_gemm(in.args, SmemFamily::mma_sync, GemmPath::native).find("scales A 1x32"), std::string::npos);
  // Integer operands.
  std::vector<std::int8_t> ints(64 * 256, 1);
  in.args.a = GemmOperand::of_integers(ints.data(), 64, 256, true);
  EXPECT_NE(why_no_own_gemm(in.args, SmemFamily::mma_sync, GemmPath::native).find("not integers"), std::string::npos);
}

TEST(OwnGemmPlan, TileRowsCoverEveryKindsRows) {
  GemmProblem p;
  p.kind = GemmKind::grouped_contiguous;
  p.m = 150;
  p.n = 8;
  p.k = 32;
  p.groups = 3;
  p.group_row_offsets = {0, 70, 70, 150};
  std::vector<TileRow> rows = make_tile_rows(p, 64);
  ASSERT_EQ(rows.size(), 4u);  // 70 rows: 2 tiles; the empty group: none; 80 rows: 2 tiles
  EXPECT_EQ(rows[1].row0, 64);
  EXPECT_EQ(rows[1].rows, 70);
  EXPECT_EQ(rows[2].b_batch, 2);
  EXPECT_EQ(rows[2].row_begin, 70);
  p.kind = GemmKind::grouped_masked;
  p.m = 64;
  p.group_row_offsets.clear();
  p.masked_m = {0, 64, 1};
  rows = make_tile_rows(p, 32);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].row_begin, 64);
  EXPECT_EQ(rows[2].row_begin, 128);
  EXPECT_EQ(rows[2].rows, 1);
  p.kind = GemmKind::batched;
  p.masked_m.clear();
  p.m = 10;
  rows = make_tile_rows(p, 16);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].a_batch, 2);
  EXPECT_EQ(rows[2].b_batch, 2);
}

}  // namespace
}  // namespace fp8check::test
