// A suite file as written, before the axis schemas are applied: what suite_toml.cpp reads
// and resolve_block.cpp / expand.cpp interpret. Every item keeps where it was written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/suite/text_location.hpp"

namespace fp8check::detail {

// `key = "v"` or `key = ["v1", "v2"]`: an axis, or one key of an exclude / when entry.
struct AxisValues {
  std::string axis;
  TextLocation key_at;
  std::vector<std::string> values;    // as written, in order; never empty
  std::vector<TextLocation> value_at;  // one per value
};

// One exclude entry or one override's `when`: matches a case when every key matches
// (the case's value is one of the listed values).
struct CaseMatch {
  TextLocation at;
  std::vector<AxisValues> keys;  // never empty
};

struct ToleranceValue {
  std::string key;
  TextLocation at;
  double value = 0;
};

struct CaseOverride {
  TextLocation at;
  CaseMatch when;
  std::vector<ToleranceValue> tolerance;
};

struct CaseBlock {
  TextLocation at;  // the [[cases]] header
  std::string op;
  TextLocation op_at;
  std::vector<AxisValues> axes;  // every key that is not op / exclude / tolerance / override
  std::vector<CaseMatch> excludes;
  std::vector<ToleranceValue> tolerance;
  std::vector<CaseOverride> overrides;
  std::string seed_bug;  // optional: the public bug this block replays (reports explain it)
};

struct SuiteDocument {
  std::string name;
  TextLocation name_at;
  std::string description;
  std::uint64_t seed = 0;
  std::string device;
  std::vector<AxisValues> defaults;
  std::vector<CaseBlock> blocks;
};

// Parses TOML `bytes` (file: the path for messages) and checks the document's structure:
// known top-level tables, [suite] keys and types, value types of axes, exclude, tolerance
// and override. Knows nothing of ops or axes. InputError with file:line:col.
SuiteDocument read_suite_document(std::string_view bytes, const std::string& file);

}  // namespace fp8check::detail
