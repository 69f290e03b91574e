// From a SuiteDocument to cases: resolve_block.cpp applies the op's axis schema to a block
// (known op and axes, validated values, [defaults] and schema defaults), expand.cpp builds
// the cartesian product, expands special values, applies excludes and overrides, and
// checks that case ids are unique.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/suite/axis_schema.hpp"
#include "harness/suite/detail/suite_document.hpp"
#include "harness/suite/suite_spec.hpp"

namespace fp8check::detail {

struct ResolvedBlock {
  const CaseBlock* block = nullptr;
  const OpSchema* schema = nullptr;
  // One per schema axis, in schema order: from the block, else [defaults], else the schema
  // default (located at the block's header).
  std::vector<AxisValues> axes;
};

// InputError at `at` when `value` is outside the case-id character set or the axis's
// validator rejects it. `allow_expansion`: the axis's special value (e.g. "all") passes.
void check_axis_value(const AxisSpec& axis, const std::string& value, const TextLocation& at, bool allow_expansion);

// Every [defaults] key must be an axis of some registered op.
void check_defaults(const std::vector<AxisValues>& defaults, const AxisSchemaRegistry& registry);

ResolvedBlock resolve_block(const CaseBlock& block, const std::vector<AxisValues>& defaults,
                            const AxisSchemaRegistry& registry);

// The cases of one block in expansion order; InputError when every case is excluded.
std::vector<CaseSpec> expand_block(const ResolvedBlock& block, std::size_t block_index);

// All blocks in file order; InputError for a case id produced twice (naming both blocks).
std::vector<CaseSpec> expand_suite(const SuiteDocument& doc, const AxisSchemaRegistry& registry);

}  // namespace fp8check::detail
