// A GEMM case as the run stage needs it, built from a suite case's parameters
// (axis -> value strings; the axes are registered in op_schemas.cpp).
//
//   formats       "e4m3fn.e4m3fn"      element types of A and B
//   recipe        "vec128.blk128x128"  A's and B's scaling recipes ("tensor" = both);
//                                      B's is named as a K x N weight ("col" = per output channel)
//   shape         "m128.n7168.k128"    + ".b4" batched, ".g4" grouped contiguous (equal rows),
//                                      ".g128m" grouped masked, ".v100" valid rows per masked group
//   layout        "TN"                 BLAS layout; "+pad16" adds 16 to every leading dimension
//   output        "bf16"               fp32, bf16, fp16, e4m3fn
//   distribution  "normal"             inputs of A (and of B, except llm_activation: B is normal)
//   accumulation  "fp32"               kernels/emulated/accumulation_model.hpp
//   config        "auto"               auto | orders | a config id (bm128.bn128.bk128.s4)
//   device        "suite"              the device profile configs are chosen for: the run's, or a name (sm_86)
//   backend       "emulated"
//   epilogue      "plain"              plain | bias | beta | alpha2
//   fault         "none"               an injected kernel bug (kernels/emulated/gemm_fault.hpp)
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/generate/distributions.hpp"
#include "harness/problem/gemm_desc.hpp"
#include "harness/quantize/recipe.hpp"
#include "kernels/emulated/accumulation_model.hpp"
#include "kernels/emulated/gemm_fault.hpp"

namespace fp8check {

using CaseParams = std::vector<std::pair<std::string, std::string>>;

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

  // Throws InputError naming the axis and what is expected.
  static GemmCase from_params(const CaseParams& params);
};

// Parsers the suite schema uses to validate single axis values (each throws InputError).
void validate_gemm_formats(const std::string& v);
void validate_gemm_recipe(const std::string& v);
void validate_gemm_shape(const std::string& v);
void validate_gemm_layout(const std::string& v);
void validate_gemm_epilogue(const std::string& v);

}  // namespace fp8check
