// Running one case through run_case in a test: its input with an id naming every axis, a
// context on the sm_90 profile, and a check looked up by name.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "harness/configs/device_profile.hpp"
#include "harness/record/case_result.hpp"
#include "harness/run/run_case.hpp"

namespace fp8check::test {

// The case `op` with `params`; its id "op/axis=value/..." keys its inputs.
inline CaseInput case_input(const std::string& op, CaseParams params) {
  CaseInput in;
  in.op = op;
  in.params = std::move(params);
  in.id = op;
  for (const auto& [axis, value] : in.params) in.id += "/" + axis + "=" + value;
  return in;
}

// A run on the sm_90 device profile with `seed`.
inline RunContext sm90_context(std::uint64_t seed = 20261202) {
  RunContext ctx;
  ctx.seed = seed;
  ctx.device = &find_device_profile("sm_90");
  return ctx;
}

// The check named `name` of a result, or nullptr.
inline const Check* find_check(const CaseResult& r, std::string_view name) {
  for (const Check& c : r.checks)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace fp8check::test
