// Loads a suite file (docs/suites.md) into its cases. The registry says which ops and axes
// exist; everything wrong in the file is an InputError "file:line:col: ... (expected ...)".
#pragma once

#include <filesystem>

#include "harness/suite/axis_schema.hpp"
#include "harness/suite/suite_spec.hpp"

namespace fp8check {

SuiteSpec load_suite(const std::filesystem::path& file, const AxisSchemaRegistry& registry);

}  // namespace fp8check
