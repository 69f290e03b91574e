#include "harness/suite/axis_schema.hpp"

#include <algorithm>

#include "harness/core/error.hpp"
#include "harness/suite/case_id.hpp"

namespace fp8check {

namespace {

// Keys a [[cases]] block uses for itself; an axis cannot share them.
constexpr std::string_view kBlockKeys[] = {"op", "exclude", "tolerance", "override", "seed_bug"};

void require_id_text(const std::string& what, const std::string& text, bool may_be_empty) {
  if (may_be_empty && text.empty()) return;
  if (std::string problem = case_id_value_problem(text); !problem.empty())
    throw InternalError(what + " '" + text + "' " + problem + " (expected " + kCaseIdCharset + ")");
}

void check_axis(const OpSchema& schema, const AxisSpec& axis) {
  const std::string where = "op " + schema.op + " axis '" + axis.name + "'";
  require_id_text("axis name of op " + schema.op, axis.name, false);
  if (std::find(std::begin(kBlockKeys), std::end(kBlockKeys), axis.name) != std::end(kBlockKeys))
    throw InternalError(where + " is named like a [[cases]] key (op, exclude, tolerance, override, seed_bug)");
  require_id_text(where + " id prefix", axis.id_prefix, true);
  if (axis.expansion) {
    if (!axis.expansion->values_for) throw InternalError(where + " is expandable without a callback");
    require_id_text(where + " expansion value", axis.expansion->value, false);
  }
  if (axis.id_omits_default && (!axis.default_value || axis.id_prefix.empty()))
    throw InternalError(where + " is left out of ids at its default: it needs a default and an id prefix");
  if (!axis.default_value) return;
  require_id_text(where + " default", *axis.default_value, false);
  const bool special = axis.expansion && axis.expansion->value == *axis.default_value;
  if (special || !axis.validate) return;
  try {
    axis.validate(*axis.default_value);
  } catch (const InputError& e) {
    throw InternalError(where + " default '" + *axis.default_value + "' fails its own validator: " + e.what());
  }
}

}  // namespace

const AxisSpec* OpSchema::find_axis(std::string_view name) const {
  for (const AxisSpec& a : axes)
    if (a.name == name) return &a;
  return nullptr;
}

std::string OpSchema::axis_names() const {
  std::string out;
  for (const AxisSpec& a : axes) out += (out.empty() ? "" : ", ") + a.name;
  return out;
}

void AxisSchemaRegistry::add(OpSchema schema) {
  require_id_text("op name", schema.op, false);
  if (find(schema.op)) throw InternalError("op " + schema.op + " is registered twice");
  if (schema.axes.empty()) throw InternalError("op " + schema.op + " has no axes");
  for (std::size_t i = 0; i < schema.axes.size(); ++i) {
    check_axis(schema, schema.axes[i]);
    for (std::size_t j = 0; j < i; ++j)
      if (schema.axes[j].name == schema.axes[i].name)
        throw InternalError("op " + schema.op + " declares axis '" + schema.axes[i].name + "' twice");
  }
  ops_.push_back(std::move(schema));
}

const OpSchema* AxisSchemaRegistry::find(std::string_view op) const {
  for (const OpSchema& s : ops_)
    if (s.op == op) return &s;
  return nullptr;
}

bool AxisSchemaRegistry::is_axis_of_any_op(std::string_view axis) const {
  return std::any_of(ops_.begin(), ops_.end(), [&](const OpSchema& s) { return s.find_axis(axis) != nullptr; });
}

std::string AxisSchemaRegistry::op_names() const {
  std::string out;
  for (const OpSchema& s : ops_) out += (out.empty() ? "" : ", ") + s.op;
  return out;
}

std::string AxisSchemaRegistry::all_axis_names() const {
  std::vector<std::string> seen;
  for (const OpSchema& s : ops_)
    for (const AxisSpec& a : s.axes)
      if (std::find(seen.begin(), seen.end(), a.name) == seen.end()) seen.push_back(a.name);
  std::string out;
  for (const std::string& name : seen) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace fp8check
