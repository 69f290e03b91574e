#include "harness/quantize/block_scale.hpp"

#include <algorithm>
#include <cmath>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/quantize/convention_math.hpp"

namespace fp8check {
namespace {

BlockScale fp32_scale(double amax, double format_max, const ScalePolicy& p) {  // the host+device form the CUDA kernels share
  const Fp32ScaleRules rules{p.meaning == ScaleMeaning::quant, p.pow2 == Pow2Scale::round_up,
                             p.zero_block == ZeroBlockScale::one};
  return {convention_detail::exact_block_scale(amax, format_max, rules).stored};
}

}  // namespace

BlockScaleRules block_scale_rules(ScaleType type, const ScalePolicy& p) {
  return {type, p.meaning == ScaleMeaning::quant, p.pow2 == Pow2Scale::round_up, p.zero_block == ZeroBlockScale::one,
          p.mx_rule == MxScaleRule::round_up};
}

BlockScale compute_block_scale(double amax, double format_max, ScaleType type, const ScalePolicy& policy) {
  if (!(amax >= 0) || !(format_max > 0) || !std::isfinite(format_max))
    throw InternalError("block scale of amax " + std::to_string(amax) + " with format max " +
                        std::to_string(format_max));
  if (type == ScaleType::fp32) return fp32_scale(amax, format_max, policy);
  return block_scale_of(amax, format_max, block_scale_rules(type, policy));  // host+device (block_scale.hpp)
}

}  // namespace fp8check
