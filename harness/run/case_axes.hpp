// An op's axes as one table: the name a suite uses (in case-id order), the default, the
// validator, the id prefix and what the axis means. The op's parser reads a case's values
// through AxisValues and the suite schema is built from the same table (axis_specs), so an
// axis is spelled out once, in its op's *_case.cpp.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/suite/axis_schema.hpp"

namespace fp8check {

using CaseParams = std::vector<std::pair<std::string, std::string>>;

struct CaseAxis {
  std::string_view name;
  const char* default_value = nullptr;  // nullptr: every case must give it
  void (*validate)(const std::string& value) = nullptr;  // InputError saying what is expected
  std::string_view meaning;  // one line: what the values are, with an example
  std::string_view id_prefix = {};
};

// One case's values, defaults filled in.
class AxisValues {
 public:
  // InputError for an axis not in `axes`, or a required one missing.
  AxisValues(std::span<const CaseAxis> axes, const CaseParams& params, std::string_view op);
  // The value of a table axis (InternalError for a name not in the table).
  const std::string& operator[](std::string_view axis) const;

 private:
  std::vector<std::pair<std::string_view, std::string>> values_;
};

// Validators of the axes every op has.
void validate_backend_name(const std::string& v);  // a registered backend
void validate_device_name(const std::string& v);   // "suite" or a device profile

// The suite module's view of the same table (no expansions: the op adds those).
std::vector<AxisSpec> axis_specs(std::span<const CaseAxis> axes);

}  // namespace fp8check
