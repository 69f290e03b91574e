// Delayed scaling (Transformer Engine's recipe.DelayedScaling): the scale a tensor is
// quantized with at step t comes from the amaxes of the steps before it, kept in a
// window of `history_len` steps, instead of from the tensor itself.
//
//   AmaxHistory history(recipe.delayed);
//   for each step:
//     q = quantize(x, recipe, {.history = &history});  // scale from history.scale_amax()
//     history.record(tensor_amax(x));                  // after the step, as TE updates
//
// TE (transformer_engine/pytorch/fp8.py, _default_sf_compute): amax = max of the window
// ("max") or its newest entry ("most_recent"); scale = (fp8_max / amax) / 2^margin; an
// amax that is 0 or NaN keeps the previous scale; the first scale is 1. An amax of +inf
// gives the largest scale, as an inf element does in every other recipe (docs/recipes.md,
// "Range"); TE keeps the previous scale there instead.
// "Current" scaling (the `tensor` recipe) is a window of one holding the current amax.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

namespace fp8check {

enum class AmaxCompute : std::uint8_t { max, most_recent };

struct DelayedScaling {
  int history_len = 1024;  // TE's default window
  AmaxCompute compute = AmaxCompute::max;
  int margin = 0;  // dequantization scale = amax * 2^margin / format_max
  friend bool operator==(const DelayedScaling&, const DelayedScaling&) = default;
};

std::string_view amax_compute_name(AmaxCompute c);  // "max", "recent"

class AmaxHistory {
 public:
  // history_len >= 1 (InputError otherwise).
  explicit AmaxHistory(const DelayedScaling& settings);

  // Appends the amax observed at this step, dropping the oldest beyond the window, and
  // updates scale_amax() when the window's amax is usable (> 0 and not NaN; +inf is).
  void record(double amax);

  // The amax the next step's scale comes from; nullopt until some window amax was usable
  // (the caller then uses the zero-block scale, 1 by default: TE's initial scale).
  std::optional<double> scale_amax() const { return scale_amax_; }

  std::vector<double> window() const { return {window_.begin(), window_.end()}; }  // oldest first
  const DelayedScaling& settings() const { return settings_; }

 private:
  DelayedScaling settings_;
  std::deque<double> window_;
  std::optional<double> scale_amax_;
};

}  // namespace fp8check
