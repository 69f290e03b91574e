#include "harness/record/results_merge.hpp"

#include <algorithm>
#include <map>

#include "harness/core/error.hpp"
#include "harness/record/detail/run_metadata_fields.hpp"
#include "harness/suite/shard.hpp"

namespace fp8check::record {
namespace {

// Each input's shard "i/n" (0 <= i < n, suite/shard.hpp: one numbering everywhere).
Shard input_shard(const ResultsFile& f) {
  try {
    return parse_shard(f.metadata.shard);
  } catch (const InputError&) {
    throw InputError(f.path + ": shard '" + f.metadata.shard +
                     "': expected i/n with 0 <= i < n (every input a shard of one run, as run --shard writes)");
  }
}

std::string count_text(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : "(not recorded)"; }

void check_same_run(const ResultsFile& first, const ResultsFile& other) {
  for (const detail::RunMetadataField& f : detail::kRunMetadataFields)
    if (f.same_in_every_shard && first.metadata.*f.member != other.metadata.*f.member)
      throw InputError(other.path + ": " + f.name + " '" + other.metadata.*f.member + "' differs from '" +
                       first.metadata.*f.member + "' in " + first.path + ": expected shards of one run");
  if (first.metadata.suite_case_count != other.metadata.suite_case_count)
    throw InputError(other.path + ": suite_case_count " + count_text(other.metadata.suite_case_count) +
                     " differs from " + count_text(first.metadata.suite_case_count) + " in " + first.path +
                     ": expected shards of one run");
  if (first.metadata.seed != other.metadata.seed)
    throw InputError(other.path + ": seed " + std::to_string(other.metadata.seed) + " differs from " +
                     std::to_string(first.metadata.seed) + " in " + first.path + ": expected shards of one run");
}

// "" when every one of the n shards is present, else "i+j/n" and a note.
std::string merged_shard(const std::vector<ResultsFile>& inputs, std::vector<std::string>& notes) {
  if (std::all_of(inputs.begin(), inputs.end(), [](const ResultsFile& f) { return f.metadata.shard.empty(); }))
    return "";
  std::map<std::size_t, const ResultsFile*> by_index;
  std::size_t count = 0;
  for (const ResultsFile& f : inputs) {
    const Shard s = input_shard(f);
    if (count != 0 && s.count != count)
      throw InputError(f.path + ": shard " + f.metadata.shard + " of a run in " + std::to_string(s.count) +
                       " shards, others are of " + std::to_string(count) + ": expected shards of one run");
    count = s.count;
    if (const auto [it, added] = by_index.emplace(s.index, &f); !added)
      throw InputError(f.path + ": shard " + f.metadata.shard + " is also " + it->second->path +
                       ": expected each shard once");
  }
  if (by_index.size() == count) return "";
  std::string present, missing;
  for (std::size_t i = 0; i < count; ++i) {
    if (by_index.contains(i)) present += (present.empty() ? "" : "+") + std::to_string(i);
    else missing += (missing.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(count);
  }
  notes.push_back("missing shards " + missing + ": the merged run is partial");
  return present + "/" + std::to_string(count);
}

// The distinct non-empty values of one metadata field over the inputs, in input order,
// `separator`-joined: the sources that chose the shards, the hosts, the BLAS of each.
std::string distinct_values(const std::vector<ResultsFile>& inputs, std::string RunMetadata::*field,
                            const char* separator = ", ") {
  std::vector<std::string> values;
  for (const ResultsFile& f : inputs)
    if (!(f.metadata.*field).empty() && std::find(values.begin(), values.end(), f.metadata.*field) == values.end())
      values.push_back(f.metadata.*field);
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : separator) + v;
  return out;
}

}  // namespace

MergedResults merge_results(std::vector<ResultsFile> inputs) {
  if (inputs.empty()) throw InputError("nothing to merge: expected one or more results files");
  for (const ResultsFile& f : inputs) check_same_run(inputs.front(), f);
  MergedResults out;
  out.metadata = inputs.front().metadata;
  out.metadata.shard = merged_shard(inputs, out.notes);
  out.metadata.shard_source = distinct_values(inputs, &RunMetadata::shard_source);
  out.metadata.host = distinct_values(inputs, &RunMetadata::host);
  for (std::string RunMetadata::*field : {&RunMetadata::blas, &RunMetadata::blas_core, &RunMetadata::blas_threads})
    out.metadata.*field = distinct_values(inputs, field);
  out.metadata.blas_warning = distinct_values(inputs, &RunMetadata::blas_warning, "; ");
  std::map<std::string, const std::string*> origin;  // case id -> file
  for (ResultsFile& f : inputs) {
    out.metadata.started_at = std::min(out.metadata.started_at, f.metadata.started_at);
    out.regenerate += (out.regenerate.empty() ? "" : "; ") + f.regenerate;
    for (CaseResult& c : f.cases) {
      if (const auto [it, added] = origin.emplace(c.id, &f.path); !added)
        throw InputError("case '" + c.id + "' is in both " + *it->second + " and " + f.path +
                         ": expected each case in one shard");
      out.cases.push_back(std::move(c));
    }
  }
  std::sort(out.cases.begin(), out.cases.end(), [](const CaseResult& a, const CaseResult& b) { return a.id < b.id; });
  return out;
}

}  // namespace fp8check::record
