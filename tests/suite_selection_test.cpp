// Filters select cases as --gtest_filter selects tests; shards partition what the filter
// keeps, every case in exactly one shard.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/suite/case_filter.hpp"
#include "harness/suite/shard.hpp"
#include "suite_test_support.hpp"
#include "tests/input_error_text.hpp"

namespace fp8check::testing {
namespace {

const std::vector<std::string> kIds = {
    "gemm/e4m3fn.e4m3fn/m128/cfg:auto/emulated", "gemm/e5m2.e4m3fn/m128/cfg:auto/cuda",
    "gemm/e4m3fn.e4m3fn/m256/cfg:t1/emulated",   "quantize/e4m3fn/m128/emulated",
    "quantize/e5m2/m-1/cuda",
};

std::vector<std::string> selected(const std::string& filter) {
  const CaseFilter f = CaseFilter::parse(filter);
  std::vector<std::string> out;
  for (const std::string& id : kIds)
    if (f.matches(id)) out.push_back(id);
  return out;
}

TEST(CaseFilter, GlobMatchesTheWholeText) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*c", "ac"));
  EXPECT_TRUE(glob_match("a*c", "abbbc"));
  EXPECT_FALSE(glob_match("a*c", "abcd"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("gemm", "gemm/x"));  // no implicit prefix match
  EXPECT_TRUE(glob_match("*a*b*", "xxaxxbxxb"));
  EXPECT_FALSE(glob_match("", "a"));
}

TEST(CaseFilter, PositiveNegativeAndBoth) {
  EXPECT_EQ(selected(""), kIds);  // no filter: every case
  EXPECT_EQ(selected("*"), kIds);
  EXPECT_EQ(selected("quantize/*"), (std::vector<std::string>{kIds[3], kIds[4]}));
  EXPECT_EQ(selected("quantize/*:*/cuda"), (std::vector<std::string>{kIds[1], kIds[3], kIds[4]}));
  EXPECT_EQ(selected("-*/cuda"), (std::vector<std::string>{kIds[0], kIds[2], kIds[3]}));
  EXPECT_EQ(selected("gemm/*-*/cuda:*/m256/*"), (std::vector<std::string>{kIds[0]}));
  EXPECT_EQ(selected("gemm/e?m?fn.*"), (std::vector<std::string>{kIds[0], kIds[2]}));
  EXPECT_EQ(selected("-"), kIds);  // an empty negative part excludes nothing
  EXPECT_EQ(selected("nothing"), std::vector<std::string>{});
}

TEST(CaseFilter, ColonAndDashInIdsNeedEscapesOrQuestionMarks) {
  // Unescaped, ':' splits "*cfg" and "t1*" into two patterns that match no whole id.
  EXPECT_EQ(selected("*cfg:t1*"), std::vector<std::string>{});
  EXPECT_EQ(selected("*cfg\\:t1*"), (std::vector<std::string>{kIds[2]}));
  EXPECT_EQ(selected("*cfg?t1*"), (std::vector<std::string>{kIds[2]}));
  // The first unescaped '-' splits; later ones are literal, as in GoogleTest.
  EXPECT_EQ(selected("*/m\\-1/*"), (std::vector<std::string>{kIds[4]}));
  EXPECT_EQ(selected("quantize/*-*/m-1/*"), (std::vector<std::string>{kIds[3]}));
  EXPECT_THROW(CaseFilter::parse("gemm\\*"), InputError);
  EXPECT_THROW(CaseFilter::parse("gemm\\"), InputError);
}

TEST(Shard, ParsesIndexSlashCount) {
  EXPECT_EQ(parse_shard("0/1").count, 1u);
  EXPECT_EQ(parse_shard("3/4").index, 3u);
  for (const char* bad :
       {"", "1", "4/4", "1/0", "-1/2", "+1/2", " 1/2", "1/2x", "a/2", "1//2", "99999999999999999999999/2"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("expected I/N with 0 <= I < N"), std::string::npos) << e.what();
    }
  }
}

std::vector<CaseSpec> numbered_cases(std::size_t n) {
  std::vector<CaseSpec> cases(n);
  for (std::size_t i = 0; i < n; ++i) cases[i].id = (i % 3 == 0 ? "skip/" : "keep/") + std::to_string(i);
  return cases;
}

TEST(Shard, EveryFilteredCaseRunsInExactlyOneShardInOrder) {
  const std::vector<CaseSpec> cases = numbered_cases(23);
  const CaseFilter keep = CaseFilter::parse("keep/*");
  const std::vector<std::string> kept = ids_of(select_cases(cases, keep, Shard{}));
  ASSERT_EQ(kept.size(), 15u);
  for (std::size_t n = 1; n <= 6; ++n) {
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<std::string> part = ids_of(select_cases(cases, keep, Shard{i, n}));
      // Balanced: positions i, i+n, ... of the filtered list.
      ASSERT_EQ(part.size(), (kept.size() + n - 1 - i) / n) << i << "/" << n;
      for (std::size_t k = 0; k < part.size(); ++k) EXPECT_EQ(part[k], kept[i + k * n]);
      seen.insert(seen.end(), part.begin(), part.end());
    }
    std::sort(seen.begin(), seen.end());
    std::vector<std::string> all = kept;
    std::sort(all.begin(), all.end());
    EXPECT_EQ(seen, all) << n << " shards";
  }
}

