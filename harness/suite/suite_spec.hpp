// A loaded suite: its header and its cases, fully expanded (docs/suites.md).
// The suite module does not know what the axes mean; the run module interprets params.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fp8check {

struct CaseSpec {
  // "op/value1/value2/..." in schema axis order, each value with its axis's id prefix:
  // the golden key, the filter target and the report row.
  std::string id;
  std::string op;
  // Every axis of the op's schema, in schema order: the value the block gave, else the
  // [defaults] value, else the schema default.
  std::vector<std::pair<std::string, std::string>> params;
  // Numeric overrides from the block's [cases.tolerance], then matching [[cases.override]]s.
  std::map<std::string, double> tolerance;
  std::string source;           // "suites/smoke.toml:12", the block's [[cases]] header
  std::size_t block_index = 0;
  std::string seed_bug;  // the block's `seed_bug` text: the public bug the case replays, or ""  // 0-based position of the block in the file

  // The value of an axis; InternalError when the op's schema has no such axis.
  const std::string& param(std::string_view axis) const;
};

struct SuiteSpec {
  std::string name;  // equals the file name's stem
  std::string description;
  std::uint64_t seed = 0;  // the suite seed (docs/inputs.md); the run may override it
  std::string device;      // device profile for config selection; empty: the run's default
  std::string file;        // the path as given to load_suite
  std::string sha256;      // lowercase hex digest of the file's bytes, as parsed
  std::vector<CaseSpec> cases;  // expansion order (docs/suites.md, "Order")
};

}  // namespace fp8check
