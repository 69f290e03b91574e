// The emulated GEMM through a kernel model (docs/accumulation.md, "Kernel models"): each
// split-K slice issues the model's tensor-core instruction along K, the partial promoted
// into an FP32 sum at the end of every window (gemm_schedule.hpp, make_window_schedule);
// the slices are reduced and the epilogue applied as for the fp32 model.
//
// plan_kernel_model decides, for the fast path and the literal reference alike, which
// instruction runs and where the recipe's scales go, and refuses (InputError) what a
// kernel cannot do: integer operands, formats the kernel has no instruction for, K-blocked
// scales without promotion, slices or scale groups off the instruction's k.
#pragma once

#include <cstdint>

#include "harness/backend/gemm_operand.hpp"
#include "harness/backend/gemm_problem.hpp"
#include "harness/configs/gemm_config.hpp"
#include "harness/core/convert_bulk.hpp"  // SimdPath
#include "kernels/emulated/gemm_fault.hpp"
#include "kernels/emulated/mma/kernel_model.hpp"

namespace fp8check::detail {

struct KernelModelPlan {
  MmaInstruction instruction;
  // Block-scaled kernels (sm100-mxf8/-mxf4/-nvf4) whose recipe's K blocks are the
  // instruction's: the scales enter the instruction as codes (e8m0, ue4m3).
  bool scales_in_instruction = false;
  // K-blocked scales applied at promotion (DeepGEMM's FFMA): true when an operand's scales
  // vary along K and are not in the instruction. Windows then end at the K-group
  // boundaries of group_a / group_b (0: that operand has none).
  bool scaled_promotion = false;
  std::int64_t group_a = 0, group_b = 0;
};

KernelModelPlan plan_kernel_model(const KernelModel& kernel, const GemmProblem& problem, const GemmOperand& a,
                                  const GemmOperand& b, const GemmConfig& config, GemmFault fault);

// The code of an operand element: as stored, or (float values) the code of code_format
// with that exact value (InputError otherwise).
std::uint16_t element_code(const GemmOperand& op, std::int64_t batch, std::int64_t i_mn, std::int64_t i_k);
// A block scale as an instruction's scale code: e8m0 (a power of two, or NaN) or ue4m3
// (an e4m3 value >= 0, or NaN). InputError when the scale has no such code.
std::uint8_t instruction_scale_code(MmaScaleKind kind, float scale);

// The fast path (gemm_emulated_on calls it after the shared argument checks).
void gemm_kernel_model(SimdPath path, const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                       const GemmConfig& config, const KernelModel& kernel, GemmOutput& out, int threads, GemmFault fault);

}  // namespace fp8check::detail
