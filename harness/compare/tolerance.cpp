#include "harness/compare/tolerance.hpp"

#include <cmath>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"

namespace fp8check {

double unit_roundoff(const NumericType& type) {
  if (const IeeeFloat* ieee = std::get_if<IeeeFloat>(&type))
    return *ieee == IeeeFloat::fp32 ? std::ldexp(1.0, -24) : std::ldexp(1.0, -53);
  const FormatSpec s = format_spec(std::get<Format>(type));
  return std::ldexp(1.0, -(s.man_bits + 1));
}

double rounding_chain_coefficient(std::initializer_list<RoundingStage> stages) {
  double exponent = 0;
  for (const RoundingStage& s : stages) exponent += s.u * s.count;
  return std::expm1(exponent);
}

DtypeTolerance default_dtype_tolerance(const NumericType& type) {
  if (const IeeeFloat* ieee = std::get_if<IeeeFloat>(&type)) {
    if (*ieee == IeeeFloat::fp32) return {1.3e-6, 1e-5, "torch.testing.assert_close (float32)"};
    return {1e-7, 1e-7, "torch.testing.assert_close (float64)"};
  }
  switch (std::get<Format>(type)) {
    case Format::fp16: return {1e-3, 1e-5, "torch.testing.assert_close (float16)"};
    case Format::bf16: return {1.6e-2, 1e-5, "torch.testing.assert_close (bfloat16)"};
    case Format::e4m3fn:
    case Format::e4m3fnuz: return {0.125, 0.0675, "Transformer Engine tests (FP8 E4M3)"};
    case Format::e5m2:
    case Format::e5m2fnuz: return {0.25, 0.125, "Transformer Engine tests (FP8 E5M2)"};
    default: {
      // Other formats: one unit roundoff relative, the same absolute as E4M3's.
      return {unit_roundoff(type), 0.0675, "fp8check: unit roundoff of the format"};
    }
  }
}

ToleranceSettings apply_tolerance_overrides(ToleranceSettings t, const std::map<std::string, double>& overrides) {
  for (const auto& [key, value] : overrides) {
    if (!std::isfinite(value) || value < 0)
      throw InputError("tolerance '" + key + "' must be a finite number >= 0 (got " + std::to_string(value) + ")");
    if (key == "max_over_bound") t.max_over_bound = value;
    else if (key == "baseline_ratio") t.baseline_ratio = value;
    else if (key == "rtol") t.rtol = value;
    else if (key == "atol") t.atol = value;
    else if (key == "require_allclose") t.require_allclose = value != 0;
    else if (key == "max_relative_frobenius") t.max_relative_frobenius = value;
    else
      throw InputError("unknown tolerance key '" + key +
                       "': expected max_over_bound, baseline_ratio, rtol, atol, require_allclose, max_relative_frobenius");
  }
  return t;
}

}  // namespace fp8check
