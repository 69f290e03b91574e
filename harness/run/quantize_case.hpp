// The quantize op: its axes (quantize_axes) and its pipeline (run_quantize_case.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "harness/core/matrix.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/quantize/quant_convention.hpp"
#include "harness/quantize/quantize.hpp"
#include "harness/quantize/recipe.hpp"
#include "harness/run/case_axes.hpp"
#include "harness/run/run_case.hpp"
#include "kernels/emulated/quantize_fault.hpp"

namespace fp8check {

// A quantize case as the run stage needs it, built from a suite case's parameters.
struct QuantizeCase {
  std::int64_t rows = 0, cols = 0;
  Recipe recipe;
  Distribution distribution;
  std::string backend = "emulated";
  QuantizeFault fault = QuantizeFault::none;  // an injected bug of the emulated quantize kernel
  QuantConvention convention;  // the arithmetic the kernel is declared to follow (quant_convention.hpp)

  // Throws InputError naming the axis and what is expected.
  static QuantizeCase from_params(const CaseParams& params);
};

// Stage "inputs" of a quantize case, shared by the pipeline and `fp8check export`
// (harness/exchange): X generated from the key (seed, case id, "X"), and the options the
// kernel runs with: the declared convention and, for a delayed recipe, the amax history
// of the steps before X (docs/suites.md, "Delayed scaling"): min(history_len,
// kDelayedHistorySteps) earlier tensors of X's shape and distribution, keyed (seed, case
// id, "X-1"), ... (the step just before, then older ones), recorded oldest first.
inline constexpr int kDelayedHistorySteps = 16;

struct PreparedQuantize {
  MatrixD x;
  std::string key;                        // printable key of X
  std::unique_ptr<AmaxHistory> history;   // delayed recipes only; options.history points here
  QuantizeOptions options;
};
PreparedQuantize prepare_quantize_case(const QuantizeCase& c, const std::string& case_id, std::uint64_t seed);

// The quantize op's axes in case-id order (the suite schema and the pipeline read this table).
std::span<const CaseAxis> quantize_axes();
void run_quantize_case(const CaseInput& input, const RunContext& ctx, CaseResult& result);

}  // namespace fp8check
