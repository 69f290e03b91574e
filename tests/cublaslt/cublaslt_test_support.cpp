#include "tests/cublaslt/cublaslt_test_support.hpp"

namespace fp8check::cublaslt::test {

PreparedCase prepare(const CaseParams& params, const std::string& id, std::uint64_t seed) {
  PreparedCase p{GemmCase::from_params(params), {}};
  p.in = prepare_gemm_inputs(p.c, id, seed);
  p.in.args.problem.d_scale = 1.0f;
  return p;
}

cublasLtMatmulMatrixScale_t expected_mode(const std::string& recipe, const std::string& partner_recipe) {
  auto per_row = [](const std::string& r) { return r == "row" || r == "col"; };
  if (recipe == "tensor")
    return per_row(partner_recipe) ? CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F : CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F;
  if (per_row(recipe)) return CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F;
  if (recipe == "vec128") return CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
  if (recipe == "blk128x128") return CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F;
  if (recipe == "mxfp8" || recipe == "mxfp4") return CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0;
  if (recipe == "nvfp4") return CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3;
  return CUBLASLT_MATMUL_MATRIX_SCALE_END;  // no mode: a test asking for one fails
}

std::int64_t expected_scale_bytes(cublasLtMatmulMatrixScale_t mode, std::int64_t rows, std::int64_t k) {
  auto up = [](std::int64_t a, std::int64_t b) { return (a + b - 1) / b * b; };
  auto blocks = [](std::int64_t a, std::int64_t b) { return (a + b - 1) / b; };
  switch (mode) {
    case CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F: return 4;
    case CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F: return 4 * rows;
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F: return 4 * blocks(k, 128) * up(rows, 4);
    case CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F: return 4 * blocks(rows, 128) * up(blocks(k, 128), 4);
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0: return up(rows, 128) * up(blocks(k, 32), 4);
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3: return up(rows, 128) * up(blocks(k, 16), 4);
    default: return -1;
  }
}

}  // namespace fp8check::cublaslt::test
