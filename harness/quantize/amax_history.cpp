#include "harness/quantize/amax_history.hpp"

#include <cmath>
#include <string>

#include "harness/core/error.hpp"

namespace fp8check {

std::string_view amax_compute_name(AmaxCompute c) { return c == AmaxCompute::max ? "max" : "recent"; }

AmaxHistory::AmaxHistory(const DelayedScaling& settings) : settings_(settings) {
  if (settings.history_len < 1)
    throw InputError("amax history length " + std::to_string(settings.history_len) + " is not valid: expected >= 1");
}

void AmaxHistory::record(double amax) {
  window_.push_back(amax);
  if (static_cast<int>(window_.size()) > settings_.history_len) window_.pop_front();

  double candidate = window_.back();
  if (settings_.compute == AmaxCompute::max) {
    for (double a : window_) {
      if (std::isnan(a)) {  // torch.max propagates NaN: the window amax is then unusable
        candidate = a;
        break;
      }
      if (a > candidate) candidate = a;
    }
  }
  // +inf is usable: it gives the largest scale, as an inf element does (docs/recipes.md).
  if (candidate > 0 && !std::isnan(candidate)) scale_amax_ = candidate;
}

}  // namespace fp8check
