#include "harness/run/case_axes.hpp"

#include <algorithm>

#include "harness/configs/device_profile.hpp"
#include "harness/core/error.hpp"
#include "harness/run/backend_registry.hpp"

namespace fp8check {

AxisValues::AxisValues(std::span<const CaseAxis> axes, const CaseParams& params, std::string_view op) {
  for (const CaseAxis& a : axes) values_.emplace_back(a.name, a.default_value ? a.default_value : "");
  for (const auto& entry : params) {
    const std::string& axis = entry.first;  // a named variable: clang 14 cannot capture a structured binding
    const auto it = std::find_if(values_.begin(), values_.end(), [&](const auto& v) { return v.first == axis; });
    if (it == values_.end()) {
      std::string names;
      for (const CaseAxis& a : axes) names += (names.empty() ? "" : ", ") + std::string(a.name);
      throw InputError("unknown " + std::string(op) + " axis '" + axis + "' (axes: " + names + ")");
    }
    it->second = entry.second;
  }
  for (std::size_t i = 0; i < axes.size(); ++i)
    if (!axes[i].default_value && values_[i].second.empty())
      throw InputError("a " + std::string(op) + " case needs a " + std::string(axes[i].name) + ": " +
                       std::string(axes[i].meaning));
}

const std::string& AxisValues::operator[](std::string_view axis) const {
  for (const auto& [name, value] : values_)
    if (name == axis) return value;
  throw InternalError("axis '" + std::string(axis) + "' is not in the op's table");
}

void validate_backend_name(const std::string& v) {
  const std::vector<std::string> names = backend_names();
  if (std::find(names.begin(), names.end(), v) != names.end()) return;
  make_backend(v);  // throws, listing the names
}

void validate_device_name(const std::string& v) {
  if (v != "suite") find_device_profile(v);
}

std::vector<AxisSpec> axis_specs(std::span<const CaseAxis> axes) {
  std::vector<AxisSpec> specs;
  for (const CaseAxis& a : axes) {
    AxisSpec s;
    s.name = a.name;
    if (a.default_value) s.default_value = a.default_value;
    if (a.validate) s.validate = a.validate;
    s.id_prefix = a.id_prefix;
    s.id_omits_default = a.id_omits_default;
    specs.push_back(std::move(s));
  }
  return specs;
}

}  // namespace fp8check
