// The ops a suite may name, with their axes, defaults and validators. The suite module
// knows nothing about what axes mean; this is where they get meaning.
#pragma once

#include "harness/configs/device_profile.hpp"
#include "harness/suite/axis_schema.hpp"

namespace fp8check {

// `device`: the profile that config = "orders" (GEMM) and "all" (attention) expand
// against, unless a case names its own device; it must outlive the registry.
AxisSchemaRegistry builtin_op_schemas(const DeviceProfile& device);

}  // namespace fp8check
