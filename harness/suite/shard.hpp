// Splitting a suite's cases over N processes, as GoogleTest shards tests (advanced guide,
// "Distributing Test Functions to Multiple Machines"). Shards are numbered one way
// everywhere - `--shard`, results files, `fp8check merge` - GoogleTest's: "I/N" with
// 0 <= I < N. Case k of the filtered list, in expansion order, runs in shard k % N, so
// every case runs in exactly one shard and the shards stay balanced.
//
// Where the shard comes from (choose_shard), so that scale-out runs on the engines people
// already have: `--shard I/N`; GoogleTest's GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS; a Slurm
// job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT, and
// SLURM_ARRAY_TASK_STEP / _MAX when set: sbatch(1), "OUTPUT ENVIRONMENT VARIABLES"); a
// Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the total given as --shard-total:
// the Job's `completions`, which the pod's environment does not carry). Sources that
// disagree are an input error; the source that chose is recorded with the results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/suite/case_filter.hpp"
#include "harness/suite/suite_spec.hpp"

namespace fp8check {

struct Shard {
  std::size_t index = 0;  // 0 <= index < count
  std::size_t count = 1;

  bool contains(std::size_t position) const { return position % count == index; }
  bool whole() const { return count == 1; }
  std::string text() const;  // "I/N"
  friend bool operator==(const Shard&, const Shard&) = default;
};

// "I/N" with decimal 0 <= I < N; InputError otherwise.
Shard parse_shard(std::string_view text);

enum class ShardSource : std::uint8_t { none, option, googletest, slurm, kubernetes };

// What results files record as `shard_source`: "" (none), "--shard", "GTEST_SHARD_INDEX",
// "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX".
std::string_view shard_source_name(ShardSource s);

struct ShardChoice {
  Shard shard;
  ShardSource source = ShardSource::none;
  std::string origin;  // how it was given, for messages: "--shard 1/3", "GTEST_SHARD_INDEX=1 GTEST_TOTAL_SHARDS=3"

  // The results file's `shard` attribute: "I/N", or "" for a whole run (N = 1).
  std::string recorded() const { return shard.whole() ? "" : shard.text(); }
  // "shard 1/3 (from SLURM_ARRAY_TASK_ID=5 ...)", or "the whole suite".
  std::string describe() const;
};

// Reads an environment variable; nullopt when unset. The default reads the process's.
using EnvironmentLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> process_environment(const char* name);

// The shard this process runs. `option`: the --shard text; `shard_total`: the --shard-total
// text (Kubernetes: JOB_COMPLETION_INDEX is only a source when it is given). Every source
// present must give the same shard (the first of --shard, GoogleTest, Slurm, Kubernetes is
// recorded); none: the whole suite. InputError, one line naming the variables, for a
// malformed or incomplete source and for sources that disagree.
ShardChoice choose_shard(std::optional<std::string_view> option, std::optional<std::string_view> shard_total,
                         const EnvironmentLookup& environment = process_environment);

// The cases this process runs: those the filter matches, then this shard's share of them.
std::vector<CaseSpec> select_cases(const std::vector<CaseSpec>& cases, const CaseFilter& filter, const Shard& shard);

// Why a selection is empty, one line: the filter selects nothing, or the shard holds no
// case of the `filtered` cases the filter selects (more shards than cases).
std::string empty_selection_reason(const std::string& suite_name, std::size_t suite_cases, const std::string& filter,
                                   std::size_t filtered, const ShardChoice& shard);

}  // namespace fp8check
