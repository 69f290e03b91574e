// The CPU twin of fp8check's own FP8 attention kernel (kernels/cuda/twin/attention_twin.hpp):
// the kernel's block program, its fragment maps, its cp.async pipeline and its row-wise
// online softmax on a simulated thread block, with Ada's mma.sync models, must give the
// bits (O, LSE, p_max, saturations) of the emulated attention under the kernel model
// `sm89-mma` — causal and not, GQA and MQA, partial query tiles and kv blocks, decode
// (seq_q = 1), causal rows that see no key, kv splits with both combine orders (and an empty
// split), head dims 64 and 128, e4m3/e5m2 operands, P e4m3/e5m2/bf16, every output type. Inputs are the pipeline's: keyed (seed, case id,
// tensor) Philox streams, quantized per tensor or per head. The twin's race checker runs
// on every case.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "harness/core/error.hpp"
#include "harness/run/attention_inputs.hpp"
#include "harness/run/backend_registry.hpp"
#include "kernels/cuda/index/attention_plan.hpp"
#include "kernels/cuda/twin/attention_twin.hpp"
#include "kernels/cuda/twin/twin_machine.hpp"

namespace fp8check::test {
namespace {

struct TwinCase {
  std::string shape, formats, p, config, output = "fp32", distribution = "normal", scaling = "tensor";
};

void PrintTo(const TwinCase& t, std::ostream* os) {
  *os << t.shape << " " << t.formats << " p " << t.p << " " << t.config << " o " << t.output << " " << t.distribution
      << " " << t.scaling;
}

struct Problem {
  AttentionCase c;
  AttentionInputs in;
  AttentionArguments args;
};

Problem make_problem(const TwinCase& t) {
  Problem pr{AttentionCase::from_params({{"shape", t.shape},
                                         {"formats", t.formats},
                                         {"p", t.p},
                                         {"output", t.output},
                                         {"distribution", t.distribution},
                                         {"scaling", t.scaling},
                                         {"accumulation", "sm89-mma"}}),
             {},
             {}};
  std::ostringstream id;
  PrintTo(t, &id);
  pr.in = prepare_attention_inputs(pr.c, "attention_twin/" + id.str(), 0x61747477ull);
  pr.args = {pr.c.desc, pr.in.q_operand, pr.in.k_operand, pr.in.v_operand, parse_attention_config(t.config)};
  return pr;
}

AttentionOutput emulated(const AttentionArguments& args) {
  const std::unique_ptr<Backend> b = make_backend("emulated", {.kernel_model = "sm89-mma", .threads = 2});
  EXPECT_EQ(b->can_implement(args), "");
  AttentionOutput out;
  b->run_attention(args, out);
  return out;
}

void expect_same(const AttentionOutput& twin, const AttentionOutput& want) {
  ASSERT_EQ(twin.bits.size(), want.bits.size());
  ASSERT_EQ(twin.lse.size(), want.lse.size());
  std::int64_t differ = 0, first = -1;
  for (std::size_t i = 0; i < want.bits.size(); ++i)
    if (twin.bits[i] != want.bits[i]) differ += first < 0 ? (first = static_cast<std::int64_t>(i), 1) : 1;
  EXPECT_EQ(differ, 0) << "O elements differ; first at " << first << ": twin 0x" << std::hex
                       << (first >= 0 ? twin.bits[static_cast<std::size_t>(first)] : 0u) << ", emulated 0x"
                       << (first >= 0 ? want.bits[static_cast<std::size_t>(first)] : 0u);
  for (std::size_t i = 0; i < want.lse.size(); ++i) {
    ASSERT_EQ(attention::float_bits(twin.lse[i]), attention::float_bits(want.lse[i])) << "LSE of row " << i;
  }
  EXPECT_EQ(attention::float_bits(twin.p_max), attention::float_bits(want.p_max));
  EXPECT_EQ(twin.p_saturated, want.p_saturated);
  EXPECT_EQ(twin.type, want.type);
  EXPECT_EQ(twin.cols, want.cols);
}

class AttentionTwin : public ::testing::TestWithParam<TwinCase> {};

TEST_P(AttentionTwin, EqualsTheEmulatedAttentionOfKernelModelSm89Mma) {
  const Problem pr = make_problem(GetParam());
  ASSERT_EQ(cuda_index::why_no_own_attention(pr.args, 89), "");
  AttentionOutput twin;
  const cuda_twin::TwinRun run = cuda_twin::run_attention_twin(pr.args, twin);
  EXPECT_GT(run.instructions, 0);
  const AttentionOutput want = emulated(pr.args);
  expect_same(twin, want);
  // Not vacuous: most elements of the rows that see a key are numbers other than zero.
  const AttentionDesc& d = pr.args.desc;
  std::int64_t nonzero = 0, seeing = 0;
  for (std::uint32_t x : twin.bits) nonzero += (x & 0x7FFFFFFFu) != 0 ? 1 : 0;
  for (std::int64_t i = 0; i < d.seq_q; ++i) seeing += d.visible_keys(i) > 0 ? 1 : 0;
  EXPECT_GT(nonzero, d.batch * d.q_heads * seeing * d.head_dim_v / 2);
  EXPECT_GT(twin.p_max, 0.0f);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, AttentionTwin,
    ::testing::Values(
        // GQA, causal, a partial query tile and a partial kv block
        TwinCase{"b1.h4.kv2.sq100.skv150.d64.causal", "e4m3fn.e4m3fn", "e4m3", "bq128.bkv64.s2"},
        // MQA decode: one query row, keys past a kv block boundary, e5m2 K/V and P
        TwinCase{"b2.h2.kv1.sq1.skv257.d128", "e4m3fn.e5m2", "e5m2", "bq64.bkv128.s1", "bf16"},
        // causal with seq_q > seq_kv: the first rows see no key (l = 0, LSE -inf, O = 0)
        TwinCase{"b1.h2.kv2.sq70.skv33.d128.causal", "e5m2.e5m2", "bf16", "bq64.bkv32.s2", "bf16"},
        // bf16 P (m16n8k16, V widened), fp16 output, per-head descales, not causal
        TwinCase{"b1.h3.kv1.sq65.skv64.d64", "e5m2.e4m3fn", "bf16", "bq64.bkv64.s2", "fp16", "normal", "head"},
        // all-positive data (every truncation one way), a P scale of 2^6, three stages' worth of blocks
        TwinCase{"b1.h2.kv1.sq64.skv300.d64.causal", "e4m3fn.e4m3fn", "e4m3.s64", "bq64.bkv128.s2", "fp32",
                 "uniform(0,1)"},
        // head dim 128 with 32-key blocks: many rescales of O
        TwinCase{"b1.h2.kv2.sq33.skv96.d128", "e4m3fn.e4m3fn", "e4m3", "bq64.bkv32.s2", "bf16", "normal", "head"},
        TwinCase{"b1.h2.kv1.sq17.skv129.d128.causal", "e5m2.e4m3fn", "e4m3", "bq64.bkv64.s2", "fp16"},
        // kv splits (flash-decoding) and the combine pass: MQA decode, sequential order
        TwinCase{"b1.h4.kv1.sq2.skv700.d128", "e4m3fn.e4m3fn", "e4m3", "bq64.bkv64.s2.sp4", "fp32"},
        // causal with splits in tree order: early query tiles see no key of later splits
        TwinCase{"b1.h2.kv2.sq90.skv200.d64.causal", "e5m2.e5m2", "bf16", "bq64.bkv32.s2.sp5.tree"},
        // an empty split (2 kv blocks, 3 splits: lse_s = -inf, weight 0)
        TwinCase{"b1.h1.kv1.sq5.skv64.d64", "e4m3fn.e4m3fn", "e5m2", "bq64.bkv32.s2.sp3", "fp16"}));

// The comparison sees the instruction: the same twin under Hopper's wgmma model (F = 13
// over 32 products at once, not two halves of 16) gives other bits.
TEST(AttentionTwin, AnotherInstructionModelGivesOtherBits) {
  const Problem pr = make_problem({"b1.h1.kv1.sq16.skv256.d128", "e4m3fn.e4m3fn", "e4m3", "bq64.bkv64.s2", "fp32",
                                   "uniform(0,1)"});
  AttentionOutput ada, hopper;
  cuda_twin::run_attention_twin(pr.args, ada);
  const KernelModel wgmma = parse_kernel_model("sm90-wgmma");
  cuda_twin::run_attention_twin(pr.args, hopper, {wgmma, wgmma});
  std::int64_t differ = 0;
  for (std::size_t i = 0; i < ada.bits.size(); ++i) differ += ada.bits[i] != hopper.bits[i] ? 1 : 0;
  EXPECT_GT(differ, 0);
}

// V with inf and NaN codes in a kv block that some rows of a tile do not see: the emulated
// attention skips the block for those rows (O stays +0), while the kernel runs its P·V with
// P = +0 for them (0·inf = NaN) and must then leave their O at +0. A row that sees some key
// of the block gets NaN in the NaN code's column in both (a masked key's P = +0 included).
TEST(AttentionTwin, RowsThatSeeNoKeyOfABlockIgnoreItsInfAndNanValues) {
  for (const char* shape : {"b1.h2.kv2.sq70.skv33.d128.causal", "b1.h1.kv1.sq90.skv200.d64.causal"}) {
    Problem pr = make_problem({shape, "e5m2.e5m2", "e4m3", "bq64.bkv32.s2", "fp32"});
    const AttentionDesc& d = pr.args.desc;
    const std::int64_t per_pair = d.seq_kv * d.head_dim_v;
    std::vector<std::uint8_t> v(pr.args.v.codes, pr.args.v.codes + d.batch * d.kv_heads * per_pair);
    const std::int64_t last_key = d.seq_kv - 1;
    for (std::int64_t pair = 0; pair < d.batch * d.kv_heads; ++pair) {
      v[static_cast<std::size_t>(pair * per_pair + last_key * d.head_dim_v + 3)] = 0x7C;   // e5m2 +inf
      v[static_cast<std::size_t>(pair * per_pair + last_key * d.head_dim_v + 10)] = 0xFE;  // e5m2 NaN
    }
    pr.args.v.codes = v.data();
    AttentionOutput twin;
    cuda_twin::run_attention_twin(pr.args, twin);
    const AttentionOutput want = emulated(pr.args);
    SCOPED_TRACE(shape);
    expect_same(twin, want);
    // Not vacuous: the rows that see a key of the last block hold NaN in column 10, the
    // others do not.
    const std::int64_t last_block_first = last_key / 32 * 32;
    std::int64_t nan_rows = 0, rows = 0;
    for (std::int64_t h = 0; h < d.q_heads; ++h)
      for (std::int64_t i = 0; i < d.seq_q; ++i, ++rows) {
        const std::uint32_t o = want.bits[static_cast<std::size_t>((h * d.seq_q + i) * d.head_dim_v + 10)];
        const bool nan = (o & 0x7FFFFFFFu) > 0x7F800000u;
        EXPECT_EQ(nan, d.visible_keys(i) > last_block_first) << "row " << i;
        nan_rows += nan ? 1 : 0;
      }
    EXPECT_GT(nan_rows, 0);
    EXPECT_LT(nan_rows, rows);
  }
}

// Instructions issued: per block and kv block, (head_dim / 32) · (block_kv / 8) for S and
// (block_kv / k) · (head_dim / 8) for P·V, per warp (4); a causal tile skips the kv blocks
// none of its rows sees.
TEST(AttentionTwin, IssuesTheInstructionsOfTheBlocksItSees) {
  const Problem full = make_problem({"b1.h1.kv1.sq64.skv256.d64", "e4m3fn.e4m3fn", "e4m3", "bq64.bkv64.s2"});
  AttentionOutput out;
  EXPECT_EQ(cuda_twin::run_attention_twin(full.args, out).instructions, 4 * 4 * (2 * 8 + 2 * 8));
  const Problem causal = make_problem({"b1.h1.kv1.sq128.skv128.d64.causal", "e4m3fn.e4m3fn", "bf16", "bq64.bkv64.s2"});
  // tile 0 sees block 0, tile 1 blocks 0 and 1; bf16 P: k = 16
  EXPECT_EQ(cuda_twin::run_attention_twin(causal.args, out).instructions, 3 * 4 * (2 * 8 + 4 * 8));
}

TEST(AttentionTwin, CanImplementNamesWhatNoKernelRuns) {
  Problem pr = make_problem({"b1.h2.kv1.sq8.skv64.d64", "e4m3fn.e4m3fn", "e4m3", "bq64.bkv64.s2"});
  const auto why = [&](int sm) { return cuda_index::why_no_own_attention(pr.args, sm); };
  EXPECT_EQ(why(89), "");
  EXPECT_EQ(why(90), "");
  EXPECT_NE(why(86).find("sm_89"), std::string::npos) << why(86);
  pr.args.config = parse_attention_config("bq64.bkv96.s2");
  EXPECT_NE(why(89).find("block_kv 96 has no kernel; block_kv 32, 64, 128"), std::string::npos) << why(89);
  pr.args.config = parse_attention_config("bq64.bkv64.s2.sp2.tree");  // splits: the combine pass
  EXPECT_EQ(why(89), "");
  pr.args.config = parse_attention_config("bq64.bkv64.s2");
  pr.args.desc.head_dim_v = 32;
  EXPECT_NE(why(89).find("head dims 64/32"), std::string::npos) << why(89);
  pr.args.desc.head_dim_v = 64;
  pr.args.desc.q_type = ElementType::of(Format::bf16);
  EXPECT_NE(why(89).find("only FP8 Q"), std::string::npos) << why(89);
  EXPECT_THROW(cuda_index::plan_own_attention(pr.args, 89), InputError);
}

// The combine pass reads and scratches its row of the workspace through plain pointers; the
// twin holds each thread's claimed ranges inside the output buffers and apart from the other
// threads' (a wrong row stride of the scratch makes the split cases above throw: checked by
// hand).
TEST(AttentionTwin, DirectWorkspaceRangesStayInsideAndApart) {
  struct NoRegisters {};
  std::vector<float> workspace(64), elsewhere(4);
  cuda_twin::TwinMachine<NoRegisters> m(2, 16, cuda_twin::attention_twin_models(), {});
  m.add_output(workspace.data(), workspace.size() * sizeof(float));
  m.claim_global(0, workspace.data(), 32 * sizeof(float), "row 0");
  m.claim_global(1, workspace.data() + 32, 32 * sizeof(float), "row 1");
  m.claim_global(0, workspace.data() + 8, sizeof(float), "row 0 again");  // a thread's own range
  EXPECT_THROW(m.claim_global(1, workspace.data() + 31, 2 * sizeof(float), "row 1 too early"), InternalError);
  EXPECT_THROW(m.claim_global(1, workspace.data() + 60, 8 * sizeof(float), "past the end"), InternalError);
  EXPECT_THROW(m.claim_global(0, elsewhere.data(), sizeof(float), "not an output"), InternalError);
}

// Every instantiation fits sm_89's 99 KiB of shared memory and has 4 warps.
TEST(AttentionTwin, EveryKernelFitsAda) {
  for (const cuda_index::OwnAttentionKernel& k : cuda_index::own_attention_kernels()) {
    EXPECT_LE(k.smem_bytes(), 99 * 1024) << k.symbol();
    EXPECT_GT(k.smem_bytes(), 0) << k.symbol();
    EXPECT_EQ(k.threads(), 128) << k.symbol();
  }
}

}  // namespace
}  // namespace fp8check::test
