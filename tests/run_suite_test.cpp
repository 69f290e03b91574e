// The library entry of a whole run: the smoke suite through run_suite against
// golden/smoke.h5 (what `fp8check run smoke` does), and a GPU-backend run that skips every
// case, which must not pass.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/configs/device_profile.hpp"
#include "harness/record/results_file.hpp"
#include "harness/run/ops.hpp"
#include "harness/run/suite_run.hpp"
#include "harness/suite/suite_loader.hpp"

namespace fp8check {
namespace {

const std::filesystem::path kSource = FP8CHECK_SOURCE_DIR;

struct Loaded {
  SuiteSpec spec;
  const DeviceProfile* device = nullptr;
  std::vector<CaseInput> cases;
};

Loaded load(const std::string& name, const std::string& backend = "") {
  Loaded l;
  l.device = &find_device_profile("sm_90");
  l.spec = load_suite(kSource / "suites" / (name + ".toml"), builtin_op_schemas(*l.device));
  for (const CaseSpec& c : l.spec.cases) {
    CaseInput in{c.id, c.op, c.params, c.tolerance, c.seed_bug};
    if (!backend.empty())
      for (auto& [axis, value] : in.params)
        if (axis == "backend") value = backend;
    l.cases.push_back(std::move(in));
  }
  return l;
}

TEST(RunSuite, SmokeMatchesItsGoldenBitForBit) {
  const Loaded l = load("smoke");
  ASSERT_EQ(l.spec.device, "sm_90");
  const record::ResultsFile golden = record::read_results(kSource / "golden" / "smoke.h5");
  SuiteRun run;
  run.spec = &l.spec;
  run.device = l.device;
  run.cases = l.cases;
  run.seed = l.spec.seed;
  run.jobs = 2;
  run.golden = &golden;
  const RunOutcome outcome = run_suite(run);
  ASSERT_EQ(outcome.results.size(), golden.cases.size());
  ASSERT_TRUE(outcome.golden);
  EXPECT_EQ(outcome.golden->count(record::GoldenStatus::match), static_cast<std::int64_t>(golden.cases.size()));
  EXPECT_TRUE(outcome.golden->missing.empty());
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.status.line;
  EXPECT_EQ(outcome.metadata.suite_name, "smoke");
  EXPECT_EQ(outcome.metadata.suite_sha256, golden.metadata.suite_sha256);
  for (const CaseResult& r : outcome.results) EXPECT_EQ(r.verdict, Verdict::pass) << r.id << ": " << r.reason;
}

TEST(RunSuite, ARunWhoseEveryCaseSkipsFails) {
  const Loaded l = load("smoke", "cuda");
  SuiteRun run;
  run.spec = &l.spec;
  run.device = l.device;
  run.cases = l.cases;
  const RunOutcome outcome = run_suite(run);
  EXPECT_EQ(outcome.status.exit_code, 1);
  EXPECT_EQ(outcome.status.line.rfind("0 judged: " + std::to_string(l.cases.size()) + " skipped: ", 0), 0u)
      << outcome.status.line;
  EXPECT_NE(outcome.metadata.device.find("backends cuda"), std::string::npos) << outcome.metadata.device;
}

}  // namespace
}  // namespace fp8check
