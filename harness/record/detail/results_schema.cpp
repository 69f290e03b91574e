#include "harness/record/detail/results_schema.hpp"

#include <cstdio>

#include "harness/core/error.hpp"
#include "harness/core/machine_memory.hpp"
#include "harness/record/results_file.hpp"

namespace fp8check::record::detail {

void malformed(const std::string& file, const std::string& what, const std::string& expected) {
  throw InputError(file + ": " + what + ": expected " + expected + " (fp8check results schema " +
                   std::to_string(kResultsSchemaVersion) + ", docs/results-format.md)");
}

std::string case_group_name(std::size_t i) {
  char name[24];
  std::snprintf(name, sizeof name, "%06zu", i);
  return name;
}

std::uint64_t max_output_elements() { return machine_memory_bytes() / 2 / sizeof(double); }

bool flag_attribute(const Hdf5Group& g, const std::string& file, const std::string& name) {
  const std::int64_t v = g.int_attribute(name);
  if (v != 0 && v != 1) malformed(file, g.path() + " attribute " + name + " is " + std::to_string(v), "0 or 1");
  return v == 1;
}

}  // namespace fp8check::record::detail
