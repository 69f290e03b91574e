#include "harness/suite/shard.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

#include "harness/core/error.hpp"

namespace fp8check {

namespace {

// A decimal number, digits only (std::from_chars takes no sign or space for unsigned types).
std::optional<std::size_t> parse_count(std::string_view text) {
  std::size_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

Shard parse_shard(std::string_view text) {
  const std::string expected = " (expected I/N with 0 <= I < N, e.g. --shard 0/4)";
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) throw InputError("shard '" + std::string(text) + "' has no '/'" + expected);
  const auto index = parse_count(text.substr(0, slash));
  const auto count = parse_count(text.substr(slash + 1));
  if (!index || !count) throw InputError("shard '" + std::string(text) + "' is not two decimal numbers" + expected);
  if (*count == 0 || *index >= *count)
    throw InputError("shard '" + std::string(text) + "' is out of range" + expected);
  return {*index, *count};
}

std::optional<Shard> shard_from_environment() {
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  if (!index && !total) return std::nullopt;
  if (!index || !total)
    throw InputError(std::string(index ? "GTEST_SHARD_INDEX" : "GTEST_TOTAL_SHARDS") + " is set but " +
                     (index ? "GTEST_TOTAL_SHARDS" : "GTEST_SHARD_INDEX") + " is not (expected both or neither)");
  const auto i = parse_count(index);
  const auto n = parse_count(total);
  if (!i || !n || *n == 0 || *i >= *n)
    throw InputError(std::string("GTEST_SHARD_INDEX=") + index + " GTEST_TOTAL_SHARDS=" + total +
                     " (expected decimal numbers with 0 <= GTEST_SHARD_INDEX < GTEST_TOTAL_SHARDS)");
  return Shard{*i, *n};
}

Shard resolve_shard(std::optional<std::string_view> option) {
  if (option) return parse_shard(*option);
  return shard_from_environment().value_or(Shard{});
}

std::vector<CaseSpec> select_cases(const std::vector<CaseSpec>& cases, const CaseFilter& filter, const Shard& shard) {
  std::vector<CaseSpec> out;
  std::size_t position = 0;  // among the cases the filter keeps
  for (const CaseSpec& c : cases) {
    if (!filter.matches(c.id)) continue;
    if (shard.contains(position++)) out.push_back(c);
  }
  return out;
}

}  // namespace fp8check
