// judge_selftest on hand-made results: what counts as caught, unnoticed, flagged or missing.
#include <gtest/gtest.h>

#include "harness/run/selftest.hpp"

namespace fp8check {
namespace {

CaseResult result(const std::string& op, const std::string& shape, const std::string& fault, Verdict v) {
  CaseResult r;
  r.op = op;
  r.params = {{"shape", shape}, {"fault", fault}};
  r.id = op + "/" + shape + "/" + fault;
  r.verdict = v;
  if (fault != "none") {
    r.metrics["fault_detected"] = v == Verdict::pass ? 1.0 : 0.0;
    r.checks.push_back({"error / bound", v == Verdict::pass ? 12.0 : 0.5, 1, v != Verdict::pass, ""});
    r.reason = v == Verdict::pass ? "injected fault " + fault + " caught: error / bound: 12 > 1"
                                  : "injected fault " + fault + " went unnoticed: every check passed";
  } else {
    r.checks.push_back({"error / bound", 0.5, 1, v == Verdict::pass, ""});
  }
  return r;
}

const std::vector<InjectableFault> kClasses = {{"gemm", "a"}, {"gemm", "b"}, {"quantize", "c"}};

TEST(Selftest, EveryFaultCaughtAndEveryTwinCleanPasses) {
  const std::vector<CaseResult> rs = {result("gemm", "s1", "none", Verdict::pass), result("gemm", "s1", "a", Verdict::pass),
                                      result("gemm", "s1", "b", Verdict::pass), result("quantize", "q", "none", Verdict::pass),
                                      result("quantize", "q", "c", Verdict::pass)};
  const SelftestOutcome o = judge_selftest(rs, kClasses);
  EXPECT_EQ(o.status.exit_code, 0) << o.status.line;
  EXPECT_EQ(o.clean_twins, 2u);
  ASSERT_EQ(o.faults.size(), 3u);
  for (const FaultFinding& f : o.faults) {
    EXPECT_TRUE(f.caught()) << f.fault;
    ASSERT_EQ(f.cases.size(), 1u);
    EXPECT_EQ(f.cases[0].how, "error / bound: 12 (limit 1)");
  }
  EXPECT_TRUE(o.flagged.empty());
}

TEST(Selftest, AnUnnoticedFaultFails) {
  const std::vector<CaseResult> rs = {result("gemm", "s1", "none", Verdict::pass), result("gemm", "s1", "a", Verdict::pass),
                                      result("gemm", "s1", "b", Verdict::fail), result("gemm", "s2", "none", Verdict::pass),
                                      result("gemm", "s2", "b", Verdict::pass), result("quantize", "q", "none", Verdict::pass),
                                      result("quantize", "q", "c", Verdict::pass)};
  const SelftestOutcome o = judge_selftest(rs, kClasses);
  EXPECT_EQ(o.status.exit_code, 1);
  EXPECT_FALSE(o.faults[1].caught());  // caught on s2 but not on s1: every case built for it must catch it
  EXPECT_NE(o.faults[1].cases[0].how.find("went unnoticed"), std::string::npos);
}

TEST(Selftest, AFaultWithoutACaseFails) {
  const std::vector<CaseResult> rs = {result("gemm", "s1", "none", Verdict::pass), result("gemm", "s1", "a", Verdict::pass),
                                      result("gemm", "s1", "b", Verdict::pass)};
  const SelftestOutcome o = judge_selftest(rs, kClasses);
  EXPECT_EQ(o.status.exit_code, 1);
  EXPECT_TRUE(o.faults[2].cases.empty());
  EXPECT_FALSE(o.faults[2].caught());
}

TEST(Selftest, AFlaggedOrMissingCleanTwinFails) {
  std::vector<CaseResult> rs = {result("gemm", "s1", "none", Verdict::fail), result("gemm", "s1", "a", Verdict::pass),
                                result("gemm", "s1", "b", Verdict::pass), result("quantize", "q", "c", Verdict::pass)};
  SelftestOutcome o = judge_selftest(rs, kClasses);
  EXPECT_EQ(o.status.exit_code, 1);
  ASSERT_EQ(o.flagged.size(), 2u);
  EXPECT_EQ(o.flagged[0].id, "gemm/s1/none");
  EXPECT_EQ(o.flagged[1].id, "quantize/q/c");
  EXPECT_NE(o.flagged[1].why.find("no clean twin"), std::string::npos);

  // A skipped twin judged nothing: flagged too. So is a pass with a failed check.
  rs = {result("gemm", "s1", "none", Verdict::skipped), result("gemm", "s1", "a", Verdict::pass)};
  EXPECT_EQ(judge_selftest(rs, {{{"gemm", "a"}}}).flagged.size(), 1u);
  rs = {result("gemm", "s1", "none", Verdict::pass), result("gemm", "s1", "a", Verdict::pass)};
  rs[0].checks[0].passed = false;
  EXPECT_EQ(judge_selftest(rs, {{{"gemm", "a"}}}).flagged.size(), 1u);
}

TEST(Selftest, ASkippedOrErroredFaultCaseIsNotCaughtAndInternalErrorsSayThree) {
  std::vector<CaseResult> rs = {result("gemm", "s1", "none", Verdict::pass), result("gemm", "s1", "a", Verdict::skipped)};
  rs[1].reason = "no GPU";
  SelftestOutcome o = judge_selftest(rs, {{{"gemm", "a"}}});
  EXPECT_EQ(o.status.exit_code, 1);
  EXPECT_EQ(o.faults[0].cases[0].how, "no GPU");
  rs[1].verdict = Verdict::error;
  rs[1].metrics["internal_error"] = 1;
  EXPECT_EQ(judge_selftest(rs, {{{"gemm", "a"}}}).status.exit_code, 3);
}

TEST(Selftest, TheBuiltInFaultListHasEveryClass) {
  const std::vector<InjectableFault> all = injectable_faults();
  EXPECT_EQ(all.size(), 4u + 3u + 6u);
  for (const InjectableFault& f : all) EXPECT_NE(f.name, "none");
}

}  // namespace
}  // namespace fp8check
