// GEMM cases as the cuBLASLt tests need them: arguments built by the run pipeline's own
// input stage (prepare_gemm_inputs), and what a case's recipe names mean in cuBLASLt terms,
// written out here independently of the plan (cublaslt_plan.cpp) it checks.
#pragma once

#include <cublasLt.h>

#include <string>

#include "harness/run/gemm_case.hpp"
#include "harness/run/gemm_inputs.hpp"

namespace fp8check::cublaslt::test {

struct PreparedCase {
  GemmCase c;
  GemmInputs in;  // in.args points into in's own vectors
};

// The case's inputs exactly as `fp8check run` makes them (no references; an e4m3 output's
// scale is 1).
PreparedCase prepare(const CaseParams& params, const std::string& id, std::uint64_t seed);

// cuBLASLt's mode for a recipe name of fp8check's scaling recipes: tensor -> SCALAR_32F,
// row/col -> OUTER_VEC_32F, vec128 -> VEC128_32F, blk128x128 -> BLK128x128_32F, mxfp8/mxfp4 ->
// VEC32_UE8M0, nvfp4 -> VEC16_UE4M3; a per-tensor operand paired with a per-row one is
// passed as an outer vector too.
cublasLtMatmulMatrixScale_t expected_mode(const std::string& recipe, const std::string& partner_recipe);

// Bytes of the scale tensor of `mode` for an operand of `rows` rows and K = k, computed from
// the documented layouts: SCALAR 4; OUTER_VEC 4 rows; VEC128 4 ceil(K/128) pad4(rows);
// BLK128x128 4 ceil(rows/128) pad4(ceil(K/128)); VEC32/VEC16 pad128(rows) pad4(ceil(K/32 or 16)).
std::int64_t expected_scale_bytes(cublasLtMatmulMatrixScale_t mode, std::int64_t rows, std::int64_t k);

}  // namespace fp8check::cublaslt::test
