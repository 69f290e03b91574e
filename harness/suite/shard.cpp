#include "harness/suite/shard.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "harness/core/error.hpp"

namespace fp8check {

namespace {

// A decimal number, digits only (std::from_chars takes no sign or space for unsigned
// types, and reports values beyond size_t as out of range).
std::optional<std::size_t> parse_count(std::string_view text) {
  std::size_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string assignment(const char* name, const std::optional<std::string>& value) {
  return std::string(name) + "=" + value.value_or("(unset)");
}

// GTEST_SHARD_INDEX and GTEST_TOTAL_SHARDS: both or neither.
std::optional<ShardChoice> googletest_shard(const EnvironmentLookup& env) {
  const auto index = env("GTEST_SHARD_INDEX");
  const auto total = env("GTEST_TOTAL_SHARDS");
  if (!index && !total) return std::nullopt;
  const std::string origin = assignment("GTEST_SHARD_INDEX", index) + " " + assignment("GTEST_TOTAL_SHARDS", total);
  if (!index || !total)
    throw InputError(origin + ": expected both GoogleTest shard variables or neither");
  const auto i = parse_count(*index);
  const auto n = parse_count(*total);
  if (!i || !n || *n == 0 || *i >= *n)
    throw InputError(origin + ": expected decimal numbers with 0 <= GTEST_SHARD_INDEX < GTEST_TOTAL_SHARDS");
  return ShardChoice{{*i, *n}, ShardSource::googletest, origin};
}

// A Slurm job array: task SLURM_ARRAY_TASK_ID of the array MIN, MIN+STEP, ..., MAX
// (COUNT tasks). Only an evenly stepped array maps its tasks onto shards 0..COUNT-1.
std::optional<ShardChoice> slurm_shard(const EnvironmentLookup& env) {
  const auto id = env("SLURM_ARRAY_TASK_ID");
  if (!id) return std::nullopt;
  const auto min = env("SLURM_ARRAY_TASK_MIN");
  const auto count = env("SLURM_ARRAY_TASK_COUNT");
  const auto step = env("SLURM_ARRAY_TASK_STEP");
  const auto max = env("SLURM_ARRAY_TASK_MAX");
  std::string origin = assignment("SLURM_ARRAY_TASK_ID", id) + " " + assignment("SLURM_ARRAY_TASK_MIN", min) + " " +
                       assignment("SLURM_ARRAY_TASK_COUNT", count);
  if (step) origin += " " + assignment("SLURM_ARRAY_TASK_STEP", step);
  if (max) origin += " " + assignment("SLURM_ARRAY_TASK_MAX", max);
  const std::string fix = ": expected the task of an evenly stepped job array (sbatch --array=0-N or A-B:S), "
                          "or --shard I/N";
  if (!min || !count) throw InputError(origin + ": SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT must be set" + fix);
  const auto i = parse_count(*id), lo = parse_count(*min), n = parse_count(*count);
  const auto s = step ? parse_count(*step) : std::optional<std::size_t>(1);
  // MAX is optional; ~0 stands for "not given" (it never is a task id, COUNT being >= 1).
  const std::optional<std::size_t> hi = max ? parse_count(*max) : std::optional<std::size_t>(SIZE_MAX);
  if (!i || !lo || !n || !s || !hi || *n == 0 || *s == 0)
    throw InputError(origin + ": not decimal numbers (COUNT and STEP >= 1)" + fix);
  if (*i < *lo || (*i - *lo) % *s != 0 || (*i - *lo) / *s >= *n)
    throw InputError(origin + ": the task is not one of MIN + k*STEP, 0 <= k < COUNT" + fix);
  if (max && (*hi < *lo || (*hi - *lo) % *s != 0 || (*hi - *lo) / *s + 1 != *n))
    throw InputError(origin + ": COUNT tasks from MIN by STEP do not end at MAX (an array given as a list?)" + fix);
  return ShardChoice{{(*i - *lo) / *s, *n}, ShardSource::slurm, origin};
}

// A Kubernetes Indexed Job: JOB_COMPLETION_INDEX in 0..completions-1; the total is not in
// the pod's environment, so --shard-total gives it (and makes the index a source at all).
std::optional<ShardChoice> kubernetes_shard(std::optional<std::string_view> shard_total, const EnvironmentLookup& env) {
  if (!shard_total) return std::nullopt;
  const auto index = env("JOB_COMPLETION_INDEX");
  const std::string origin = assignment("JOB_COMPLETION_INDEX", index) + " --shard-total " + std::string(*shard_total);
  const auto n = parse_count(*shard_total);
  if (!n || *n == 0)
    throw InputError("--shard-total '" + std::string(*shard_total) +
                     "': expected the Indexed Job's completions, a decimal number >= 1");
  if (!index)
    throw InputError(origin + ": --shard-total shards a Kubernetes Indexed Job, whose pods have JOB_COMPLETION_INDEX "
                              "set: expected it set (or --shard I/N instead)");
  const auto i = parse_count(*index);
  if (!i || *i >= *n)
    throw InputError(origin + ": expected a decimal JOB_COMPLETION_INDEX < --shard-total (the Job's completions)");
  return ShardChoice{{*i, *n}, ShardSource::kubernetes, origin};
}

}  // namespace

std::string Shard::text() const { return std::to_string(index) + "/" + std::to_string(count); }

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

std::string_view shard_source_name(ShardSource s) {
  switch (s) {
    case ShardSource::none: return "";
    case ShardSource::option: return "--shard";
    case ShardSource::googletest: return "GTEST_SHARD_INDEX";
    case ShardSource::slurm: return "SLURM_ARRAY_TASK_ID";
    case ShardSource::kubernetes: return "JOB_COMPLETION_INDEX";
  }
  return "?";
}

std::string ShardChoice::describe() const {
  if (source == ShardSource::none) return "the whole suite";
  return "shard " + shard.text() + " (from " + origin + ")";
}

std::optional<std::string> process_environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

ShardChoice choose_shard(std::optional<std::string_view> option, std::optional<std::string_view> shard_total,
                         const EnvironmentLookup& environment) {
  std::vector<ShardChoice> given;
  if (option) given.push_back({parse_shard(*option), ShardSource::option, "--shard " + std::string(*option)});
  for (auto source : {googletest_shard(environment), slurm_shard(environment), kubernetes_shard(shard_total, environment)})
    if (source) given.push_back(*source);
  if (given.empty()) return {};
  for (const ShardChoice& other : given)
    if (!(other.shard == given.front().shard))
      throw InputError("the shard is given two ways: " + given.front().origin + " (shard " +
                       given.front().shard.text() + ") and " + other.origin + " (shard " + other.shard.text() +
                       "): expected one source; drop --shard or unset the variables");
  return given.front();
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

std::string empty_selection_reason(const std::string& suite_name, std::size_t suite_cases, const std::string& filter,
                                   std::size_t filtered, const ShardChoice& shard) {
  if (filtered == 0)
    return "the filter '" + filter + "' selects no case of suite " + suite_name + " (" + std::to_string(suite_cases) +
           " cases: fp8check list " + suite_name + " prints their ids)";
  return shard.describe() + " holds no case: the filter '" + filter + "' selects " + std::to_string(filtered) +
         " case(s) of suite " + suite_name + ", one per shard for the first " + std::to_string(filtered) +
         " shards (expected a shard count N <= " + std::to_string(filtered) + ")";
}

}  // namespace fp8check
