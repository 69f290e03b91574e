// What a suite may say, per op: the ordered axes and the tolerance keys. The run module
// registers the real ops (it knows what "formats" or "shape" mean); the suite module only
// checks values through each axis's validator and builds ids from them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/suite/suite_spec.hpp"

namespace fp8check {

// An axis value replaced, once the rest of the case is known, by concrete values: e.g.
// config = "all" becomes every config the selector accepts for that case's problem.
struct AxisExpansion {
  std::string value;  // the special value, e.g. "all"; it bypasses the validator
  // Called with the case holding the special value (params and id set, tolerance not yet
  // applied). Returns the concrete values in the order the cases should run. May throw
  // InputError (e.g. the problem is unsupported); the loader adds the block's location.
  std::function<std::vector<std::string>(const CaseSpec&)> values_for;
};

struct AxisSpec {
  std::string name;                          // the TOML key, e.g. "formats"
  std::optional<std::string> default_value;  // absent: every block must give the axis
  // Throws InputError whose message says what is expected. Empty: any value allowed by the
  // case-id character set.
  std::function<void(const std::string&)> validate;
  std::string id_prefix;  // prepended to the value in case ids, e.g. "cfg:"
  std::optional<AxisExpansion> expansion;
  // An axis added after goldens existed: left out of the case id while it holds its
  // default, so the ids (golden keys, input seeds) of every existing case stay as they
  // were. Needs a default and an id prefix, which keeps an id unambiguous when it is
  // present (e.g. quantize's fault: "fault:no_saturation").
  bool id_omits_default = false;

  bool required() const { return !default_value.has_value(); }
};

struct OpSchema {
  std::string op;              // "gemm"
  std::vector<AxisSpec> axes;  // id order
  std::vector<std::string> tolerance_keys;  // keys [cases.tolerance] may set for this op

  const AxisSpec* find_axis(std::string_view name) const;  // nullptr if none
  std::string axis_names() const;                          // "formats, recipe, shape"
};

class AxisSchemaRegistry {
 public:
  // InternalError for a schema that could not give valid ids: a duplicate op or axis, an
  // axis named like a block key (op, exclude, tolerance, override), a name, prefix or
  // default outside the case-id character set, or a default its validator rejects.
  void add(OpSchema schema);

  const OpSchema* find(std::string_view op) const;  // nullptr if not registered
  bool is_axis_of_any_op(std::string_view axis) const;
  std::string op_names() const;        // "gemm, quantize" in registration order
  std::string all_axis_names() const;  // union over ops, first appearance order

 private:
  std::vector<OpSchema> ops_;
};

}  // namespace fp8check
