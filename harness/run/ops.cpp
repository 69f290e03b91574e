#include "harness/run/ops.hpp"

#include <algorithm>
#include <tuple>

#include "harness/configs/attention_selector.hpp"
#include "harness/configs/gemm_selector.hpp"
#include "harness/core/error.hpp"
#include "harness/run/attention_case.hpp"
#include "harness/run/gemm_case.hpp"
#include "harness/run/quantize_case.hpp"

namespace fp8check {

namespace {

AxisSpec& axis(OpSchema& s, std::string_view name) {
  for (AxisSpec& a : s.axes)
    if (a.name == name) return a;
  throw InternalError("op " + s.op + " has no axis " + std::string(name));
}

const char* const kJudgedTolerances[] = {"max_over_bound", "baseline_ratio", "rtol", "atol", "require_allclose",
                                         "max_relative_frobenius"};

OpSchema gemm_schema(const DeviceProfile& device) {
  OpSchema s{"gemm", axis_specs(gemm_axes()), {std::begin(kJudgedTolerances), std::end(kJudgedTolerances)}};
  // config = "orders": one config per distinct accumulation order (block_k, split_k,
  // reduction) among those the selector keeps on the case's device, the best-ranked of
  // each. Configs that differ only in block_m/block_n/stages/cluster give identical bits
  // (tests/gemm_emulated_test.cpp proves it), so this is the sweep whose results can differ.
  axis(s, "config").expansion = AxisExpansion{"orders", [&device](const CaseSpec& c) {
    CaseParams params = c.params;
    for (auto& [name, value] : params)
      if (name == "config") value = "auto";
    const GemmCase g = GemmCase::from_params(params);
    const DeviceProfile& d = g.device == "suite" ? device : find_device_profile(g.device);
    std::vector<std::string> ids;
    if (!why_gemm_unsupported(g.desc, d, g.kernel_family()).empty()) return std::vector<std::string>{"auto"};
    std::vector<std::tuple<int, int, SplitKReduction>> seen;
    for (const ConfigCandidate& cand : select_gemm_configs(g.desc, d, g.kernel_family()).candidates) {
      const auto order = std::make_tuple(cand.config.block_k, cand.config.split_k, cand.config.reduction);
      if (std::find(seen.begin(), seen.end(), order) != seen.end()) continue;
      seen.push_back(order);
      ids.push_back(cand.config.id());
      if (cand.config.split_k > 1 && cand.config.reduction == SplitKReduction::sequential) {
        GemmConfig tree = cand.config;  // the other reduction order of the same slices
        tree.reduction = SplitKReduction::tree;
        if (evaluate_gemm_config(g.desc, d, tree).fits) {
          seen.push_back(std::make_tuple(tree.block_k, tree.split_k, tree.reduction));
          ids.push_back(tree.id());
        }
      }
    }
    return ids;
  }};
  return s;
}

OpSchema quantize_schema(const DeviceProfile&) { return {"quantize", axis_specs(quantize_axes()), {"max_over_bound"}}; }

OpSchema attention_schema(const DeviceProfile& device) {
  OpSchema s{"attention", axis_specs(attention_axes()), {std::begin(kJudgedTolerances), std::end(kJudgedTolerances)}};
  axis(s, "config").expansion = AxisExpansion{"all", [&device](const CaseSpec& c) {
    CaseParams params = c.params;
    for (auto& [name, value] : params)
      if (name == "config") value = "auto";
    const AttentionCase a = AttentionCase::from_params(params);
    const DeviceProfile& d = a.device == "suite" ? device : find_device_profile(a.device);
    if (!why_attention_unsupported(a.desc, d).empty()) return std::vector<std::string>{"auto"};
    std::vector<std::string> ids;
    for (const AttentionCandidate& cand : select_attention_configs(a.desc, d).candidates) ids.push_back(cand.config.id());
    return ids;
  }};
  return s;
}

constexpr OpDefinition kOps[] = {
    {"gemm", gemm_schema, run_gemm_case},
    {"quantize", quantize_schema, run_quantize_case},
    {"attention", attention_schema, run_attention_case},
};

}  // namespace

std::span<const OpDefinition> op_definitions() { return kOps; }

const OpDefinition& find_op(std::string_view name) {
  for (const OpDefinition& op : kOps)
    if (op.name == name) return op;
  throw InputError("unknown op '" + std::string(name) + "': expected gemm, quantize or attention");
}

AxisSchemaRegistry builtin_op_schemas(const DeviceProfile& device) {
  AxisSchemaRegistry registry;
  for (const OpDefinition& op : kOps) registry.add(op.schema(device));
  return registry;
}

}  // namespace fp8check
