// How far a kernel-error statistic may move between a golden and a run of the same case
// through sampling alone - another seed's inputs, another accumulation order on a GPU -
// derived from the statistics' own sampling spread (docs/results-format.md, "Drift
// thresholds"). A fixed ratio for every case was either too tight for a maximum of a few
// thousand rounding errors (a seed change flagged 7 of 71 smoke cases at 1.25) or too
// loose for a root-mean-square over them.
#pragma once

#include "harness/compare/error_statistics.hpp"

namespace fp8check::record {

struct GoldenPolicy;

// Ratios T > 1: a statistic regresses when new / golden > T, improves when < 1/T.
struct DriftThresholds {
  double max_abs_error = 1;
  double relative_frobenius = 1;
};

// relative_frobenius = sqrt(sum e^2 / sum r^2) over N finite elements: by the delta method
// its log has standard deviation sigma = 0.5 * sqrt(Var(e^2)) / (sqrt(N) E[e^2]), and with
// E[e^4] <= max|e|^2 E[e^2] that is at most 0.5 * (max_abs_error / rms_error) / sqrt(N).
// Two runs differ by sqrt(2) sigma; T = exp(z * sqrt(2) * sigma), z = policy.drift_sigmas.
//
// max_abs_error is the largest of N errors. With a tail of index gamma (Hill's estimator
// over the worst-elements table: the mean of ln(worst_i / worst_k)), the log of a maximum
// varies as gamma times a Gumbel variable, so the log-ratio of two runs' maxima is
// logistic with scale gamma and exceeds gamma * ln(1/p) with probability about p
// (p = policy.drift_tail_probability). Errors are roundings to the output type, whose ulp
// doubles from one binade to the next, so the largest can double with the largest output:
// T = 2 * exp(gamma * ln(1/p)). gamma is the smaller of the golden's and the run's
// estimates, so that neither side's few outliers can widen the threshold on their own.
//
// policy.drift_ratio, when set, replaces both by that one ratio.
DriftThresholds drift_thresholds(const ErrorStatistics& golden, const ErrorStatistics& received,
                                 const GoldenPolicy& policy);

// Hill's estimator of the tail index over the positive absolute errors of `worst`
// (worst first): mean of ln(e_i / e_k), i < k, with e_k the smallest; 0 with fewer than two.
double tail_index(const std::vector<ElementReport>& worst);

}  // namespace fp8check::record
