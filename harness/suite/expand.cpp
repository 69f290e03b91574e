// Expands resolved blocks into cases (docs/suites.md, "Expansion"). Order is part of the
// format: blocks in file order; within a block the cartesian product in schema axis order
// with the LAST axis varying fastest (nested loops written in id order), each axis's
// values in the order written; a special value (e.g. config = "all") is replaced in place
// by the callback's values, in the callback's order.
#include <map>

#include "harness/suite/case_id.hpp"
#include "harness/suite/detail/suite_expansion.hpp"

namespace fp8check::detail {

namespace {

bool matches(const CaseMatch& match, const CaseSpec& c) {
  for (const AxisValues& key : match.keys) {
    const std::string& value = c.param(key.axis);
    bool any = false;
    for (const std::string& v : key.values) any = any || v == value;
    if (!any) return false;
  }
  return true;
}

bool excluded(const CaseBlock& block, const CaseSpec& c) {
  for (const CaseMatch& e : block.excludes)
    if (matches(e, c)) return true;
  return false;
}

// A case before expansion remembers which written value each axis took, so a special
// value's expansion can report the place it was written.
struct PendingCase {
  CaseSpec spec;
  std::vector<std::size_t> value_index;  // per schema axis
};

std::vector<PendingCase> cartesian_product(const ResolvedBlock& rb, std::size_t block_index) {
  const std::size_t n_axes = rb.axes.size();
  std::vector<PendingCase> out;
  std::vector<std::size_t> odometer(n_axes, 0);
  for (;;) {
    PendingCase p;
    p.spec.op = rb.schema->op;
    p.spec.source = rb.block->at.file_line();
    p.spec.block_index = block_index;
    for (std::size_t a = 0; a < n_axes; ++a)
      p.spec.params.emplace_back(rb.axes[a].axis, rb.axes[a].values[odometer[a]]);
    p.spec.id = make_case_id(*rb.schema, p.spec.params);
    p.value_index = odometer;
    out.push_back(std::move(p));
    std::size_t a = n_axes;
    while (a > 0 && ++odometer[a - 1] == rb.axes[a - 1].values.size()) odometer[--a] = 0;
    if (a == 0) return out;
  }
}

// Replaces the special value of axis `a` in each case by the callback's values.
std::vector<PendingCase> expand_axis(const ResolvedBlock& rb, std::size_t a, std::vector<PendingCase> cases) {
  const AxisSpec& axis = rb.schema->axes[a];
  std::vector<PendingCase> out;
  for (PendingCase& p : cases) {
    if (p.spec.params[a].second != axis.expansion->value) {
      out.push_back(std::move(p));
      continue;
    }
    const TextLocation& at = rb.axes[a].value_at[p.value_index[a]];
    const std::string what = "axis '" + axis.name + "' value '" + axis.expansion->value + "' of case " + p.spec.id;
    std::vector<std::string> values;
    try {
      values = axis.expansion->values_for(p.spec);
    } catch (const InputError& e) {
      fail_at(at, what + ": " + e.what());
    }
    if (values.empty()) fail_at(at, what + " expands to no values (expected at least one " + axis.name + ")");
    for (const std::string& v : values) {
      check_axis_value(axis, v, at, false);
      PendingCase q = p;
      q.spec.params[a].second = v;
      q.spec.id = make_case_id(*rb.schema, q.spec.params);
      out.push_back(std::move(q));
    }
  }
  return out;
}

}  // namespace

std::vector<CaseSpec> expand_block(const ResolvedBlock& rb, std::size_t block_index) {
  const CaseBlock& block = *rb.block;
  std::vector<PendingCase> pending = cartesian_product(rb, block_index);
  const std::size_t written = pending.size();
  // Excludes apply before expansion too, so the callback never sees an excluded case (it
  // may reject its problem). An entry naming an axis that still holds the special value
  // cannot match yet (check_axis_value keeps special values out of excludes) and is
  // decided after expansion.
  std::erase_if(pending, [&](const PendingCase& p) { return excluded(block, p.spec); });
  for (std::size_t a = 0; a < rb.schema->axes.size(); ++a)
    if (rb.schema->axes[a].expansion) pending = expand_axis(rb, a, std::move(pending));

  std::vector<CaseSpec> out;
  for (PendingCase& p : pending) {
    if (excluded(block, p.spec)) continue;
    for (const ToleranceValue& t : block.tolerance) p.spec.tolerance[t.key] = t.value;
    p.spec.seed_bug = block.seed_bug;
    for (const CaseOverride& o : block.overrides)  // in file order: a later override wins
      if (matches(o.when, p.spec))
        for (const ToleranceValue& t : o.tolerance) p.spec.tolerance[t.key] = t.value;
    out.push_back(std::move(p.spec));
  }
  if (out.empty())
    fail_at(block.at, "[[cases]] block of op " + rb.schema->op + " expands to no cases: exclude drops all " +
                          std::to_string(written) +
                          " combinations of its values (expected at least one case; narrow or remove an exclude)");
  return out;
}

std::vector<CaseSpec> expand_suite(const SuiteDocument& doc, const AxisSchemaRegistry& registry) {
  check_defaults(doc.defaults, registry);
  std::vector<CaseSpec> cases;
  std::map<std::string, std::size_t, std::less<>> block_of_id;
  for (std::size_t b = 0; b < doc.blocks.size(); ++b) {
    for (CaseSpec& c : expand_block(resolve_block(doc.blocks[b], doc.defaults, registry), b)) {
      const auto [it, inserted] = block_of_id.emplace(c.id, b);
      // Within a block, written values are distinct and cannot contain '/', so only an
      // expansion repeating a value can collide.
      if (!inserted && it->second == b)
        fail_at(doc.blocks[b].at, "case id " + c.id + " is produced twice by this block (expected each case once; " +
                                      "an expanded value repeats a value the block lists)");
      if (!inserted)
        fail_at(doc.blocks[b].at, "case id " + c.id + " is produced twice: by this block and by the block at " +
                                      doc.blocks[it->second].at.str() +
                                      " (expected each case once; remove a value or add an exclude)");
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

}  // namespace fp8check::detail
