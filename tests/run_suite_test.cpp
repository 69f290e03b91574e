// The library entry of a whole run: the smoke suite through run_suite against
// golden/smoke.h5 (what `fp8check run smoke` does), a GPU-backend run that skips every
// case, which must not pass, and the GPU suite's claims.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "harness/configs/device_profile.hpp"
#include "harness/core/error.hpp"
#include "harness/record/results_file.hpp"
#include "harness/run/attention_case.hpp"
#include "harness/run/gemm_case.hpp"
#include "harness/run/ops.hpp"
#include "harness/run/suite_run.hpp"
#include "harness/suite/suite_loader.hpp"
#include "references/blas_info.hpp"

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

// The whole of `l` against `golden`, `jobs` cases at a time.
SuiteRun run_against(const Loaded& l, const record::ResultsFile& golden, int jobs) {
  SuiteRun run;
  run.spec = &l.spec;
  run.device = l.device;
  run.cases = l.cases;
  run.seed = l.spec.seed;
  run.jobs = jobs;
  run.golden = &golden;
  return run;
}

TEST(RunSuite, SmokeMatchesItsGoldenBitForBit) {
  const Loaded l = load("smoke");
  ASSERT_EQ(l.spec.device, "sm_90");
  const record::ResultsFile golden = record::read_results(kSource / "golden" / "smoke.h5");
  const RunOutcome outcome = run_suite(run_against(l, golden, 2));
  ASSERT_EQ(outcome.results.size(), golden.cases.size());
  ASSERT_TRUE(outcome.golden);
  EXPECT_EQ(outcome.golden->count(record::GoldenStatus::match), static_cast<std::int64_t>(golden.cases.size()));
  EXPECT_TRUE(outcome.golden->missing.empty());
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.status.line;
  EXPECT_EQ(outcome.metadata.suite_name, "smoke");
  EXPECT_EQ(outcome.metadata.suite_sha256, golden.metadata.suite_sha256);
  for (const CaseResult& r : outcome.results) EXPECT_EQ(r.verdict, Verdict::pass) << r.id << ": " << r.reason;
}

// One job uses the machine's threads inside each case (input generation, the emulated
// kernels, the references' BLAS, the attention reference's heads); no result bit may depend
// on it: the smoke suite on one job with 3 threads per case matches its golden bit for bit.
// The run records which BLAS ran it.
TEST(RunSuite, ThreadsInsideACaseChangeNoBitAndTheRunRecordsItsBlas) {
  const Loaded l = load("smoke");
  const record::ResultsFile golden = record::read_results(kSource / "golden" / "smoke.h5");
  SuiteRun run = run_against(l, golden, 1);
  run.threads_per_case = 3;
  const RunOutcome outcome = run_suite(run);
  ASSERT_TRUE(outcome.golden);
  EXPECT_EQ(outcome.golden->count(record::GoldenStatus::match), static_cast<std::int64_t>(golden.cases.size()));
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.status.line;

  const references::BlasInfo blas = references::blas_info();
  EXPECT_FALSE(outcome.metadata.blas.empty());
  EXPECT_EQ(outcome.metadata.blas_core, blas.core);
  EXPECT_EQ(outcome.metadata.blas_threads, std::to_string(blas.threads));
  EXPECT_EQ(outcome.metadata.blas_warning, blas.warning);
  EXPECT_NE(blas_summary(outcome.metadata).find(outcome.metadata.blas), std::string::npos);
}

