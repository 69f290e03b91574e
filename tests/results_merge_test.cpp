// merge_results (harness/record/results_merge.hpp): shards of one run join into one
// sorted set with the documented metadata; anything else is an InputError naming files.
#include "harness/record/results_merge.hpp"

#include <functional>
#include <set>

#include "harness/core/error.hpp"
#include "harness/record/detail/run_metadata_fields.hpp"
#include "tests/input_error_text.hpp"
#include "tests/results_test_support.hpp"

namespace fp8check::record {
namespace {

using namespace testing;
using fp8check::testing::error_of;

ResultsFile shard(const std::string& path, const std::string& shard, std::vector<std::string> ids) {
  ResultsFile f;
  f.path = path;
  f.metadata = sample_metadata();
  f.metadata.shard = shard;
  f.metadata.shard_source = "--shard";
  f.metadata.host = "host-" + path;
  f.metadata.started_at = "2026-11-22T00:0" + shard.substr(0, 1) + ":00Z";
  f.metadata.command_line = "fp8check run suites/smoke.toml --shard " + shard;
  f.regenerate = f.metadata.command_line;
  for (const std::string& id : ids) f.cases.push_back(full_case(id));
  return f;
}

TEST(ResultsMerge, ShardsJoinSortedById) {
  const MergedResults m =
      merge_results({shard("b.h5", "1/2", {"gemm/z", "gemm/b"}), shard("a.h5", "0/2", {"gemm/c", "gemm/a"})});
  std::vector<std::string> ids;
  for (const CaseResult& c : m.cases) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"gemm/a", "gemm/b", "gemm/c", "gemm/z"}));
  expect_same_case(m.cases[0], full_case("gemm/a"));
  EXPECT_EQ(m.metadata.shard, "");                           // all shards present: a whole run
  EXPECT_EQ(m.metadata.shard_source, "--shard");             // how the inputs were sharded
  EXPECT_EQ(m.metadata.started_at, "2026-11-22T00:00:00Z");  // the earliest
  EXPECT_EQ(m.metadata.host, "host-b.h5, host-a.h5");
  EXPECT_EQ(m.metadata.suite_name, "smoke");
  EXPECT_EQ(m.regenerate, "fp8check run suites/smoke.toml --shard 1/2; fp8check run suites/smoke.toml --shard 0/2");
  EXPECT_TRUE(m.notes.empty());
}

TEST(ResultsMerge, MissingShardsAreNotedAndRecorded) {
  const MergedResults m = merge_results({shard("a.h5", "0/4", {"a"}), shard("c.h5", "2/4", {"c"})});
  EXPECT_EQ(m.metadata.shard, "0+2/4");
  ASSERT_EQ(m.notes.size(), 1u);
  EXPECT_EQ(m.notes[0], "missing shards 1/4, 3/4: the merged run is partial");
}

TEST(ResultsMerge, ConflictsAreInputErrorsNamingTheFiles) {
  EXPECT_EQ(error_of([] {
              merge_results({shard("a.h5", "0/2", {"x"}), shard("b.h5", "1/2", {"x"})});
            }),
            "case 'x' is in both a.h5 and b.h5: expected each case in one shard");
  EXPECT_EQ(error_of([] {
              merge_results({shard("a.h5", "0/2", {"x"}), shard("b.h5", "0/2", {"y"})});
            }),
            "b.h5: shard 0/2 is also a.h5: expected each shard once");
  EXPECT_EQ(error_of([] {
              merge_results({shard("a.h5", "0/2", {"x"}), shard("b.h5", "1/3", {"y"})});
            }),
            "b.h5: shard 1/3 of a run in 3 shards, others are of 2: expected shards of one run");
  EXPECT_EQ(error_of([] {
              merge_results({shard("a.h5", "0/2", {"x"}), shard("b.h5", "x/2", {"y"})});
            }),
            "b.h5: shard 'x/2': expected i/n with 0 <= i < n (every input a shard of one run, as run --shard writes)");
  // One numbering everywhere (GoogleTest's, as run --shard): n/n is no shard.
  EXPECT_EQ(error_of([] {
              merge_results({shard("a.h5", "0/2", {"x"}), shard("b.h5", "2/2", {"y"})});
            }),
            "b.h5: shard '2/2': expected i/n with 0 <= i < n (every input a shard of one run, as run --shard writes)");
  ResultsFile other_count = shard("b.h5", "1/2", {"y"});
  other_count.metadata.suite_case_count = 7;
  EXPECT_EQ(error_of([&] {
              merge_results({shard("a.h5", "0/2", {"x"}), other_count});
            }),
            "b.h5: suite_case_count 7 differs from (not recorded) in a.h5: expected shards of one run");
  ResultsFile other_suite = shard("b.h5", "1/2", {"y"});
  other_suite.metadata.suite_sha256 = std::string(64, 'b');
  EXPECT_NE(error_of([&] {
              merge_results({shard("a.h5", "0/2", {"x"}), other_suite});
            }).find("b.h5: suite_sha256 '" + std::string(64, 'b')),
            std::string::npos);
  ResultsFile other_seed = shard("b.h5", "1/2", {"y"});
  other_seed.metadata.seed = 7;
  EXPECT_EQ(error_of([&] {
              merge_results({shard("a.h5", "0/2", {"x"}), other_seed});
            }),
            "b.h5: seed 7 differs from 18446744073709551615 in a.h5: expected shards of one run");
  EXPECT_EQ(error_of([] { merge_results({}); }), "nothing to merge: expected one or more results files");
}

// Each shard's BLAS (one host's library, kernels and threads) is kept: the distinct values,
// in input order.
TEST(ResultsMerge, KeepsEveryShardsBlas) {
  ResultsFile a = shard("a.h5", "0/2", {"x"}), b = shard("b.h5", "1/2", {"y"});
  a.metadata.blas_core = "Haswell";
  a.metadata.blas_threads = "2";
  a.metadata.blas_warning = "";  // Haswell fits the CPU
  b.metadata.blas_core = "Prescott";
  b.metadata.blas_threads = "2";
  b.metadata.blas_warning = "OpenBLAS runs its Prescott kernels";
  const MergedResults m = merge_results({a, b});
  EXPECT_EQ(m.metadata.blas_core, "Haswell, Prescott");
  EXPECT_EQ(m.metadata.blas_threads, "2");
  EXPECT_EQ(m.metadata.blas_warning, "OpenBLAS runs its Prescott kernels");
}

// Every string field of the metadata table must agree between shards except those that
// describe the process rather than the run (listed here, apart from the table).
TEST(ResultsMerge, ExactlyTheRunFieldsMustAgree) {
  const std::set<std::string> may_differ = {"host",      "started_at", "command_line", "shard",       "shard_source",
                                            "blas",      "blas_core",  "blas_threads", "blas_warning"};
  for (const detail::RunMetadataField& f : detail::kRunMetadataFields) {
    EXPECT_EQ(f.same_in_every_shard, !may_differ.contains(f.name)) << f.name;
    if (f.member == &RunMetadata::shard) continue;  // parsed and checked on its own (above)
    ResultsFile b = shard("b.h5", "1/2", {"y"});
    b.metadata.*f.member += "-other";
    const std::string error = error_of([&] { merge_results({shard("a.h5", "0/2", {"x"}), b}); });
    if (!may_differ.contains(f.name)) {
      EXPECT_EQ(error.rfind(std::string("b.h5: ") + f.name + " '", 0), 0u) << error;
    } else {
      EXPECT_EQ(error, "no InputError") << f.name;
    }
  }
}

}  // namespace
}  // namespace fp8check::record