// A fake environment: choose_shard reads variables only through the lookup.
EnvironmentLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(Shard, NoSourceIsTheWholeSuite) {
  const ShardChoice c = choose_shard(std::nullopt, std::nullopt, env({}));
  EXPECT_EQ(c.shard, (Shard{0, 1}));
  EXPECT_EQ(c.source, ShardSource::none);
  EXPECT_EQ(c.recorded(), "");
  EXPECT_EQ(c.describe(), "the whole suite");
  // A pod of an Indexed Job that was not asked to shard runs the whole suite.
  EXPECT_EQ(choose_shard(std::nullopt, std::nullopt, env({{"JOB_COMPLETION_INDEX", "3"}})).source, ShardSource::none);
}

TEST(Shard, EverySourceGivesTheShardAndIsRecorded) {
  const ShardChoice option = choose_shard("2/3", std::nullopt, env({}));
  EXPECT_EQ(option.shard, (Shard{2, 3}));
  EXPECT_EQ(shard_source_name(option.source), "--shard");
  EXPECT_EQ(option.recorded(), "2/3");

  const ShardChoice gtest =
      choose_shard(std::nullopt, std::nullopt, env({{"GTEST_SHARD_INDEX", "1"}, {"GTEST_TOTAL_SHARDS", "3"}}));
  EXPECT_EQ(gtest.shard, (Shard{1, 3}));
  EXPECT_EQ(shard_source_name(gtest.source), "GTEST_SHARD_INDEX");
  EXPECT_EQ(gtest.describe(), "shard 1/3 (from GTEST_SHARD_INDEX=1 GTEST_TOTAL_SHARDS=3)");

  // sbatch --array=4-6: tasks 4, 5, 6 are shards 0, 1, 2.
  const ShardChoice slurm = choose_shard(
      std::nullopt, std::nullopt,
      env({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "4"}, {"SLURM_ARRAY_TASK_COUNT", "3"},
           {"SLURM_ARRAY_TASK_MAX", "6"}, {"SLURM_ARRAY_TASK_STEP", "1"}}));
  EXPECT_EQ(slurm.shard, (Shard{1, 3}));
  EXPECT_EQ(shard_source_name(slurm.source), "SLURM_ARRAY_TASK_ID");
  // sbatch --array=0-12:4: tasks 0, 4, 8, 12.
  EXPECT_EQ(choose_shard(std::nullopt, std::nullopt,
                         env({{"SLURM_ARRAY_TASK_ID", "8"}, {"SLURM_ARRAY_TASK_MIN", "0"},
                              {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_STEP", "4"},
                              {"SLURM_ARRAY_TASK_MAX", "12"}}))
                .shard,
            (Shard{2, 4}));

  const ShardChoice k8s = choose_shard(std::nullopt, "4", env({{"JOB_COMPLETION_INDEX", "3"}}));
  EXPECT_EQ(k8s.shard, (Shard{3, 4}));
  EXPECT_EQ(shard_source_name(k8s.source), "JOB_COMPLETION_INDEX");

  // --shard 0/1 names the whole suite: recorded as a whole run.
  EXPECT_EQ(choose_shard("0/1", std::nullopt, env({})).recorded(), "");
}

