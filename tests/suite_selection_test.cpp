// Filters select cases as --gtest_filter selects tests; shards partition what the filter
// keeps, every case in exactly one shard.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/suite/case_filter.hpp"
#include "harness/suite/shard.hpp"
#include "suite_test_support.hpp"

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

// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Shard, FallsBackToGoogleTestEnvironment) {
  {
    ScopedEnv i("GTEST_SHARD_INDEX", nullptr), n("GTEST_TOTAL_SHARDS", nullptr);
    EXPECT_FALSE(shard_from_environment().has_value());
    EXPECT_EQ(resolve_shard(std::nullopt).count, 1u);
  }
  {
    ScopedEnv i("GTEST_SHARD_INDEX", "2"), n("GTEST_TOTAL_SHARDS", "3");
    const Shard s = resolve_shard(std::nullopt);
    EXPECT_EQ(s.index, 2u);
    EXPECT_EQ(s.count, 3u);
    EXPECT_EQ(resolve_shard("0/5").count, 5u);  // --shard wins over the environment
  }
  {
    ScopedEnv i("GTEST_SHARD_INDEX", "1"), n("GTEST_TOTAL_SHARDS", nullptr);
    EXPECT_THROW(shard_from_environment(), InputError);
  }
  for (const char* bad : {"3", "x", "-1", ""}) {
    ScopedEnv i("GTEST_SHARD_INDEX", bad), n("GTEST_TOTAL_SHARDS", "3");
    EXPECT_THROW(resolve_shard(std::nullopt), InputError) << bad;
  }
}

}  // namespace
}  // namespace fp8check::testing