TEST(RunSuite, OneJobGetsTheMachinesThreadsSeveralGetOneEach) {
  EXPECT_GE(case_threads(1), 1);
  EXPECT_EQ(case_threads(1), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  EXPECT_EQ(case_threads(2), 1);
  EXPECT_EQ(case_threads(64), 1);
  // Several jobs: one BLAS thread per product; one job: the count the process started with.
  const int initial = references::blas_info().threads;
  configure_blas_threads(4);
  EXPECT_EQ(references::blas_info().threads, 1);
  configure_blas_threads(1);
  EXPECT_EQ(references::blas_info().threads, initial);
}

TEST(RunSuite, BlasSummaryNamesLibraryCoreAndThreads) {
  RunMetadata m;
  m.blas = "OpenBLAS 0.3.21 DYNAMIC_ARCH";
  m.blas_core = "Haswell";
  m.blas_threads = "1";
  EXPECT_EQ(blas_summary(m), "OpenBLAS 0.3.21 DYNAMIC_ARCH, core Haswell, 1 thread per product");
  m.blas_threads = "2";
  EXPECT_EQ(blas_summary(m), "OpenBLAS 0.3.21 DYNAMIC_ARCH, core Haswell, 2 threads per product");
  EXPECT_EQ(blas_summary(RunMetadata{}), "unknown");
}

// Goldens are keyed by case id, and ids seed the inputs: an axis added later (quantize's
// fault) must leave every existing id as it was. Every suite with a golden (a golden's
// order is not the run's: nightly's was merged from shards).
TEST(RunSuite, EverySuiteStillHasItsGoldensIds) {
  for (const char* name : {"smoke", "seeds", "nightly"}) {
    std::vector<std::string> suite_ids, golden_ids;
    for (const CaseInput& c : load(name).cases) suite_ids.push_back(c.id);
    for (const CaseResult& r : record::read_results(kSource / "golden" / (std::string(name) + ".h5")).cases)
      golden_ids.push_back(r.id);
    std::sort(suite_ids.begin(), suite_ids.end());
    std::sort(golden_ids.begin(), golden_ids.end());
    EXPECT_EQ(suite_ids, golden_ids) << name;
    EXPECT_FALSE(suite_ids.empty()) << name;
  }
}

// An id keys the golden and seeds the inputs, so one problem has one spelling: a field
// given twice ("m64.m32": which m?) or a number with a leading zero ("m064", the same
// problem as "m64" under another id) is refused by the op's validator.
TEST(RunSuite, AProblemHasOneSpellingInIds) {
  const AxisSchemaRegistry schemas = builtin_op_schemas(find_device_profile("sm_90"));
  const auto validate = [&](const char* op, const char* axis, const std::string& value) {
    schemas.find(op)->find_axis(axis)->validate(value);
  };
  validate("gemm", "shape", "m64.n64.k64.g2");
  validate("gemm", "config", "bm128.bn128.bk128.s4.sk2");
  validate("attention", "shape", "b1.h8.kv2.sq128.skv256.d64");
  validate("quantize", "shape", "r10.c100");
  const std::pair<const char*, const char*> refused[] = {
      {"gemm", "m64.m32.n64.k64"}, {"gemm", "m64.n64.k64.k128"},   {"gemm", "m064.n64.k64"},
      {"gemm", "m64.n64.k64.g2.g4"}, {"attention", "b1.h8.h4.kv2.sq128.skv128.d64"},
      {"attention", "b1.h08.kv2.sq128.skv128.d64"}, {"attention", "b1.h8.kv2.sq128.skv128.d64.causal.causal"},
      {"quantize", "r0256.c512"}, {"quantize", "r256.c00512"},
  };
  for (const auto& [op, shape] : refused) EXPECT_THROW(validate(op, "shape", shape), InputError) << op << " " << shape;
  validate("quantize", "recipe", "vec128");
  for (const char* recipe : {"vec0128", "blk128x0128", "delayed_max016", "int8_g032"})
    EXPECT_THROW(validate("quantize", "recipe", recipe), InputError) << recipe;
  for (const char* config : {"bm128.bm64.bn128.bk128.s4", "bm0128.bn128.bk128.s4", "bm128.bn128.bk128.s4.s2"})
    EXPECT_THROW(validate("gemm", "config", config), InputError) << config;
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

// suites/gpu.toml is what ci/gpu runs on the device backends: every GEMM case claims the
// device profile's kernel model and every attention case the own kernel's sm89-mma, never
// the FP32 bound of the emulation suites. On the emulated backend (those same models) its
// cases pass; the three largest shapes are left to ci/nightly.
TEST(RunSuite, TheGpuSuiteClaimsTheDevicesArithmeticAndPassesOnItsEmulation) {
  Loaded l = load("gpu");
  ASSERT_EQ(l.spec.device, "sm_90");
  int gemm = 0, attention = 0;
  for (const CaseInput& c : l.cases) {
    if (c.op == "gemm") {
      const GemmCase g = GemmCase::from_params(c.params);
      EXPECT_TRUE(g.accumulation_from_device) << c.id;
      EXPECT_EQ(case_accumulation(g, *l.device).id(), l.device->kernel_model) << c.id;
      ++gemm;
    } else if (c.op == "attention") {
      EXPECT_EQ(AttentionCase::from_params(c.params).model.id(), "sm89-mma") << c.id;
      ++attention;
    }
  }
  EXPECT_GT(gemm, 0);
  EXPECT_GT(attention, 0);
  EXPECT_EQ(l.device->kernel_model, "sm90-wgmma.p128");

  std::erase_if(l.cases, [](const CaseInput& c) {
    for (const char* big : {"m4096.", ".n7168.", ".sq512."})
      if (c.id.find(big) != std::string::npos) return true;
    return false;
  });
  SuiteRun run;
  run.spec = &l.spec;
  run.device = l.device;
  run.cases = l.cases;
  run.seed = l.spec.seed;
  run.jobs = 2;
  const RunOutcome outcome = run_suite(run);
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.status.line;
  ASSERT_GT(outcome.results.size(), 80u);
  for (const CaseResult& r : outcome.results) EXPECT_EQ(r.verdict, Verdict::pass) << r.id << ": " << r.reason;
}

}  // namespace
}  // namespace fp8check
