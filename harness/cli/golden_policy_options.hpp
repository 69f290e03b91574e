// Command-line options of the golden policy, shared by `compare` and `golden update`.
#pragma once

#include <boost/program_options.hpp>
#include <sstream>
#include <string>

#include "harness/record/golden.hpp"

namespace fp8check::cli {

struct GoldenPolicyArgs {
  std::string deterministic = "emulated";
  record::GoldenPolicy policy;

  void add_to(boost::program_options::options_description& opts) {
    namespace po = boost::program_options;
    opts.add_options()("deterministic", po::value(&deterministic)->default_value(deterministic),
                       "comma-separated backends compared bit for bit; the others by error drift")(
        "drift-ratio", po::value(&policy.drift_ratio)->default_value(policy.drift_ratio, "1.25"),
        "GPU backends: a kernel max_abs_error or relative_frobenius that grows (shrinks) by more than this "
        "factor regresses (improves)")(
        "abs-floor", po::value(&policy.max_abs_error_floor)->default_value(policy.max_abs_error_floor, "1e-6"),
        "max_abs_error below this counts as this (noise near 0), tensor units")(
        "frobenius-floor",
        po::value(&policy.relative_frobenius_floor)->default_value(policy.relative_frobenius_floor, "2^-24"),
        "relative_frobenius below this counts as this");
  }

  // The policy with --deterministic split; InputError on bad values.
  record::GoldenPolicy resolve() const {
    record::GoldenPolicy p = policy;
    p.deterministic_backends.clear();
    std::istringstream names(deterministic);
    for (std::string name; std::getline(names, name, ',');)
      if (!name.empty()) p.deterministic_backends.insert(name);
    p.validate();
    return p;
  }
};

}  // namespace fp8check::cli
