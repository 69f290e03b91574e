// Received -> approved (harness/record/golden_update.hpp): a golden keeps what
// comparisons need within the output budget; an update plan lists new, changed and
// removed cases and keeps the golden's record of matching ones; only write_golden touches
// the golden (planning is the dry run), atomically and within the size budget.
#include "harness/record/golden_update.hpp"

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

#include "harness/core/error.hpp"
#include "tests/input_error_text.hpp"
#include "tests/results_test_support.hpp"

namespace fp8check::record {
namespace {

using namespace testing;
using fp8check::testing::error_of;

TEST(GoldenUpdate, AGoldenKeepsWhatComparisonsNeed) {
  CaseResult received = full_case("a");
  received.verdict = Verdict::regression;
  received.reason = "output bits changed: ...";
  received.output = complete_output(128, 128, "bf16", [](std::int64_t i) { return static_cast<double>(i); });
  const CaseResult g = golden_case(received, {});  // 16384 elements > 4096: sampled
  EXPECT_EQ(g.verdict, Verdict::pass);
  EXPECT_EQ(g.reason, "");
  EXPECT_TRUE(g.checks.empty());
  EXPECT_TRUE(g.metrics.empty());
  EXPECT_EQ(g.seconds, 0.0);
  expect_same_statistics(*g.kernel_error, *received.kernel_error);
  EXPECT_EQ(g.output->digest, received.output->digest);
  EXPECT_FALSE(g.output->complete);
  ASSERT_EQ(g.output->sample_index.size(), 1024u);
  for (std::size_t j = 0; j < 1024; ++j) {
    EXPECT_EQ(g.output->sample_index[j], static_cast<std::int64_t>(16 * j));
    EXPECT_EQ(g.output->values[j], static_cast<double>(16 * j));
  }
  received.output = complete_output(64, 64, "bf16", [](std::int64_t i) { return static_cast<double>(i); });
  EXPECT_TRUE(golden_case(received, {}).output->complete);  // 4096 elements: kept whole
}

TEST(GoldenUpdate, ThePlanListsNewChangedAndRemovedCases) {
  CaseResult changed = full_case("changed");
  changed.output->values[0] = 99;
  CaseResult drifted = gpu_case(0.07, 0.002);  // x1.12: within the ratio
  drifted.id = "drifted";
  CaseResult golden_drifted = gpu_case(0.0625, 0.002);
  golden_drifted.id = "drifted";
  const ResultsFile results{"r.h5", sample_metadata(), "", {full_case("new"), changed, drifted}};
  const ResultsFile golden = golden_of({full_case("changed"), golden_drifted, full_case("gone")});
  const GoldenUpdatePlan plan = plan_golden_update(results, &golden, {}, {}, false);
  ASSERT_EQ(plan.added.size(), 1u);
  EXPECT_EQ(plan.added[0].id, "new");
  ASSERT_EQ(plan.changed.size(), 1u);
  EXPECT_EQ(plan.changed[0].id, "changed");
  EXPECT_EQ(plan.removed, (std::vector<std::string>{"gone"}));
  EXPECT_EQ(plan.unchanged, 1);
  ASSERT_EQ(plan.cases.size(), 3u);  // sorted by id
  EXPECT_EQ(plan.cases[0].id, "changed");
  EXPECT_EQ(plan.cases[0].output->values[0], 99.0);
  EXPECT_EQ(plan.cases[1].id, "drifted");
  EXPECT_EQ(plan.cases[1].kernel_error->max_abs_error, 0.0625);  // a match keeps the golden's record
  EXPECT_EQ(plan.cases[2].id, "new");
  std::ostringstream text;
  print_golden_update(text, plan);
  EXPECT_EQ(text.str(),
            "  new      new  (verdict pass)\n"
            "  changed  changed  output bits changed: 1 of 4096 elements differ, first at (0,0): 99 vs golden -3\n"
            "  removed  gone  (not in the results)\n"
            "1 new, 1 changed, 1 removed, 1 unchanged\n");

  const GoldenUpdatePlan kept = plan_golden_update(results, &golden, {}, {}, true);
  EXPECT_TRUE(kept.removed.empty());
  EXPECT_EQ(kept.cases.size(), 4u);
  const GoldenUpdatePlan first = plan_golden_update(results, nullptr, {}, {}, false);
  EXPECT_EQ(first.added.size(), 3u);
}

TEST(GoldenUpdate, APartialRunIsNamedAsSuch) {
  ResultsFile results{"r.h5", sample_metadata(), "", {full_case("a")}};
  EXPECT_EQ(partial_run_reason(results), std::nullopt);
  results.metadata.suite_case_count = 1;
  EXPECT_EQ(partial_run_reason(results), std::nullopt);
  results.metadata.suite_case_count = 71;
  EXPECT_EQ(partial_run_reason(results), "1 of the suite's 71 cases");
  results.metadata.filter = "gemm/*";
  results.metadata.shard = "0/2";
  results.metadata.shard_source = "GTEST_SHARD_INDEX";
  EXPECT_EQ(partial_run_reason(results), "shard 0/2 (from GTEST_SHARD_INDEX), filter 'gemm/*', 1 of the suite's 71 cases");
}

TEST(GoldenUpdate, PartialResultsAreRefusedUnlessAllowedAndThenRemoveNothing) {
  const ResultsFile golden = golden_of({full_case("a"), full_case("b"), full_case("c")});
  CaseResult changed = full_case("a");
  changed.output->values[0] = 99;
  for (const auto& partial : std::vector<std::function<void(RunMetadata&)>>{
           [](RunMetadata& m) { m.filter = "gemm/*"; }, [](RunMetadata& m) { m.shard = "1/2"; },
           [](RunMetadata& m) { m.suite_case_count = 3; }}) {
    ResultsFile results{"r.h5", sample_metadata(), "", {changed, full_case("new")}};
    partial(results.metadata);
    const std::string e = error_of([&] { plan_golden_update(results, &golden, {}, {}, false); });
    EXPECT_EQ(e.rfind("r.h5 is not a whole run of suite smoke (", 0), 0u) << e;
    EXPECT_NE(e.find("it would remove the 2 golden case(s) it lacks"), std::string::npos) << e;
    EXPECT_NE(e.find("--allow-partial"), std::string::npos) << e;
    const GoldenUpdatePlan plan = plan_golden_update(results, &golden, {}, {}, true);
    EXPECT_TRUE(plan.removed.empty());
    EXPECT_EQ(plan.kept, 2);
    EXPECT_EQ(plan.added.size(), 1u);
    EXPECT_EQ(plan.changed.size(), 1u);
    EXPECT_EQ(plan.cases.size(), 4u);
    // The golden keeps describing its whole run.
    EXPECT_EQ(plan.metadata.filter, golden.metadata.filter);
    EXPECT_EQ(plan.metadata.shard, golden.metadata.shard);
    std::ostringstream text;
    print_golden_update(text, plan);
    EXPECT_NE(text.str().find("1 new, 1 changed, 0 removed, 2 kept (not in the partial run), 0 unchanged"),
              std::string::npos)
        << text.str();
  }
}

TEST(GoldenUpdate, ResultsOfAnotherSuiteOrSeedNeverUpdateAGolden) {
  const ResultsFile golden = golden_of({full_case("a")});
  ResultsFile seeds{"seeds.h5", sample_metadata(), "", {full_case("a")}};
  seeds.metadata.suite_name = "seeds";
  for (const bool allow : {false, true})
    EXPECT_EQ(error_of([&] { plan_golden_update(seeds, &golden, {}, {}, allow); }),
              "seeds.h5 holds results of suite 'seeds', the golden golden/smoke.h5 those of suite 'smoke': expected "
              "results of suite 'smoke' (each suite has its own golden, golden/SUITE.h5)");
  ResultsFile reseeded{"r.h5", sample_metadata(), "", {full_case("a")}};
  reseeded.metadata.seed = 7;
  for (const bool allow : {false, true})
    EXPECT_NE(error_of([&] { plan_golden_update(reseeded, &golden, {}, {}, allow); })
                  .find("r.h5 ran with seed 7, the golden golden/smoke.h5 with seed 18446744073709551615"),
              std::string::npos);
  // Without a golden there is nothing to lose: any whole run starts one.
  EXPECT_EQ(plan_golden_update(seeds, nullptr, {}, {}, false).added.size(), 1u);
}

TEST_F(ResultsTest, OnlyWriteGoldenTouchesTheGolden) {
  const fs::path golden_path = dir_ / "smoke.h5";
  write_results(golden_path, sample_metadata(), {full_case("a"), full_case("b")});
  const std::string before = file_bytes(golden_path);
  CaseResult changed = full_case("a");
  changed.output->values[7] = 1.0;
  const ResultsFile results{"r.h5", sample_metadata(), "fp8check run ...", {changed, full_case("b"), full_case("c")}};
  const ResultsFile golden = read_results(golden_path);
  const GoldenUpdatePlan plan = plan_golden_update(results, &golden, {}, {}, false);
  EXPECT_TRUE(plan.has_changes());
  EXPECT_EQ(file_bytes(golden_path), before);  // planning (the dry run) writes nothing

  const std::uintmax_t bytes = write_golden(golden_path, plan, {}, "regenerate me");
  EXPECT_EQ(bytes, fs::file_size(golden_path));
  const ResultsFile written = read_results(golden_path);
  EXPECT_EQ(written.regenerate, "regenerate me");
  ASSERT_EQ(written.cases.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) expect_same_case(plan.cases[i], written.cases[i]);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(ResultsTest, AGoldenOverTheBudgetIsNotWritten) {
  const fs::path golden_path = dir_ / "smoke.h5";
  write_results(golden_path, sample_metadata(), {full_case("a")});
  std::ofstream(dir_ / "other.h5") << std::string(5000, 'x');  // counts towards the directory's total
  const std::string before = file_bytes(golden_path);
  const ResultsFile results{"r.h5", sample_metadata(), "", {full_case("a"), full_case("b")}};
  const GoldenUpdatePlan plan = plan_golden_update(results, nullptr, {}, {}, false);
  const std::uintmax_t size = write_golden(dir_ / "probe.h5", plan, {}, "");
  fs::remove(dir_ / "probe.h5");
  GoldenBudget budget;
  budget.max_total_bytes = size + 4999;  // the new golden alone fits, with other.h5 it does not
  EXPECT_THROW(write_golden(golden_path, plan, budget, ""), InputError);
  EXPECT_EQ(file_bytes(golden_path), before);
  budget.max_total_bytes = size + 5000;
  EXPECT_EQ(write_golden(golden_path, plan, budget, ""), size);
}

// run, verify, merge and export write results over anything but a golden: the one that
// golden update wrote (its regenerate says so) is refused, whatever its name.
TEST_F(ResultsTest, AResultsWriterNeverReplacesAGolden) {
  const fs::path golden = dir_ / "smoke.h5", results = dir_ / "results.h5", text = dir_ / "notes.h5";
  write_results(golden, sample_metadata(), {full_case("a")},
                {.regenerate = "fp8check run smoke; " + std::string(kGoldenUpdateCommand) + " r.h5 --golden smoke.h5 --write"});
  write_results(results, sample_metadata(), {full_case("a")}, {.regenerate = "fp8check run smoke"});
  std::ofstream(text) << "not HDF5";
  EXPECT_EQ(error_of([&] { refuse_to_replace_a_golden(golden); }),
            golden.string() + ": is a golden (written by fp8check golden update): expected a results path that is "
                              "no golden (a golden changes only through fp8check golden update RESULTS --golden " +
                golden.string() + " --write)");
  fs::create_symlink(golden, dir_ / "link.h5");
  EXPECT_NE(error_of([&] { refuse_to_replace_a_golden(dir_ / "link.h5"); }), "no InputError");
  EXPECT_EQ(error_of([&] { refuse_to_replace_a_golden(results); }), "no InputError");
  EXPECT_EQ(error_of([&] { refuse_to_replace_a_golden(text); }), "no InputError");
  EXPECT_EQ(error_of([&] { refuse_to_replace_a_golden(dir_ / "missing.h5"); }), "no InputError");
}

}  // namespace
}  // namespace fp8check::record
