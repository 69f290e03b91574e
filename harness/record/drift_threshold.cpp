#include "harness/record/drift_threshold.hpp"

#include <algorithm>
#include <cmath>

#include "harness/record/golden.hpp"

namespace fp8check::record {

double tail_index(const std::vector<ElementReport>& worst) {
  std::vector<double> errors;
  for (const ElementReport& e : worst)
    if (e.abs_error > 0 && std::isfinite(e.abs_error)) errors.push_back(e.abs_error);
  if (errors.size() < 2) return 0;
  std::sort(errors.begin(), errors.end(), std::greater<>());
  const double smallest = errors.back();
  double sum = 0;
  for (std::size_t i = 0; i + 1 < errors.size(); ++i) sum += std::log(errors[i] / smallest);
  return sum / static_cast<double>(errors.size() - 1);
}

DriftThresholds drift_thresholds(const ErrorStatistics& golden, const ErrorStatistics& received,
                                 const GoldenPolicy& policy) {
  if (policy.drift_ratio) return {*policy.drift_ratio, *policy.drift_ratio};
  DriftThresholds t;
  // relative_frobenius: the independent-elements spread of a root mean square.
  const double n = static_cast<double>(std::max<std::int64_t>(golden.finite_count, 1));
  const double peak_over_rms = golden.rms_error > 0 && std::isfinite(golden.max_abs_error / golden.rms_error)
                                   ? std::max(1.0, golden.max_abs_error / golden.rms_error)
                                   : 1.0;
  const double sigma = 0.5 * peak_over_rms / std::sqrt(n);
  t.relative_frobenius = std::exp(policy.drift_sigmas * std::sqrt(2.0) * sigma);
  // max_abs_error: a maximum's spread from the tail of the worst elements, times a binade.
  const double gamma = std::min(tail_index(golden.worst), tail_index(received.worst));
  t.max_abs_error = 2.0 * std::exp(gamma * std::log(1.0 / policy.drift_tail_probability));
  return t;
}

}  // namespace fp8check::record