TEST(Shard, SourcesThatDisagreeAreAnInputErrorOfOneLine) {
  const auto gtest = env({{"GTEST_SHARD_INDEX", "2"}, {"GTEST_TOTAL_SHARDS", "3"}});
  const std::string e = error_of([&] { choose_shard("0/5", std::nullopt, gtest); });
  EXPECT_EQ(e,
            "the shard is given two ways: --shard 0/5 (shard 0/5) and GTEST_SHARD_INDEX=2 GTEST_TOTAL_SHARDS=3 "
            "(shard 2/3): expected one source; drop --shard or unset the variables");
  // Sources that agree are one shard, recorded as the first (--shard).
  EXPECT_EQ(choose_shard("2/3", std::nullopt, gtest).source, ShardSource::option);
  const auto both = env({{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "2"}, {"SLURM_ARRAY_TASK_ID", "1"},
                         {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"}});
  EXPECT_NE(error_of([&] { choose_shard(std::nullopt, std::nullopt, both); }).find("given two ways"),
            std::string::npos);
}

TEST(Shard, MalformedOrIncompleteSourcesAreInputErrors) {
  const std::vector<std::map<std::string, std::string>> bad = {
      {{"GTEST_SHARD_INDEX", "1"}},
      {{"GTEST_TOTAL_SHARDS", "3"}},
      {{"GTEST_SHARD_INDEX", "3"}, {"GTEST_TOTAL_SHARDS", "3"}},
      {{"GTEST_SHARD_INDEX", "-1"}, {"GTEST_TOTAL_SHARDS", "3"}},
      {{"GTEST_SHARD_INDEX", "x"}, {"GTEST_TOTAL_SHARDS", "3"}},
      {{"GTEST_SHARD_INDEX", ""}, {"GTEST_TOTAL_SHARDS", "3"}},
      {{"GTEST_SHARD_INDEX", "0"}, {"GTEST_TOTAL_SHARDS", "0"}},
      {{"SLURM_ARRAY_TASK_ID", "1"}},                                                             // no MIN, COUNT
      {{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "2"}, {"SLURM_ARRAY_TASK_COUNT", "3"}},  // below MIN
      {{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "2"}, {"SLURM_ARRAY_TASK_COUNT", "3"}},  // beyond COUNT
      {{"SLURM_ARRAY_TASK_ID", "3"},
       {"SLURM_ARRAY_TASK_MIN", "0"},
       {"SLURM_ARRAY_TASK_COUNT", "3"},
       {"SLURM_ARRAY_TASK_STEP", "2"}},  // off the step
      {{"SLURM_ARRAY_TASK_ID", "3"},
       {"SLURM_ARRAY_TASK_MIN", "1"},
       {"SLURM_ARRAY_TASK_COUNT", "3"},
       {"SLURM_ARRAY_TASK_MAX", "7"}},  // --array=1,3,7: a list, not a range
      {{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "0"}},
  };
  for (const auto& vars : bad) {
    const std::string e = error_of([&] { choose_shard(std::nullopt, std::nullopt, env(vars)); });
    EXPECT_NE(e, "no InputError") << vars.begin()->first << "=" << vars.begin()->second;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  EXPECT_NE(error_of([] { choose_shard(std::nullopt, "4", env({})); }).find("JOB_COMPLETION_INDEX"),
            std::string::npos);  // --shard-total outside an Indexed Job
  for (const char* total : {"0", "-4", "x", ""})
    EXPECT_NE(error_of([&] { choose_shard(std::nullopt, total, env({{"JOB_COMPLETION_INDEX", "0"}})); }),
              "no InputError")
        << total;
  EXPECT_NE(error_of([] { choose_shard(std::nullopt, "4", env({{"JOB_COMPLETION_INDEX", "4"}})); }), "no InputError");
}

TEST(Shard, AnEmptySelectionSaysWhetherTheFilterOrTheShardIsToBlame) {
  EXPECT_EQ(empty_selection_reason("smoke", 71, "nothing*", 0, {}),
            "the filter 'nothing*' selects no case of suite smoke (71 cases: fp8check list smoke prints their ids)");
  const ShardChoice huge = choose_shard("99999/100000", std::nullopt, env({}));
  EXPECT_EQ(empty_selection_reason("smoke", 71, "*", 71, huge),
            "shard 99999/100000 (from --shard 99999/100000) holds no case: the filter '*' selects 71 case(s) of suite "
            "smoke, one per shard for the first 71 shards (expected a shard count N <= 71)");
}

}  // namespace
}  // namespace fp8check::testing
