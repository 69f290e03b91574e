// The quantize op: axes format (element type), recipe, shape ("r128.c7168"),
// distribution, backend. See run_quantize_case.cpp for the pipeline.
#pragma once

#include <string>

#include "harness/run/run_case.hpp"

namespace fp8check {

void validate_quantize_shape(const std::string& v);
void run_quantize_case(const CaseInput& input, const RunContext& ctx, CaseResult& result);

}  // namespace fp8check
