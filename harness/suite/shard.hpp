// Splitting a suite's cases over N processes, as GoogleTest shards tests: `--shard I/N`
// or, without it, the environment GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS (GoogleTest
// advanced guide, "Distributing Test Functions to Multiple Machines"). Case k of the
// filtered list, in expansion order, runs in shard k % N, so every case runs in exactly
// one shard and the shards stay balanced.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "harness/suite/case_filter.hpp"
#include "harness/suite/suite_spec.hpp"

namespace fp8check {

struct Shard {
  std::size_t index = 0;  // 0 <= index < count
  std::size_t count = 1;

  bool contains(std::size_t position) const { return position % count == index; }
};

// "I/N" with decimal 0 <= I < N; InputError otherwise.
Shard parse_shard(std::string_view text);

// Both variables unset: none. One unset, or a value that is not such a number: InputError.
std::optional<Shard> shard_from_environment();

// `option` (the --shard text) when given, else the environment, else the whole suite.
Shard resolve_shard(std::optional<std::string_view> option);

// The cases this process runs: those the filter matches, then this shard's share of them.
std::vector<CaseSpec> select_cases(const std::vector<CaseSpec>& cases, const CaseFilter& filter, const Shard& shard);

}  // namespace fp8check
