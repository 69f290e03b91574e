#include "harness/run/op_schemas.hpp"

#include "harness/configs/attention_selector.hpp"
#include <algorithm>
#include <tuple>

#include "harness/configs/gemm_selector.hpp"
#include "harness/core/error.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/problem/gemm_desc.hpp"
#include "harness/run/attention_case.hpp"
#include "harness/run/backend.hpp"
#include "harness/run/gemm_case.hpp"
#include "harness/run/quantize_case.hpp"
#include "kernels/emulated/accumulation_model.hpp"
#include "kernels/emulated/gemm_fault.hpp"

namespace fp8check {
namespace {

AxisSpec axis(std::string name, std::optional<std::string> def, std::function<void(const std::string&)> validate,
              std::string prefix = "") {
  AxisSpec a;
  a.name = std::move(name);
  a.default_value = std::move(def);
  a.validate = std::move(validate);
  a.id_prefix = std::move(prefix);
  return a;
}

void validate_backend(const std::string& v) { make_backend(v); }

void validate_config(const std::string& v) {
  if (v == "auto" || v == "orders") return;
  parse_gemm_config(v);
}

}  // namespace

AxisSchemaRegistry builtin_op_schemas(const DeviceProfile& device) {
  AxisSchemaRegistry registry;
  OpSchema gemm;
  gemm.op = "gemm";
  gemm.axes.push_back(axis("formats", "e4m3fn.e4m3fn", validate_gemm_formats));
  gemm.axes.push_back(axis("recipe", "vec128.blk128x128", validate_gemm_recipe));
  gemm.axes.push_back(axis("shape", std::nullopt, validate_gemm_shape));
  gemm.axes.push_back(axis("layout", "TN", validate_gemm_layout));
  gemm.axes.push_back(axis("output", "bf16", [](const std::string& v) { parse_output_type(v); }));
  gemm.axes.push_back(axis("distribution", "normal", [](const std::string& v) { parse_distribution(v); }));
  gemm.axes.push_back(axis("accumulation", "fp32", [](const std::string& v) { parse_accumulation_model(v); }));
  gemm.axes.push_back(axis("epilogue", "plain", validate_gemm_epilogue));
  gemm.axes.push_back(axis("fault", "none", [](const std::string& v) { parse_gemm_fault(v); }));
  AxisSpec config = axis("config", "auto", validate_config, "cfg:");
  // config = "orders": one config per distinct accumulation order (block_k, split_k,
  // reduction) among those the selector keeps on the case's device, the best-ranked of
  // each. Configs that differ only in block_m/block_n/stages/cluster give identical bits
  // (tests/gemm_emulated_test.cpp proves it), so this is the sweep whose results can differ.
  config.expansion = AxisExpansion{"orders", [&device](const CaseSpec& c) {
    CaseParams params = c.params;
    for (auto& [name, value] : params)
      if (name == "config") value = "auto";
    const GemmCase g = GemmCase::from_params(params);
    const DeviceProfile& d = g.device == "suite" ? device : find_device_profile(g.device);
    std::vector<std::string> ids;
    if (!why_gemm_unsupported(g.desc, d).empty()) return std::vector<std::string>{"auto"};
    std::vector<std::tuple<int, int, SplitKReduction>> seen;
    for (const ConfigCandidate& cand : select_gemm_configs(g.desc, d).candidates) {
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
  gemm.axes.push_back(std::move(config));
  gemm.axes.push_back(axis("device", "suite", [](const std::string& v) {
    if (v != "suite") find_device_profile(v);
  }, "dev:"));
  gemm.axes.push_back(axis("backend", "emulated", validate_backend));
  gemm.tolerance_keys = {"max_over_bound", "baseline_ratio", "rtol", "atol", "require_allclose", "max_relative_frobenius"};
  registry.add(std::move(gemm));

  OpSchema q;
  q.op = "quantize";
  q.axes.push_back(axis("format", "e4m3fn", [](const std::string& v) { parse_element_type(v); }));
  q.axes.push_back(axis("recipe", "tensor", [](const std::string& v) { parse_recipe(v); }));
  q.axes.push_back(axis("shape", std::nullopt, validate_quantize_shape));
  q.axes.push_back(axis("distribution", "normal", [](const std::string& v) { parse_distribution(v); }));
  q.axes.push_back(axis("backend", "emulated", validate_backend));
  q.tolerance_keys = {"max_over_bound"};
  registry.add(std::move(q));

  OpSchema attn;  // harness/run/attention_case.hpp
  attn.op = "attention";
  attn.axes.push_back(axis("formats", "e4m3fn.e4m3fn", validate_attention_formats));
  attn.axes.push_back(axis("shape", std::nullopt, validate_attention_shape));
  attn.axes.push_back(axis("p", "e4m3", [](const std::string& v) { parse_p_handling(v); }, "p:"));
  attn.axes.push_back(axis("scaling", "tensor", validate_attention_scaling));
  attn.axes.push_back(axis("logit_scale", "1", validate_attention_logit_scale, "ls:"));
  attn.axes.push_back(axis("output", "bf16", validate_attention_output));
  attn.axes.push_back(axis("distribution", "normal", [](const std::string& v) { parse_distribution(v); }));
  attn.axes.push_back(axis("fault", "none", [](const std::string& v) { parse_attention_fault(v); }));
  AxisSpec attn_config = axis("config", "auto", [](const std::string& v) {
    if (v != "auto" && v != "all") parse_attention_config(v);
  }, "cfg:");
  attn_config.expansion = AxisExpansion{"all", [&device](const CaseSpec& c) {
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
  attn.axes.push_back(std::move(attn_config));
  attn.axes.push_back(axis("device", "suite", [](const std::string& v) {
    if (v != "suite") find_device_profile(v);
  }, "dev:"));
  attn.axes.push_back(axis("backend", "emulated", validate_backend));
  attn.tolerance_keys = {"max_over_bound", "baseline_ratio", "rtol", "atol", "require_allclose", "max_relative_frobenius"};
  registry.add(std::move(attn));
  return registry;
}

}  // namespace fp8check
