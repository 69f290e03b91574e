// The emulated GEMM written as the specification reads (docs/accumulation.md): for each
// output element, each split-K slice, each block_k tile, each segment, each k — plain
// scalar loops reading the operand views directly. It shares no schedule, packing or
// kernel code with gemm_emulated(), and the tests require the two to agree bit for bit.
// Slow: for small problems.
#pragma once

#include "kernels/emulated/gemm_emulated.hpp"

namespace fp8check {

void gemm_emulated_reference(const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                             const GemmConfig& config, const AccumulationModel& model, GemmOutput& out,
                             GemmFault fault = GemmFault::none);

}  // namespace fp8check
