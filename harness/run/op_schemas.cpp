#include "harness/run/op_schemas.hpp"

#include "harness/configs/gemm_selector.hpp"
#include "harness/core/error.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/problem/gemm_desc.hpp"
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
  if (v == "auto" || v == "all") return;
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
  // config = "all": every config the selector keeps on the run's device, one case each.
  config.expansion = AxisExpansion{"all", [&device](const CaseSpec& c) {
    CaseParams params = c.params;
    for (auto& [name, value] : params)
      if (name == "config") value = "auto";
    const GemmCase g = GemmCase::from_params(params);
    const DeviceProfile& d = g.device == "suite" ? device : find_device_profile(g.device);
    std::vector<std::string> ids;
    if (!why_gemm_unsupported(g.desc, d).empty()) return std::vector<std::string>{"auto"};
    for (const ConfigCandidate& cand : select_gemm_configs(g.desc, d).candidates) ids.push_back(cand.config.id());
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
  return registry;
}

}  // namespace fp8check
