#include "kernels/cuda/index/quantize_plan.hpp"

#include <cmath>

#include "harness/core/error.hpp"
#include "harness/quantize/quant_convention.hpp"

namespace fp8check::cuda_index {

std::string why_no_own_quantize(const QuantizeArguments& args) {
  if (args.x == nullptr) return "cuda quantize: no input";
  const Recipe& r = args.recipe;
  if (r.element.is_integer())
    return "cuda quantize: recipe " + r.name() + " has integer elements; the own quantize kernels take float formats";
  return "";
}

QuantizePlan plan_own_quantize(const QuantizeArguments& args) {
  if (std::string why = why_no_own_quantize(args); !why.empty()) throw InputError(why);
  const MatrixD& x = *args.x;
  const Recipe& recipe = args.recipe;
  const QuantizeOptions& o = args.options;
  QuantizePlan plan;
  plan.layout = check_quantize_arguments(x, recipe, o);
  plan.scale_type = recipe.scale_type();
  plan.elements = x.rows() * x.cols();
  plan.blocks = plan.layout.grid_rows * plan.layout.grid_cols;

  QuantizeKernelParams& p = plan.params;
  const ScalePolicy& policy = o.scale;
  p.x = x.data();
  p.rows = x.rows();
  p.cols = x.cols();
  p.block_rows = plan.layout.block.rows;
  p.block_cols = plan.layout.block.cols;
  p.grid_rows = plan.layout.grid_rows;
  p.grid_cols = plan.layout.grid_cols;
  p.order = plan.layout.order == ScaleOrder::row_major ? ScaleOrder::row_major : ScaleOrder::col_major;
  p.scale_ld = plan.layout.ld;
  p.element = recipe.element.format;
  p.encode = policy.element_encode;
  p.random_bits = o.random_bits.empty() ? nullptr : o.random_bits.data();
  p.fp32_scales = plan.scale_type == ScaleType::fp32;
  p.arith = convention_arith(policy.convention);
  p.quant_meaning = policy.meaning == ScaleMeaning::quant;
  p.fp32_rules = {p.quant_meaning, policy.pow2 == Pow2Scale::round_up, policy.zero_block == ZeroBlockScale::one};
  p.rules = block_scale_rules(plan.scale_type, policy);
  p.zero_block_one = policy.zero_block == ZeroBlockScale::one;
  p.format_max = policy.format_max.value_or(recipe.element.max_magnitude());
  if (recipe.scheme == ScalingScheme::delayed) {
    p.delayed = true;
    p.delayed_amax = o.history->scale_amax().value_or(0.0);
    p.format_max = std::ldexp(p.format_max, -recipe.delayed.margin);
  }
  if (recipe.scheme == ScalingScheme::nvfp4) {
    p.nvfp4 = true;
    p.nvfp4_tensor_max = policy.nvfp4_scale_max * p.format_max;
  }
  return plan;
}

QuantizedMatrix assemble_quantized(const QuantizeArguments& args, const QuantizePlan& plan,
                                   std::vector<std::uint8_t> codes, std::vector<float> scale_values,
                                   std::vector<std::uint8_t> scale_codes, float tensor_scale) {
  QuantizedMatrix q{args.recipe, CodeMatrix(plan.params.rows, plan.params.cols),
                    ScaleTensor::zeros(plan.layout, plan.scale_type, args.options.scale.meaning), {}};
  q.codes.codes = std::move(codes);
  q.scales.values = std::move(scale_values);
  if (q.scales.has_codes()) q.scales.codes = std::move(scale_codes);
  if (plan.params.nvfp4) q.tensor_scale = tensor_scale;
  return q;
}

namespace {

struct HostAtomics {
  void max(unsigned long long* at, std::uint64_t v) {
    if (v > *at) *at = v;
  }
  void set(unsigned int* at) { *at = 1; }
};

}  // namespace

QuantizedMatrix run_quantize_twin(const QuantizeArguments& args) {
  QuantizePlan plan = plan_own_quantize(args);
  QuantizeKernelParams p = plan.params;
  std::vector<unsigned long long> block_max(static_cast<std::size_t>(plan.blocks), 0);
  std::vector<unsigned int> block_nan(static_cast<std::size_t>(plan.blocks), 0);
  unsigned long long tensor_max = 0;
  std::vector<BlockFactor> factors(static_cast<std::size_t>(plan.blocks));
  std::vector<float> scale_values(static_cast<std::size_t>(plan.layout.storage_size()), 0.0f);
  std::vector<std::uint8_t> scale_codes(scale_values.size(), 0);
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(plan.elements), 0);
  float tensor_scale = 0;
  p.block_max = block_max.data();
  p.block_nan = block_nan.data();
  p.tensor_max = &tensor_max;
  p.factors = factors.data();
  p.scale_values = scale_values.data();
  p.scale_codes = plan.scale_type == ScaleType::e8m0 || plan.scale_type == ScaleType::e4m3 ? scale_codes.data() : nullptr;
  p.tensor_scale = &tensor_scale;
  p.codes = codes.data();
  HostAtomics atomics;
  if (!p.delayed)
    for (std::int64_t e = 0; e < plan.elements; ++e) quantize_amax_step(p, e, atomics);
  for (std::int64_t b = 0; b < plan.blocks; ++b) quantize_scale_step(p, b);
  for (std::int64_t e = 0; e < plan.elements; ++e) quantize_encode_step(p, e);
  return assemble_quantized(args, plan, std::move(codes), std::move(scale_values), std::move(scale_codes), tensor_scale);
}

}  // namespace fp8check::cuda_index
