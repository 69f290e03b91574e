// Command-line options of the golden policy, shared by `compare` and `golden update`.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "harness/record/golden.hpp"

namespace fp8check::cli {

struct GoldenPolicyArgs {
  std::string deterministic = "emulated";
  std::optional<double> drift_ratio;  // not given: thresholds from each statistic's sampling spread
  record::GoldenPolicy policy;

  void add_to(boost::program_options::options_description& opts) {
    namespace po = boost::program_options;
    opts.add_options()("deterministic", po::value(&deterministic)->default_value(deterministic),
                       "comma-separated backends compared bit for bit; the others by error drift")(
        "drift-sigmas", po::value(&policy.drift_sigmas)->default_value(policy.drift_sigmas, "5"),
        "GPU backends: kernel relative_frobenius regresses (improves) beyond this many standard deviations "
        "of its sampling spread")(
        "drift-tail-probability",
        po::value(&policy.drift_tail_probability)->default_value(policy.drift_tail_probability, "1e-4"),
        "GPU backends: kernel max_abs_error regresses (improves) beyond what a seed change exceeds with this "
        "probability")(
        "drift-ratio", po::value<double>()->notifier([this](double r) { drift_ratio = r; }),
        "GPU backends: one fixed ratio instead for both statistics and every case (e.g. 1.25)")(
        "abs-floor", po::value(&policy.max_abs_error_floor)->default_value(policy.max_abs_error_floor, "1e-6"),
        "max_abs_error below this counts as this (noise near 0), tensor units")(
        "frobenius-floor",
        po::value(&policy.relative_frobenius_floor)->default_value(policy.relative_frobenius_floor, "2^-24"),
        "relative_frobenius below this counts as this");
  }

  // The policy with --deterministic split; InputError on bad values.
  record::GoldenPolicy resolve() const {
    record::GoldenPolicy p = policy;
    if (drift_ratio) p.drift_ratio = drift_ratio;
    p.deterministic_backends.clear();
    std::istringstream names(deterministic);
    for (std::string name; std::getline(names, name, ',');)
      if (!name.empty()) p.deterministic_backends.insert(name);
    p.validate();
    return p;
  }
};

}  // namespace fp8check::cli
