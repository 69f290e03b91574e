// The config a case runs with, for every op that has a selector (GEMM, attention):
// "auto" (or the value the config axis expands, before expansion) takes the selector's
// first choice on the case's device; an explicit id takes that config, which the device
// must accept. A problem the device cannot run skips the case with the selector's reason;
// an explicit config the device rejects is the case's error.
#pragma once

#include <string>

#include "harness/configs/device_profile.hpp"

namespace fp8check {

template <class Config>
struct ConfigChoice {
  Config config;
  std::string skip;   // non-empty: the case is skipped with this reason
  std::string error;  // non-empty: the case is an error with this reason
};

// `unsupported`: the selector's why_*_unsupported for the problem ("" when supported).
// `first_choice()`, `parse(id)` and `evaluate(config)` (-> .fits, .reason) are the op's
// selector functions.
template <class Config, class FirstChoice, class Parse, class Evaluate>
ConfigChoice<Config> choose_config(const std::string& requested, bool automatic, const std::string& unsupported,
                                   const DeviceProfile& device, FirstChoice first_choice, Parse parse,
                                   Evaluate evaluate) {
  ConfigChoice<Config> choice;
  if (!unsupported.empty()) {
    choice.skip = unsupported + "; device is " + device.name;
    return choice;
  }
  if (automatic) {
    choice.config = first_choice();
    return choice;
  }
  choice.config = parse(requested);
  const auto verdict = evaluate(choice.config);
  if (!verdict.fits) choice.error = "config " + choice.config.id() + " rejected on " + device.name + ": " + verdict.reason;
  return choice;
}

}  // namespace fp8check
