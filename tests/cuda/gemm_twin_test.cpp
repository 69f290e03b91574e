// The CPU twin of fp8check's own GEMM kernel (kernels/cuda/twin): the kernel's block
// program, its fragment maps and its tile loop on a simulated thread block, with the
// MMA-Sim instruction models for mma.sync, must give the bits of the kernel model it
// declares, on every instantiated kernel, many shapes (edge tiles in M, N and K, K not a
// multiple of 32), formats, scale recipes, outputs, epilogues, split-K orders and GEMM
// kinds. Two references: mma_chain_gemm (kernels/emulated/mma, the plain chain GEMM of
// `fp8check emulate gemm --kernel sm89-mma.p128`) where it applies, and the spelled-out
// definition in own_gemm_case.cpp everywhere. The twin's race and bounds checker runs on
// every case.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/run/backend_registry.hpp"
#include "kernels/cuda/index/gemm_plan.hpp"
#include "kernels/cuda/twin/gemm_twin.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"
#include "tests/cuda/own_gemm_case.hpp"

namespace fp8check::test {
namespace {

using cuda_index::GemmPath;
using cuda_index::OwnGemmKernel;
using cuda_index::SmemFamily;

GemmConfig config_of(const OwnGemmKernel& k, int split = 1, SplitKReduction r = SplitKReduction::sequential) {
  GemmConfig c = k.config();
  c.split_k = split;
  c.reduction = r;
  return c;
}

std::vector<cuda_twin::TwinRegion> regions_of(const OwnGemmInputs& in) {
  std::vector<cuda_twin::TwinRegion> r;
  for (const auto& x : in.regions()) r.push_back({x.begin, x.bytes});
  return r;
}

KernelModel model_of(GemmPath path) { return parse_kernel_model(path == GemmPath::native ? "sm89-mma.p128" : "sm80-mma.p128"); }

void expect_twin_equals_reference(const OwnGemmCase& spec, SmemFamily family, GemmPath path) {
  SCOPED_TRACE(spec.name + " on " + std::string(cuda_index::smem_family_name(family)) + "/" +
               std::string(cuda_index::gemm_path_name(path)) + " config " + spec.config.id());
  const OwnGemmInputs in = make_own_gemm_inputs(spec);
  ASSERT_EQ(cuda_index::why_no_own_gemm(in.args, family, path), "");
  GemmOutput twin;
  const cuda_twin::TwinRun run = cuda_twin::run_gemm_twin(in.args, family, path, twin, regions_of(in));
  EXPECT_GT(run.instructions, 0);
  const GemmOutput want = own_gemm_reference(in, model_of(path), path);
  const BitDiff diff = compare_output_bits(in, twin, want);
  EXPECT_GT(diff.compared, 0);
  EXPECT_EQ(diff.differing, 0) << "of " << diff.compared << "; first " << diff.first;
  EXPECT_TRUE(diff.amax_equal) << "amax twin " << twin.amax << " reference " << want.amax;
}

// Every instantiated kernel on one block with partial tiles in M, N and K (the last
// instruction reads a zero-filled tail: K % 32 == 16).
TEST(GemmTwin, EveryKernelOnEdgeTiles) {
  for (const OwnGemmKernel& k : cuda_index::own_gemm_kernels()) {
    OwnGemmCase s;
    s.name = k.symbol();
    s.m = k.block_m - 3;
    s.n = k.block_n - 8;
    s.k = k.block_k * 2 + 48;
    s.blocked = k.scales == cuda_index::ScaleVariant::blocked;
    s.outer = s.blocked ? OuterScales::none : OuterScales::row_col;
    s.output = k.out_bytes == 1 ? OutputType::e4m3fn : k.out_bytes == 2 ? OutputType::bf16 : OutputType::fp32;
    s.d_scale = 0.25f;
    s.config = config_of(k);
    s.seed = 11;
    expect_twin_equals_reference(s, k.family, k.path);
  }
}

// Against the chain GEMM of kernels/emulated/mma (no scales, fp32 output, one slice): the
// D bits are the kernel model's accumulator bits.
TEST(GemmTwin, EqualsTheChainGemmOfTheKernelModel) {
  struct Shape {
    std::int64_t m, n, k;
    Format a, b;
  };
  for (const Shape& sh : {Shape{16, 8, 32, Format::e4m3fn, Format::e4m3fn}, Shape{70, 40, 384, Format::e4m3fn, Format::e5m2},
                          Shape{33, 100, 256, Format::e5m2, Format::e5m2}, Shape{129, 72, 160, Format::e5m2, Format::e4m3fn}})
    for (const OwnGemmKernel& k : cuda_index::own_gemm_kernels()) {
      if (k.out_bytes != 4 || k.scales != cuda_index::ScaleVariant::outer) continue;
      OwnGemmCase s;
      s.name = "chain " + std::to_string(sh.m) + "x" + std::to_string(sh.n) + "x" + std::to_string(sh.k);
      s.m = sh.m;
      s.n = sh.n;
      s.k = sh.k;
      s.a_format = sh.a;
      s.b_format = sh.b;
      s.config = config_of(k);
      s.seed = 3;
      SCOPED_TRACE(s.name + " " + k.symbol());
      const OwnGemmInputs in = make_own_gemm_inputs(s);
      GemmOutput twin;
      cuda_twin::run_gemm_twin(in.args, k.family, k.path, twin, regions_of(in));
      // The chain GEMM's operands: A M x K and B K x N codes (bf16 codes for the software path).
      const bool native = k.path == GemmPath::native;
      std::vector<std::uint16_t> a(static_cast<std::size_t>(s.m * s.k)), b(static_cast<std::size_t>(s.k * s.n));
      const auto widen = [&](Format f, std::uint8_t c) {
        return native ? c : static_cast<std::uint16_t>(encode<Format::bf16>(decode(f, c)));
      };
      for (std::int64_t i = 0; i < s.m; ++i)
        for (std::int64_t j = 0; j < s.k; ++j) a[i * s.k + j] = widen(s.a_format, in.a_codes[i * s.k + j]);
      for (std::int64_t n = 0; n < s.n; ++n)
        for (std::int64_t j = 0; j < s.k; ++j) b[j * s.n + n] = widen(s.b_format, in.b_codes[n * s.k + j]);
      ChainGemmOperands ops{.m = s.m, .n = s.n, .k = s.k, .a_format = native ? s.a_format : Format::bf16,
                            .b_format = native ? s.b_format : Format::bf16, .a = a, .b = b};
      const std::vector<std::uint32_t> chain = mma_chain_gemm(model_of(k.path), ops);
      std::int64_t differing = 0;
      for (std::int64_t i = 0; i < s.m; ++i)
        for (std::int64_t n = 0; n < s.n; ++n) {
          const std::uint32_t want = chain[static_cast<std::size_t>(i * s.n + n)];
          const std::uint32_t got = twin.at(0, i, n);
          const bool both_nan = std::isnan(std::bit_cast<float>(want)) && std::isnan(std::bit_cast<float>(got));
          differing += !both_nan && got != want;
        }
      EXPECT_EQ(differing, 0) << "of " << s.m * s.n;
    }
}

// Recipes, outputs, epilogues, split-K orders, GEMM kinds and formats on a few kernels.
TEST(GemmTwin, RecipesEpiloguesSplitKAndKinds) {
  std::vector<OwnGemmCase> cases;
  const auto add = [&](OwnGemmCase s) { cases.push_back(std::move(s)); };
  OwnGemmCase base;
  base.m = 45;
  base.n = 72;
  base.k = 400;
  base.seed = 7;
  {
    OwnGemmCase s = base;
    s.name = "blocked bf16 with C and bias";
    s.blocked = true;
    s.output = OutputType::bf16;
    s.beta = 0.5f;
    s.alpha = 1.5f;
    s.bias = true;
    add(s);
  }
  {
    OwnGemmCase s = base;
    s.name = "per-tensor e4m3 out";
    s.outer = OuterScales::tensor;
    s.output = OutputType::e4m3fn;
    s.d_scale = 8.0f;
    add(s);
  }
  {
    OwnGemmCase s = base;
    s.name = "row/col fp16 out, padded leading dimensions";
    s.outer = OuterScales::row_col;
    s.output = OutputType::fp16;
    s.lda_pad = 32;
    s.ldb_pad = 16;
    add(s);
  }
  {
    OwnGemmCase s = base;
    s.name = "specials: NaN, inf and max codes";
    s.specials = true;
    s.a_format = Format::e5m2;
    s.b_format = Format::e4m3fn;
    add(s);
  }
  for (int split : {2, 3}) {
    for (SplitKReduction r : {SplitKReduction::sequential, SplitKReduction::tree}) {
      OwnGemmCase s = base;
      s.name = "split-K " + std::to_string(split) + (r == SplitKReduction::tree ? " tree" : " sequential");
      s.k = 720;
      s.blocked = split == 3;
      s.outer = OuterScales::row_col;
      s.output = OutputType::bf16;
      s.config.split_k = split;
      s.config.reduction = r;
      add(s);
    }
  }
  {
    OwnGemmCase s = base;
    s.name = "batched";
    s.kind = GemmKind::batched;
    s.groups = 3;
    s.m = 20;
    s.blocked = true;
    s.beta = -1.0f;
    add(s);
  }
  {
    OwnGemmCase s = base;
    s.name = "grouped contiguous (an empty group)";
    s.kind = GemmKind::grouped_contiguous;
    s.groups = 4;
    s.group_rows = {17, 0, 64, 3};
    s.outer = OuterScales::row_col;
    add(s);
  }
  {
    OwnGemmCase s = base;
    s.name = "grouped masked";
    s.kind = GemmKind::grouped_masked;
    s.groups = 3;
    s.m = 64;
    s.group_rows = {64, 5, 0};
    s.blocked = true;
    s.output = OutputType::bf16;
    add(s);
  }
  for (const OwnGemmKernel& k : cuda_index::own_gemm_kernels()) {
    const bool pick = k.config().id() == "bm64.bn64.bk64.s4" || k.config().id() == "bm64.bn128.bk128.s4";
    if (!pick) continue;
    for (OwnGemmCase s : cases) {
      const int bytes = s.output == OutputType::fp32 ? 4 : s.output == OutputType::e4m3fn ? 1 : 2;
      if (bytes != k.out_bytes || s.blocked != (k.scales == cuda_index::ScaleVariant::blocked)) continue;
      if (k.path == GemmPath::native && (s.a_format != Format::e4m3fn && s.a_format != Format::e5m2)) continue;
      const int split = s.config.split_k;
      const SplitKReduction r = s.config.reduction;
      s.config = config_of(k, split, r);
      expect_twin_equals_reference(s, k.family, k.path);
    }
  }
}

// The software path widens every 8-bit float format, not only the two FP8 ones.
TEST(GemmTwin, SoftwarePathTakesEveryEightBitFormat) {
  for (Format f : {Format::e4m3fnuz, Format::e5m2fnuz, Format::e4m3b15, Format::e4m3b11fnuz}) {
    OwnGemmCase s;
    s.name = std::string("software ") + format_spec(f).name;
    s.a_format = f;
    s.b_format = Format::e5m2;
    s.m = 30;
    s.n = 40;
    s.k = 192;
    s.output = OutputType::bf16;
    s.config = config_of(cuda_index::own_gemm_kernels()[0]);
    s.config.block_m = 64;
    s.config.block_n = 64;
    s.config.block_k = 64;
    s.config.stages = 4;
    expect_twin_equals_reference(s, SmemFamily::mma_sync, GemmPath::software);
    EXPECT_NE(cuda_index::why_no_own_gemm(make_own_gemm_inputs(s).args, SmemFamily::mma_sync, GemmPath::native), "");
  }
}

// The emulated backend with the same kernel model gives the twin's bits: fp8check's own
// GEMM and `fp8check emulate gemm --kernel sm89-mma.p128` are one arithmetic, including the
// scaled promotion of K-blocked scales (one FFMA), split-K and the e4m3 output.
TEST(GemmTwin, EqualsTheEmulatedBackendOfTheKernelModel) {
  const std::unique_ptr<Backend> emulated = make_backend("emulated", {"sm89-mma.p128", "none", 1, ""});
  int compared_cases = 0;
  for (const OwnGemmKernel& k : cuda_index::own_gemm_kernels()) {
    if (k.path != GemmPath::native || k.family != SmemFamily::mma_sync || k.config().id() != "bm64.bn64.bk64.s4") continue;
    for (int split : {1, 2}) {
      OwnGemmCase s;
      s.m = 40;
      s.n = 48;
      s.k = 640;  // 5 scale groups of 128: promotion at every group boundary
      s.blocked = k.scales == cuda_index::ScaleVariant::blocked;
      s.outer = s.blocked ? OuterScales::none : OuterScales::row_col;
      s.output = k.out_bytes == 4 ? OutputType::fp32 : k.out_bytes == 1 ? OutputType::e4m3fn : OutputType::bf16;
      s.specials = split == 2;
      s.bias = split == 1;
      s.config = config_of(k, split, SplitKReduction::tree);
      s.name = "emulated sm89-mma.p128, " + std::string(s.blocked ? "1x128/128x128" : "row/col") + " scales, " +
               std::string(output_type_name(s.output)) + ", split " + std::to_string(split);
      SCOPED_TRACE(s.name);
      const OwnGemmInputs in = make_own_gemm_inputs(s);
      ASSERT_EQ(emulated->can_implement(in.args), "");
      GemmOutput twin, want;
      cuda_twin::run_gemm_twin(in.args, SmemFamily::mma_sync, GemmPath::native, twin, regions_of(in));
      want.prepare_for(in.args.problem);
      emulated->run_gemm(in.args, want);
      const BitDiff diff = compare_output_bits(in, twin, want);
      EXPECT_GT(diff.compared, 0);
      EXPECT_EQ(diff.differing, 0) << "of " << diff.compared << "; first " << diff.first;
      EXPECT_TRUE(diff.amax_equal);
      ++compared_cases;
    }
  }
  EXPECT_EQ(compared_cases, 12);  // 3 outputs x 2 scale variants x 2 splits
}

}  // namespace
}  // namespace fp8check::test
