// A quantize case in cases.h5: the FP64 input X and the recipe spelled out (element
// format, block, scale kind and meaning, the scale rules), so a kernel can produce the
// codes and scales the reference quantizer produces (docs/exchange-format.md).
#include <string>

#include "harness/core/format_names.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/exchange/export_ops.hpp"
#include "harness/run/quantize_case.hpp"

namespace fp8check::exchange {

std::string export_quantize(H5Node& group, const CaseInput& input, const ExportContext& ctx) {
  const QuantizeCase c = QuantizeCase::from_params(input.params);
  const PreparedQuantize prepared = prepare_quantize_case(c, input.id, ctx.seed);  // as the pipeline
  const MatrixD& x = prepared.x;
  const Recipe& r = c.recipe;
  const ScaleType type = r.scale_type();
  const QuantizeOptions& options = prepared.options;
  const ScaleLayout layout = make_scale_layout(c.rows, c.cols, r.block, ScaleOrder::row_major, scale_type_bytes(type));
  const ScalePolicy& policy = options.scale;

  group.set("rows", c.rows);
  group.set("cols", c.cols);
  group.set("format", r.element.name());
  group.set("recipe", r.name());
  group.set("block", std::vector<std::int64_t>{layout.block.rows, layout.block.cols});
  group.set("scale_kind", std::string(scale_kind_name(type)));
  group.set("scale_meaning", std::string(scale_meaning_name(policy.meaning)));
  group.set("zero_block_scale", std::string(zero_block_scale_name(policy.zero_block)));
  group.set("mx_scale_rule", std::string(mx_scale_rule_name(policy.mx_rule)));
  group.set("pow2_scale", std::string(pow2_scale_name(policy.pow2)));
  group.set("format_max", policy.format_max.value_or(r.element.max_magnitude()));
  group.set("rounding", std::string(rounding_name(policy.element_encode.rounding)));
  group.set("nan", std::string(nan_policy_name(options.nan)));
  group.set("tensor_scale", std::int64_t{r.scheme == ScalingScheme::nvfp4});
  if (r.scheme == ScalingScheme::nvfp4) group.set("nvfp4_scale_max", policy.nvfp4_scale_max);
  // The declared quantization convention (docs/recipes.md, "Conventions"): the kernel's
  // codes and scales are judged against that convention's arithmetic.
  group.set("convention", std::string(convention_name(c.convention.id)));
  group.set("amax_floor", amax_floor_of(c.convention));
  // Delayed recipes: the amax window the scale comes from, oldest first (scale_amax is the
  // window's max or newest, per the recipe; docs/suites.md, "Delayed scaling").
  if (prepared.history) {
    group.set("amax_history", prepared.history->window());
    if (const std::optional<double> a = prepared.history->scale_amax()) group.set("scale_amax", *a);
  }
  if (!r.element.is_integer()) ctx.formats->insert(r.element.format);
  if (type == ScaleType::e8m0) ctx.formats->insert(Format::e8m0fnu);
  if (type == ScaleType::e4m3) ctx.formats->insert(Format::e4m3fn);
  group.write<double>("x", std::span<const double>(x.data(), static_cast<std::size_t>(x.size())),
                      {static_cast<std::uint64_t>(c.rows), static_cast<std::uint64_t>(c.cols)});
  return "";
}

}  // namespace fp8check::exchange
