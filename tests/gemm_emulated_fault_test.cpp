// Each injected GemmFault changes the result in the situation its real bug would, and is
// bit-identical to a fault-free run elsewhere (gemm_fault.hpp). Fast path == reference
// under every fault as well.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/gemm_emulated_test_support.hpp"

namespace fp8check::test {
namespace {

const ElementType kE4m3 = ElementType::of(Format::e4m3fn);

struct Case {
  GemmProblem problem;
  TestOperand a, b;
};

Case make_case(std::int64_t m, std::int64_t n, std::int64_t k, ScaleBlock a_block, ScaleBlock b_block) {
  OperandSpec a{kE4m3, m, k, 1, true, 0, false, Values::random_codes, true, a_block};
  OperandSpec b{kE4m3, n, k, 1, true, 0, false, Values::random_codes, true, b_block};
  return {dense_problem(m, n, k), make_operand(a, 800 + k), make_operand(b, 900 + k)};
}

// True when the fault changes the output of `c` under `config_id`, for every model, and the
// fast path agrees with the reference under the fault.
::testing::AssertionResult fault_changes_output(const Case& c, const char* config_id, GemmFault fault,
                                                bool expect_change) {
  const GemmConfig config = parse_gemm_config(config_id);
  for (const char* model_id : {"fp32", "sm90-wgmma.p128", "exact"}) {
    const AccumulationModel model = parse_accumulation_model(model_id);
    if (model.is_kernel_model() && c.problem.k % 32 != 0) continue;  // off the instruction grid: refused
    const GemmOutput faulty = run_fast(c.problem, c.a, c.b, config, model, 2, fault);
    const auto agree = same_bits(faulty, run_reference(c.problem, c.a, c.b, config, model, fault));
    if (!agree) return ::testing::AssertionFailure() << model_id << ": fast path != reference: " << agree.message();
    const bool changed = !same_bits(faulty, run_fast(c.problem, c.a, c.b, config, model, 2));
    if (changed != expect_change)
      return ::testing::AssertionFailure() << model_id << " " << config_id << ": the fault "
                                           << (changed ? "changed" : "did not change") << " the output";
  }
  return ::testing::AssertionSuccess();
}

TEST(GemmEmulatedFaults, SplitKScaleOffsetForgottenBitesOnlyWithSplitKAndKBlockedScales) {
  const GemmFault f = GemmFault::split_k_scale_offset_forgotten;
  const Case blocked = make_case(9, 30, 512, {1, 128}, {128, 128});
  EXPECT_TRUE(fault_changes_output(blocked, "bm128.bn128.bk128.s4.sk2", f, true));
  EXPECT_TRUE(fault_changes_output(blocked, "bm128.bn128.bk64.s4.sk4.tree", f, true));
  EXPECT_TRUE(fault_changes_output(blocked, "bm128.bn128.bk128.s4", f, false));  // no split-K
  const Case outer = make_case(9, 30, 512, {1, 0}, {1, 0});
  EXPECT_TRUE(fault_changes_output(outer, "bm128.bn128.bk128.s4.sk2", f, false));  // scales not per K block
  const Case one_group = make_case(9, 30, 100, {1, 128}, {128, 128});
  EXPECT_TRUE(fault_changes_output(one_group, "bm128.bn128.bk32.s4.sk2", f, false));  // slice 1 starts in group 0
}

TEST(GemmEmulatedFaults, LastPartialKBlockSkippedBitesOnlyWhenKIsNotAMultipleOfBlockKTimesSplits) {
  const GemmFault f = GemmFault::last_partial_k_block_skipped;
  EXPECT_TRUE(fault_changes_output(make_case(7, 20, 200, {1, 128}, {128, 128}), "bm128.bn128.bk64.s4.sk2", f, true));
  EXPECT_TRUE(fault_changes_output(make_case(7, 20, 300, {0, 0}, {0, 0}), "bm128.bn128.bk128.s4", f, true));
  // 192 % 128 == 64 although 192 % block_k == 0: whole tiles of the last round are lost too.
  EXPECT_TRUE(fault_changes_output(make_case(7, 20, 192, {1, 0}, {1, 0}), "bm128.bn128.bk64.s4.sk2", f, true));
  EXPECT_TRUE(fault_changes_output(make_case(7, 20, 256, {1, 128}, {128, 128}), "bm128.bn128.bk64.s4.sk2", f, false));
  EXPECT_TRUE(fault_changes_output(make_case(7, 20, 384, {1, 128}, {128, 128}), "bm128.bn128.bk128.s4.sk3", f, false));
  EXPECT_TRUE(fault_changes_output(make_case(7, 20, 384, {0, 0}, {0, 0}), "bm128.bn128.bk128.s4", f, false));
}

TEST(GemmEmulatedFaults, ScalePointerNotAdvancedBitesOnlyWhenBlockKIsBelowTheScaleGroup) {
  const GemmFault f = GemmFault::scale_pointer_not_advanced;
  const Case deepseek = make_case(9, 30, 512, {1, 128}, {128, 128});
  EXPECT_TRUE(fault_changes_output(deepseek, "bm128.bn128.bk64.s4", f, true));
  EXPECT_TRUE(fault_changes_output(deepseek, "bm128.bn128.bk32.s4.sk2", f, true));
  EXPECT_TRUE(fault_changes_output(deepseek, "bm128.bn128.bk128.s4", f, false));
  EXPECT_TRUE(fault_changes_output(deepseek, "bm128.bn128.bk256.s4.sk2", f, false));
  const Case mx = make_case(9, 30, 512, {1, 32}, {1, 32});
  EXPECT_TRUE(fault_changes_output(mx, "bm128.bn128.bk32.s4", f, false));  // group == block_k
  const Case per_tensor = make_case(9, 30, 512, {0, 0}, {0, 0});
  EXPECT_TRUE(fault_changes_output(per_tensor, "bm128.bn128.bk32.s4", f, false));
  const Case one_group = make_case(9, 30, 128, {1, 128}, {128, 128});
  EXPECT_TRUE(fault_changes_output(one_group, "bm128.bn128.bk32.s4", f, false));
}

TEST(GemmEmulatedFaults, PaddingRowsReadBitesOnlyOnMaskedGroupsWithPadding) {
  const GemmFault f = GemmFault::padding_rows_read;
  const GemmConfig config = parse_gemm_config("bm128.bn128.bk128.s4");
  const AccumulationModel model = parse_accumulation_model("fp32");
  GemmProblem p;
  p.kind = GemmKind::grouped_masked;
  p.groups = 2, p.m = 8, p.n = 16, p.k = 64;
  OperandSpec a{kE4m3, 16, 64};
  OperandSpec b{kE4m3, 16, 64, 2};
  TestOperand ta = make_operand(a, 1), tb = make_operand(b, 2);
  p.masked_m = {8, 8};  // every group full: nothing padded
  EXPECT_TRUE(same_bits(run_fast(p, ta, tb, config, model, 2, f), run_fast(p, ta, tb, config, model, 2)));
  p.masked_m = {3, 8};
  ta.poison_rows(0, 3, 5);
  const GemmOutput faulty = run_fast(p, ta, tb, config, model, 2, f);
  EXPECT_TRUE(same_bits(faulty, run_reference(p, ta, tb, config, model, f)));
  EXPECT_TRUE(std::isnan(faulty.amax));  // the poisoned rows reach amax_D
  EXPECT_TRUE(std::isnan(faulty.value(0, 3, 0)));  // and padded D rows are written
  EXPECT_FALSE(std::isnan(run_fast(p, ta, tb, config, model).amax));

  const TestOperand dense_a = make_operand(OperandSpec{kE4m3, 8, 64}, 3), dense_b = make_operand(OperandSpec{kE4m3, 16, 64}, 4);
  const GemmProblem dense = dense_problem(8, 16, 64);
  EXPECT_TRUE(same_bits(run_fast(dense, dense_a, dense_b, config, model, 2, f), run_fast(dense, dense_a, dense_b, config, model)));
}

}  // namespace
}  // namespace fp8check::test
