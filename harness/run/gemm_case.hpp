// A GEMM case as the run stage needs it, built from a suite case's parameters (axis ->
// value strings). The axes, their defaults and meanings: gemm_axes() (gemm_case.cpp).
#pragma once

#include <span>
#include <string>

#include "harness/configs/kernel_family.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/problem/gemm_desc.hpp"
#include "harness/quantize/recipe.hpp"
#include "harness/run/run_case.hpp"
#include "kernels/emulated/accumulation_model.hpp"
#include "kernels/emulated/gemm_fault.hpp"

namespace fp8check {

struct GemmCase {
  GemmDesc desc;
  Recipe a_recipe;  // over A (M x K)
  Recipe b_recipe;  // over B stored N x K (the transpose of the K x N weight)
  Distribution a_distribution;
  Distribution b_distribution;
  AccumulationModel model;
  std::string config = "auto";
  std::string device = "suite";  // "suite": the run's device profile
  std::string backend = "emulated";
  GemmFault fault = GemmFault::none;
  int ld_pad = 0;
  std::string epilogue = "plain";
  std::int64_t masked_valid_rows = -1;  // -1: all rows valid
  std::string family = "auto";  // the kernel family whose capability table gates the case
  bool fast_accum = false;      // FP8 fast accumulation (cuBLASLt FAST_ACCUM)
  int algorithm = 0;            // index into the library's heuristic results

  // The family whose table decides which operand types the case's device runs: the axis
  // value, or for "auto" the backend's (kernel_family_of_backend).
  KernelFamily kernel_family() const;

  // Throws InputError naming the axis and what is expected.
  static GemmCase from_params(const CaseParams& params);
};

// The GEMM op's axes in case-id order (the suite schema and from_params read this table).
std::span<const CaseAxis> gemm_axes();

// The GEMM pipeline (run_gemm_case.cpp).
void run_gemm_case(const CaseInput& input, const RunContext& ctx, CaseResult& result);

}  // namespace fp8check
