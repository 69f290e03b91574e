// The ops a suite may name. Each is defined once: its axes table (in its *_case.cpp:
// names, defaults, validators, meanings), the expansions of special config values, the
// tolerance keys it honours, and its pipeline. The suite module knows nothing about what
// axes mean; this registry gives them meaning, and run_case dispatches through it.
#pragma once

#include <span>
#include <string_view>

#include "harness/configs/device_profile.hpp"
#include "harness/run/run_case.hpp"
#include "harness/suite/axis_schema.hpp"

namespace fp8check {

struct OpDefinition {
  std::string_view name;  // "gemm", "quantize", "attention"
  // The suite schema. `device`: the profile that config = "orders" (GEMM) and "all"
  // (attention) expand against unless a case names its own; it must outlive the schema.
  OpSchema (*schema)(const DeviceProfile& device);
  void (*run)(const CaseInput& input, const RunContext& ctx, CaseResult& result);
};

std::span<const OpDefinition> op_definitions();
const OpDefinition& find_op(std::string_view name);  // InputError listing the ops

// Every op's schema, for loading suites.
AxisSchemaRegistry builtin_op_schemas(const DeviceProfile& device);

}  // namespace fp8check
