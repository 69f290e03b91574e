// The quantize op: its axes (quantize_axes) and its pipeline (run_quantize_case.cpp).
#pragma once

#include <span>

#include "harness/run/case_axes.hpp"
#include "harness/run/run_case.hpp"

namespace fp8check {

// The quantize op's axes in case-id order (the suite schema and the pipeline read this table).
std::span<const CaseAxis> quantize_axes();
void run_quantize_case(const CaseInput& input, const RunContext& ctx, CaseResult& result);

}  // namespace fp8check
