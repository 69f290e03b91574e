// The quantize op: its axes (quantize_axes) and its pipeline (run_quantize_case.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "harness/core/matrix.hpp"
#include "harness/generate/distributions.hpp"
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

  // Throws InputError naming the axis and what is expected.
  static QuantizeCase from_params(const CaseParams& params);
};

// Stage "inputs" of a quantize case: X generated from the key (seed, case id, "X"). The
// pipeline and `fp8check export` (harness/exchange) both take it from here. `key`, when
// given, receives the printable tensor key. `threads` generate it (the same bits for any count).
MatrixD generate_quantize_input(const QuantizeCase& c, const std::string& case_id, std::uint64_t seed,
                                std::string* key = nullptr, int threads = 1);

// The quantize op's axes in case-id order (the suite schema and the pipeline read this table).
std::span<const CaseAxis> quantize_axes();
void run_quantize_case(const CaseInput& input, const RunContext& ctx, CaseResult& result);

}  // namespace fp8check
