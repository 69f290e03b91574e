// Goldens (harness/record/golden.hpp): deterministic backends compare bit for bit, GPU
// backends by kernel-error drift beyond a threshold (drift_threshold.hpp) with a noise
// floor; new and missing cases are reported; apply_golden_verdicts turns pass into
// regression or improved. Updates: golden_update_test.cpp.
#include <cmath>

#include "harness/core/error.hpp"
#include "harness/record/drift_threshold.hpp"
#include "harness/record/golden.hpp"
#include "harness/record/golden_update.hpp"  // golden_case: sampled goldens
#include "tests/input_error_text.hpp"
#include "tests/results_test_support.hpp"

namespace fp8check::record {
namespace {

using namespace testing;

CaseComparison compare_one(const CaseResult& received, const CaseResult& golden, const GoldenPolicy& policy = {}) {
  const GoldenComparison c = compare_with_golden({received}, golden_of({golden}), policy);
  EXPECT_EQ(c.cases.size(), 1u);
  EXPECT_TRUE(c.missing.empty());
  return c.cases.at(0);
}

// --- deterministic backends: bits -------------------------------------------------

TEST(GoldenBits, IdenticalOutputsMatch) {
  const CaseComparison c = compare_one(full_case("a"), full_case("a"));
  EXPECT_EQ(c.status, GoldenStatus::match);
  EXPECT_EQ(c.reason, "");
}

TEST(GoldenBits, ChangedElementsAreCountedWithTheFirstOne) {
  const CaseResult golden = full_case("a");
  CaseResult received = golden;
  received.output->digest = "fedcba9876543210";
  std::vector<double>& v = received.output->values;
  for (int i = 0; i < 37; ++i) v[static_cast<std::size_t>(3 * 64 + 17 + 64 * i)] += 1.0;  // rows 3..39, col 17
  CaseResult g = golden;
  g.output->values[3 * 64 + 17] = 1.2578125;
  v[3 * 64 + 17] = 1.25;
  const CaseComparison c = compare_one(received, g);
  EXPECT_EQ(c.status, GoldenStatus::bits_changed);
  EXPECT_EQ(c.reason, "output bits changed: 37 of 4096 elements differ, first at (3,17): 1.25 vs golden 1.2578125");
  ASSERT_TRUE(c.bits);
  EXPECT_EQ(c.bits->compared, 4096);
  EXPECT_EQ(c.bits->differing, 37);
  EXPECT_EQ(c.bits->first_index, 3 * 64 + 17);
  EXPECT_TRUE(c.bits->digest_changed);
}

TEST(GoldenBits, BitsNotValuesAreCompared) {
  CaseResult golden = full_case("a");
  golden.output->values[0] = 0.0;
  golden.output->values[1] = std::numeric_limits<double>::quiet_NaN();
  CaseResult received = golden;
  EXPECT_EQ(compare_one(received, golden).status, GoldenStatus::match);  // the same NaN matches
  received.output->values[0] = -0.0;                                     // == 0.0, other bits
  const CaseComparison c = compare_one(received, golden);
  EXPECT_EQ(c.status, GoldenStatus::bits_changed);
  EXPECT_EQ(c.reason, "output bits changed: 1 of 4096 elements differ, first at (0,0): -0 vs golden 0");
}

TEST(GoldenBits, AgainstASampledGoldenOnlySampledElementsAndTheDigestCount) {
  const CaseResult received = full_case("a");
  const CaseResult golden = golden_case(received, {.max_output_elements = 100, .sample_elements = 16});
  ASSERT_FALSE(golden.output->complete);
  EXPECT_EQ(compare_one(received, golden).status, GoldenStatus::match);

  CaseResult changed = received;
  changed.output->values[1] += 1;  // not sampled (samples are every 256th element)
  changed.output->digest = "0000000000000000";
  CaseComparison c = compare_one(changed, golden);
  EXPECT_EQ(c.status, GoldenStatus::bits_changed);
  EXPECT_EQ(c.reason,
            "output bits changed: digest 0000000000000000 vs golden 0123456789abcdef (the 16 compared elements agree)");
  changed.output->values[512] = 0.5;  // sampled
  c = compare_one(changed, golden);
  EXPECT_EQ(c.reason, "output bits changed: 1 of 16 sampled elements differ, first at (8,0): 0.5 vs golden -1.3125");
}

TEST(GoldenBits, ShapeTypeOrAMissingOutputIsAChange) {
  const CaseResult golden = full_case("a");
  CaseResult received = golden;
  received.output = complete_output(32, 64, "bf16", [](std::int64_t) { return 0.0; });
  EXPECT_EQ(compare_one(received, golden).reason, "output changed: 32x64 bf16 vs golden 64x64 bf16");
  received.output->rows = 64;
  received.output->type = "fp32";
  EXPECT_EQ(compare_one(received, golden).status, GoldenStatus::bits_changed);
  received.output.reset();
  EXPECT_EQ(compare_one(received, golden).reason, "no output recorded (golden has 64x64 bf16)");
  EXPECT_EQ(compare_one(golden, received).reason, "output 64x64 bf16 recorded, golden has none");
}

TEST(GoldenBits, AVerdictChangeWithTheSameBitsIsReported) {
  const CaseResult golden = full_case("a");
  CaseResult received = golden;
  received.verdict = Verdict::fail;
  received.reason = "tolerance tightened";
  const CaseComparison c = compare_one(received, golden);
  EXPECT_EQ(c.status, GoldenStatus::verdict_changed);
  EXPECT_EQ(c.reason, "verdict pass -> fail (tolerance tightened)");
  received.verdict = Verdict::regression;  // judged against an older golden: still pass
  EXPECT_EQ(compare_one(received, golden).status, GoldenStatus::match);
}

TEST(GoldenBits, StatisticsOfDeterministicBackendsAreNotCompared) {
  CaseResult received = full_case("a");
  received.kernel_error->max_abs_error *= 10;
  EXPECT_EQ(compare_one(received, full_case("a")).status, GoldenStatus::match);
  GoldenPolicy policy;
  policy.deterministic_backends = {"cuda"};  // the set is configurable
  CaseResult gpu = gpu_case(0.0625, 0.002);
  CaseResult gpu_golden = gpu;
  gpu.output->values[0] += 1;
  EXPECT_EQ(compare_one(gpu, gpu_golden, policy).status, GoldenStatus::bits_changed);
  EXPECT_EQ(compare_one(gpu, gpu_golden).status, GoldenStatus::match);  // default: cuda by drift only
}

TEST(GoldenBits, ACaseWhoseBackendDeclaredItselfDeterministicIsComparedBitForBit) {
  // Backend::deterministic() travels with the case (a plug-in that promises exact bits).
  CaseResult received = gpu_case(0.0625, 0.002);
  received.backend = "my_plugin";
  received.deterministic = true;
  CaseResult golden = received;
  received.output->values[0] += 1;
  EXPECT_EQ(compare_one(received, golden).status, GoldenStatus::bits_changed);
  received.deterministic = false;
  EXPECT_EQ(compare_one(received, golden).status, GoldenStatus::match);  // by drift: the statistics agree
}

// --- GPU backends: drift ---------------------------------------------------------

// The old fixed ratio, as --drift-ratio 1.25 gives it.
GoldenPolicy fixed_ratio(double r = 1.25) {
  GoldenPolicy p;
  p.drift_ratio = r;
  return p;
}

TEST(GoldenDrift, GrowthBeyondTheRatioRegresses) {
  const CaseComparison c = compare_one(gpu_case(0.125, 0.002), gpu_case(0.0625, 0.002), fixed_ratio());
  EXPECT_EQ(c.status, GoldenStatus::drift_regressed);
  ASSERT_TRUE(c.drift);
  EXPECT_EQ(c.drift->statistic, "max_abs_error");
  EXPECT_EQ(c.drift->from, 0.0625);
  EXPECT_EQ(c.drift->to, 0.125);
  EXPECT_EQ(c.drift->ratio, 2.0);
  EXPECT_EQ(c.drift->threshold, 1.25);
  EXPECT_EQ(c.reason, "kernel max_abs_error grew from 0.0625 to 0.125 (x2 > x1.25)");
}

TEST(GoldenDrift, TheRatioItselfIsWithinAndAnyGrowthWins) {
  EXPECT_EQ(compare_one(gpu_case(0.078125, 0.002), gpu_case(0.0625, 0.002), fixed_ratio()).status,
            GoldenStatus::match);  // x1.25
  EXPECT_EQ(compare_one(gpu_case(0.0625, 0x1.4p-9), gpu_case(0.0625, 0x1p-9), fixed_ratio()).status,
            GoldenStatus::match);
  // One statistic shrank a lot, the other grew: a regression, naming the one that grew.
  const CaseComparison c = compare_one(gpu_case(0.01, 0.004), gpu_case(0.0625, 0.002), fixed_ratio());
  EXPECT_EQ(c.status, GoldenStatus::drift_regressed);
  EXPECT_EQ(c.drift->statistic, "relative_frobenius");
  EXPECT_EQ(compare_one(gpu_case(0.0625, 0.0023), gpu_case(0.0625, 0.002), fixed_ratio(1.1)).status,
            GoldenStatus::drift_regressed);
}

TEST(GoldenDrift, ShrinkingBeyondTheRatioImproves) {
  const CaseComparison c = compare_one(gpu_case(0.03125, 0.002), gpu_case(0.0625, 0.002), fixed_ratio());
  EXPECT_EQ(c.status, GoldenStatus::drift_improved);
  EXPECT_EQ(c.reason, "kernel max_abs_error shrank from 0.0625 to 0.03125 (x0.5 < x0.8)");
  EXPECT_EQ(compare_one(gpu_case(0.05, 0.002), gpu_case(0.0625, 0.002), fixed_ratio()).status,
            GoldenStatus::match);  // x0.8
}

TEST(GoldenDrift, ValuesBelowTheNoiseFloorDoNotDrift) {
  // max_abs_error floor 1e-6: 1e-9 -> 9e-7 is x900 in value but x1 against the floor.
  EXPECT_EQ(compare_one(gpu_case(9e-7, 0.002), gpu_case(1e-9, 0.002), fixed_ratio()).status, GoldenStatus::match);
  EXPECT_EQ(compare_one(gpu_case(0.0, 0.002), gpu_case(1e-7, 0.002), fixed_ratio()).status, GoldenStatus::match);
  const CaseComparison c = compare_one(gpu_case(2e-6, 0.002), gpu_case(1e-9, 0.002), fixed_ratio());
  EXPECT_EQ(c.status, GoldenStatus::drift_regressed);
  EXPECT_EQ(c.drift->ratio, 2e-6 / 1e-6);
  // relative_frobenius floor 2^-24; infinity equal on both sides is no drift.
  EXPECT_EQ(compare_one(gpu_case(0.0625, 0x1p-25), gpu_case(0.0625, 0x1p-30)).status, GoldenStatus::match);
  EXPECT_EQ(compare_one(gpu_case(0.0625, kInf), gpu_case(0.0625, kInf)).status, GoldenStatus::match);
  EXPECT_EQ(compare_one(gpu_case(0.0625, kInf), gpu_case(0.0625, 0.002)).status, GoldenStatus::drift_regressed);
}

// Kernel-error statistics as a run of n elements gives them: errors of typical size rms,
// the largest `peak`, the worst-elements table falling from peak by `tail` per rank.
CaseResult measured_case(double peak, double rms, double frobenius, std::int64_t n, double tail = 0.98) {
  CaseResult c = gpu_case(peak, frobenius);
  ErrorStatistics& s = *c.kernel_error;
  s.finite_count = s.element_count = n;
  s.rms_error = rms;
  s.worst.clear();
  double e = peak;
  for (int i = 0; i < 10; ++i, e *= tail) s.worst.push_back({i, 0, i, 1.0, 1.0 + e, e});
  return c;
}

TEST(GoldenDrift, DerivedThresholdsFollowTheStatisticsSamplingSpread) {
  // relative_frobenius: T = exp(5 * sqrt(2) * 0.5 * (peak / rms) / sqrt(N)).
  const CaseResult golden = measured_case(0.0625, 0.01, 0.002, 32768);
  const DriftThresholds t = drift_thresholds(*golden.kernel_error, *golden.kernel_error, GoldenPolicy{});
  EXPECT_DOUBLE_EQ(t.relative_frobenius, std::exp(5 * std::sqrt(2.0) * 0.5 * 6.25 / std::sqrt(32768.0)));
  // max_abs_error: T = 2 * exp(gamma * ln(1e4)), gamma = Hill's estimate over the worst table.
  double gamma = 0;
  for (int i = 0; i < 9; ++i) gamma += (9 - i) * -std::log(0.98);
  gamma /= 9;
  EXPECT_NEAR(tail_index(golden.kernel_error->worst), gamma, 1e-12);
  EXPECT_NEAR(t.max_abs_error, 2 * std::exp(gamma * std::log(1e4)), 1e-12);
  // Fewer elements spread more; a fixed --drift-ratio replaces both.
  EXPECT_GT(drift_thresholds(*measured_case(0.0625, 0.01, 0.002, 512).kernel_error, *golden.kernel_error, {})
                .relative_frobenius,
            t.relative_frobenius);
  const DriftThresholds fixed = drift_thresholds(*golden.kernel_error, *golden.kernel_error, fixed_ratio(1.5));
  EXPECT_EQ(fixed.max_abs_error, 1.5);
  EXPECT_EQ(fixed.relative_frobenius, 1.5);
  // A run's own outliers cannot widen the max_abs_error threshold: the smaller tail counts.
  const CaseResult outliers = measured_case(0.0625, 0.01, 0.002, 32768, 0.1);
  EXPECT_NEAR(drift_thresholds(*golden.kernel_error, *outliers.kernel_error, {}).max_abs_error, t.max_abs_error,
              1e-12);
  EXPECT_EQ(tail_index({}), 0.0);
}

TEST(GoldenDrift, SamplingNoiseMatchesAndRealRegressionsDoNot) {
  const CaseResult golden = measured_case(0.0625, 0.01, 0.002, 32768);
  // A seed change: the maximum moved to the next binade, the root mean square by 1 %.
  EXPECT_EQ(compare_one(measured_case(0.125, 0.0101, 0.00202, 32768), golden).status, GoldenStatus::match);
  EXPECT_EQ(compare_one(measured_case(0.034, 0.0099, 0.00198, 32768), golden).status, GoldenStatus::match);
  // Errors 30 % larger everywhere (a lower-precision accumulation): relative_frobenius regresses.
  const CaseComparison wider = compare_one(measured_case(0.08, 0.013, 0.0026, 32768), golden);
  EXPECT_EQ(wider.status, GoldenStatus::drift_regressed);
  EXPECT_EQ(wider.drift->statistic, "relative_frobenius");
  // A few wrong elements (a bad edge tile): max_abs_error regresses.
  const CaseComparison tile = compare_one(measured_case(2.0, 0.0102, 0.00204, 32768), golden);
  EXPECT_EQ(tile.status, GoldenStatus::drift_regressed);
  EXPECT_EQ(tile.drift->statistic, "max_abs_error");
  EXPECT_EQ(tile.reason.rfind("kernel max_abs_error grew from 0.0625 to 2 (x32 > x", 0), 0u) << tile.reason;
}

TEST(GoldenDrift, BadPoliciesAreInputErrors) {
  EXPECT_THROW(compare_with_golden({}, golden_of({}), fixed_ratio(1.0)), InputError);
  GoldenPolicy p;
  p.max_abs_error_floor = -1;
  EXPECT_THROW(p.validate(), InputError);
  for (const double bad : {0.0, -1.0, kInf}) {
    p = {};
    p.drift_sigmas = bad;
    EXPECT_THROW(p.validate(), InputError) << bad;
  }
  for (const double bad : {0.0, 1.0, -0.5}) {
    p = {};
    p.drift_tail_probability = bad;
    EXPECT_THROW(p.validate(), InputError) << bad;
  }
}

// --- the run against the golden as a whole -----------------------------------------

TEST(GoldenComparisonTest, NewAndMissingCasesAreListed) {
  const GoldenComparison c = compare_with_golden({full_case("b"), full_case("new")},
                                                 golden_of({full_case("a"), full_case("b"), full_case("c")}));
  ASSERT_EQ(c.cases.size(), 2u);
  EXPECT_EQ(c.cases[0].status, GoldenStatus::match);
  EXPECT_EQ(c.cases[1].status, GoldenStatus::new_case);
  EXPECT_EQ(c.missing, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(c.count(GoldenStatus::match), 1);
  EXPECT_FALSE(c.has_regressions());  // new and missing cases are listed, not failed
}

TEST(GoldenComparisonTest, GoldenVerdictsTurnPassIntoRegressionOrImproved) {
  CaseResult changed = full_case("changed");
  changed.output->values[5] = 100;
  CaseResult failing = changed;
  failing.id = "failing";
  failing.verdict = Verdict::fail;
  failing.reason = "over the bound";
  CaseResult better = gpu_case(0.03125, 0.002);
  better.id = "better";
  CaseResult golden_better = gpu_case(0.0625, 0.002);
  golden_better.id = "better";
  CaseResult failing_golden = full_case("failing");
  failing_golden.verdict = Verdict::fail;
  std::vector<CaseResult> run = {changed, failing, better, full_case("same")};
  GoldenPolicy fixed;
  fixed.drift_ratio = 1.25;
  const GoldenComparison c = compare_with_golden(
      run, golden_of({full_case("changed"), failing_golden, golden_better, full_case("same")}), fixed);
  EXPECT_TRUE(c.has_regressions());
  apply_golden_verdicts(run, c);
  EXPECT_EQ(run[0].verdict, Verdict::regression);
  EXPECT_EQ(run[0].reason, "output bits changed: 1 of 4096 elements differ, first at (0,5): 100 vs golden -2.6875");
  EXPECT_EQ(run[1].verdict, Verdict::fail);  // a failing case says so already
  EXPECT_EQ(run[1].reason, "over the bound");
  EXPECT_EQ(run[2].verdict, Verdict::improved);
  EXPECT_EQ(run[3].verdict, Verdict::pass);
  EXPECT_EQ(run[3].reason, "");
}

TEST(GoldenComparisonTest, MetadataDifferencesAreNamed) {
  RunMetadata run = sample_metadata();
  EXPECT_TRUE(metadata_differences(run, sample_metadata()).empty());
  run.seed = 1;
  run.suite_name = "nightly";
  const std::vector<std::string> d = metadata_differences(run, sample_metadata());
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], "suite_name differs: run 'nightly', golden 'smoke'");
  EXPECT_EQ(d[1], "seed differs: run '1', golden '18446744073709551615' (so does every input)");
}

// Every case of another suite's golden is "new" or "missing": such a comparison judges
// nothing, so run, compare and golden update refuse it.
TEST(GoldenComparisonTest, AGoldenOfAnotherSuiteIsAnInputError) {
  const ResultsFile golden = golden_of({full_case("a")});  // suite smoke
  EXPECT_NO_THROW(require_golden_of_suite("r.h5", "smoke", golden));
  EXPECT_EQ(fp8check::testing::error_of([&] { require_golden_of_suite("r.h5", "seeds", golden); }),
            "r.h5 holds results of suite 'seeds', the golden golden/smoke.h5 those of suite 'smoke': expected "
            "results of suite 'smoke' (each suite has its own golden, golden/SUITE.h5)");
}

}  // namespace
}  // namespace fp8check::record
