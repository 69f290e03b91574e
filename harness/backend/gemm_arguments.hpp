// Everything a GEMM kernel is given, whoever wrote it (fp8check's emulation, a CUDA
// kernel, cuBLASLt, a plug-in): the problem as described, its run-time data, the operands
// as codes and scales in their declared layouts, and the config the selector chose.
// Nothing here says how a kernel accumulates: that is the kernel's business (an emulated
// backend's options, a device kernel's hardware).
#pragma once

#include "harness/backend/gemm_operand.hpp"
#include "harness/backend/gemm_problem.hpp"
#include "harness/configs/gemm_config.hpp"
#include "harness/problem/gemm_desc.hpp"

namespace fp8check {

struct GemmArguments {
  GemmDesc desc;        // shape, kind, element and output types, layouts, scale blocks, epilogue
  GemmProblem problem;  // rows per group, alpha/beta with C, bias, output type and output scale
  GemmOperand a;        // M x K (grouped: every stored row)
  GemmOperand b;        // per group one N x K matrix in the desc's layout (B[k, n] at (n, k))
  GemmConfig config;    // tile shape, stages, split-K and its reduction order

  // InputError naming the field when the run-time views disagree with the descriptor
  // (kind, extents, element types, K-majorness, output type).
  void validate() const;
};

}  // namespace fp8check
