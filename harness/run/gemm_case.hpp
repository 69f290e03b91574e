// A GEMM case as the run stage needs it, built from a suite case's parameters (axis ->
// value strings). The axes, their defaults and meanings: gemm_axes() (gemm_case.cpp).
#pragma once

#include <optional>
#include <span>
#include <utility>
#include <string>

#include "harness/configs/device_profile.hpp"
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
  AccumulationModel model;  // case_accumulation() resolves accumulation = "device"
  bool accumulation_from_device = false;
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

// The case's accumulation model: its own, or with accumulation = "device" the one the case's
// device (`run_device` for device = "suite") runs by default: DeviceProfile::kernel_model for
// FP8 operands, sm100-mxf8/-mxf4/-nvf4 for MX/NVFP4 recipes where the profile says so, else fp32.
AccumulationModel case_accumulation(const GemmCase& c, const DeviceProfile& run_device);

// The recipe axis' value ("vec128.blk128x128", or one name for both): A's recipe over M x K
// and B's over its stored N x K, B's being named as a K x N weight (per-row and per-column
// swap: "row.col" scales A per row of M and B per column of N). InputError on bad names.
std::pair<Recipe, Recipe> parse_gemm_recipes(const std::string& value, std::optional<ElementType> a_type = std::nullopt,
                                             std::optional<ElementType> b_type = std::nullopt);

// The GEMM op's axes in case-id order (the suite schema and from_params read this table).
std::span<const CaseAxis> gemm_axes();

// The GEMM pipeline (run_gemm_case.cpp).
void run_gemm_case(const CaseInput& input, const RunContext& ctx, CaseResult& result);

}  // namespace fp8check
