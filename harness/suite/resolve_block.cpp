// Applies an op's axis schema to one [[cases]] block. The suite module does not know what
// axes mean: validity is the schema's validators' business; this file decides only where
// each axis's values come from and reports what is wrong where it was written.
#include <algorithm>

#include "harness/suite/case_id.hpp"
#include "harness/suite/detail/suite_expansion.hpp"

namespace fp8check::detail {

namespace {

const AxisValues* find_values(const std::vector<AxisValues>& list, const std::string& axis) {
  for (const AxisValues& v : list)
    if (v.axis == axis) return &v;
  return nullptr;
}

// Exclude entries and override conditions: keys are axes of the op; values are concrete
// (the special value is expanded before they apply, so it would never match).
void check_match(const CaseMatch& match, const OpSchema& schema, const std::string& what) {
  for (const AxisValues& key : match.keys) {
    const AxisSpec* axis = schema.find_axis(key.axis);
    if (!axis)
      fail_at(key.key_at, what + " key '" + key.axis + "' is not an axis of op " + schema.op + " (expected one of: " +
                              schema.axis_names() + ")");
    for (std::size_t i = 0; i < key.values.size(); ++i) check_axis_value(*axis, key.values[i], key.value_at[i], false);
  }
}

void check_tolerance(const std::vector<ToleranceValue>& tolerance, const OpSchema& schema) {
  const auto& known = schema.tolerance_keys;
  for (const ToleranceValue& t : tolerance) {
    if (std::find(known.begin(), known.end(), t.key) != known.end()) continue;
    std::string expected;
    for (const std::string& k : known) expected += (expected.empty() ? "" : ", ") + k;
    fail_at(t.at, "tolerance key '" + t.key + "' is not one of op " + schema.op + "'s (expected " +
                      (expected.empty() ? std::string("none: op ") + schema.op + " takes no tolerance keys"
                                        : "one of: " + expected) +
                      ")");
  }
}

}  // namespace

void check_axis_value(const AxisSpec& axis, const std::string& value, const TextLocation& at, bool allow_expansion) {
  const std::string what = "axis '" + axis.name + "' value '" + value + "'";
  if (std::string problem = case_id_value_problem(value); !problem.empty())
    fail_at(at, what + " " + problem + " (expected only " + kCaseIdCharset + ", as values are part of case ids)");
  if (axis.expansion && value == axis.expansion->value) {
    if (allow_expansion) return;
    fail_at(at, what + " never matches: it is expanded before exclude and override apply (expected a concrete value)");
  }
  if (!axis.validate) return;
  try {
    axis.validate(value);
  } catch (const InputError& e) {
    fail_at(at, what + ": " + e.what());
  }
}

void check_defaults(const std::vector<AxisValues>& defaults, const AxisSchemaRegistry& registry) {
  for (const AxisValues& d : defaults)
    if (!registry.is_axis_of_any_op(d.axis))
      fail_at(d.key_at, "[defaults] key '" + d.axis + "' is not an axis of any op (expected one of: " +
                            registry.all_axis_names() + ")");
}

ResolvedBlock resolve_block(const CaseBlock& block, const std::vector<AxisValues>& defaults,
                            const AxisSchemaRegistry& registry) {
  const OpSchema* schema = registry.find(block.op);
  if (!schema) fail_at(block.op_at, "unknown op '" + block.op + "' (expected one of: " + registry.op_names() + ")");
  for (const AxisValues& given : block.axes)
    if (!schema->find_axis(given.axis))
      fail_at(given.key_at, "unknown key '" + given.axis + "' in a [[cases]] block of op " + schema->op +
                                " (expected op, exclude, tolerance, override or an axis of " + schema->op + ": " +
                                schema->axis_names() + ")");

  ResolvedBlock out{&block, schema, {}};
  for (const AxisSpec& axis : schema->axes) {
    const AxisValues* values = find_values(block.axes, axis.name);
    if (!values) values = find_values(defaults, axis.name);
    if (values) {
      out.axes.push_back(*values);
    } else if (axis.default_value) {
      out.axes.push_back({axis.name, block.at, {*axis.default_value}, {block.at}});
    } else {
      fail_at(block.at, "[[cases]] block of op " + schema->op + " has no '" + axis.name + "' (expected " + axis.name +
                            " = \"...\" in the block or in [defaults]; op " + schema->op + " requires it)");
    }
    const AxisValues& chosen = out.axes.back();
    for (std::size_t i = 0; i < chosen.values.size(); ++i)
      check_axis_value(axis, chosen.values[i], chosen.value_at[i], true);
  }
  for (const CaseMatch& e : block.excludes) check_match(e, *schema, "exclude");
  for (const CaseOverride& o : block.overrides) {
    check_match(o.when, *schema, "override when");
    check_tolerance(o.tolerance, *schema);
  }
  check_tolerance(block.tolerance, *schema);
  return out;
}

}  // namespace fp8check::detail
