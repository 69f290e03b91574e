#include "harness/suite/suite_spec.hpp"

#include "harness/core/error.hpp"

namespace fp8check {

const std::string& CaseSpec::param(std::string_view axis) const {
  for (const auto& [name, value] : params)
    if (name == axis) return value;
  throw InternalError("case " + id + " has no axis '" + std::string(axis) + "'");
}

}  // namespace fp8check
