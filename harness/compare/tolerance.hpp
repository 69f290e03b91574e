// The tolerance model: a verdict must be explainable (docs/tolerance.md).
// (a) a-priori bounds from unit roundoffs, K and the accumulation model, reported as
//     observed / bound;
// (b) relative to a higher-precision baseline, as FlashAttention-3's tests do:
//     err(fp8 path) <= ratio * err(baseline path) + the reference's own rounding noise;
// (c) per-dtype defaults (atol, rtol) as PyTorch's assert_close and Transformer Engine's
//     tests use, reported as an allclose count and binding only when a suite asks;
// (d) explicit per-case overrides from suites.
// An unexpected NaN or inf never passes.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>

#include "harness/compare/error_statistics.hpp"
#include "harness/compare/numeric_type.hpp"

namespace fp8check {

// Unit roundoff of round-to-nearest in a type: 2^-p with p significand bits
// (2^-24 fp32, 2^-8 bf16, 2^-11 fp16, 2^-4 e4m3fn, 2^-53 fp64).
double unit_roundoff(const NumericType& type);

// One kind of rounding on an element's computation path: relative error at most `u`
// per operation, at most `count` operations.
struct RoundingStage {
  double u = 0;
  double count = 0;
};
// Relative error coefficient of a chain of roundings: prod (1 + u_i)^n_i - 1, bounded
// by expm1(sum n_i u_i) (Higham, Accuracy and Stability of Numerical Algorithms, 2nd
// ed., Lemma 3.1, with (1+u)^n <= e^{nu}).
double rounding_chain_coefficient(std::initializer_list<RoundingStage> stages);

// (c) Per output type: PyTorch torch.testing.assert_close defaults for fp32/fp16/bf16
// (rtol 1.3e-6 / 1e-3 / 1.6e-2, atol 1e-5) and Transformer Engine's FP8 test
// tolerances (e4m3: rtol 0.125, atol 0.0675; e5m2: rtol 0.25, atol 0.125).
struct DtypeTolerance {
  double rtol = 0;
  double atol = 0;
  const char* source = "";
};
DtypeTolerance default_dtype_tolerance(const NumericType& type);

// (d) What a suite may override, with the defaults used otherwise.
struct ToleranceSettings {
  double max_over_bound = 1.0;   // (a) max_i |err_i| / bound_i must not exceed this
  double baseline_ratio = 2.0;   // (b) FlashAttention-3's rtol = 2
  std::optional<double> rtol;    // (c) overrides of the dtype defaults
  std::optional<double> atol;
  bool require_allclose = false; // (c) binding only when a suite says so
  std::optional<double> max_relative_frobenius;  // optional extra ceiling on ||err|| / ||ref||
};
// Keys: max_over_bound, baseline_ratio, rtol, atol, require_allclose (0/1),
// max_relative_frobenius. Unknown key -> InputError listing these.
ToleranceSettings apply_tolerance_overrides(ToleranceSettings base, const std::map<std::string, double>& overrides);

}  // namespace fp8check
