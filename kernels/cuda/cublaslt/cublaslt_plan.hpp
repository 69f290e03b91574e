// The cuBLASLt matmul of one GEMM case, as data: every descriptor attribute, matrix layout
// and preference the launch sets, built from the backend-neutral arguments alone (no GPU,
// no library call), so a CPU test can build it for every case and read each attribute
// back from cuBLASLt (cublaslt_descriptors.hpp; docs/gpu-validation.md).
//
// Roles. cuBLASLt is column-major: it computes D (m x n) = alpha op(A) op(B) + beta C. fp8check's
// D is row-major M x N, which is the same memory as a column-major N x M matrix, so the plan
// computes D^T = B . A^T: cuBLASLt's m is fp8check's N, its n is fp8check's M; cuBLASLt's A
// is fp8check's B (stored N x K, K-major = a column-major K x N matrix; op T) and its B is
// fp8check's A (M x K, K-major = column-major K x M; op N). That is the "TN" layout the
// cuBLAS documentation requires for FP8 ("cublasLtMatmul()": A transposed, B not). In this
// file "A" and "B" are cuBLASLt's; fields say so.
#pragma once

#include <cublasLt.h>

#include <cstdint>
#include <optional>
#include <string>

#include "harness/backend/gemm_arguments.hpp"
#include "harness/configs/device_profile.hpp"

namespace fp8check::cublaslt {

struct PlanOptions {
  bool fast_accum = false;  // CUBLASLT_MATMUL_DESC_FAST_ACCUM
  int algorithm = 0;        // index into cublasLtMatmulAlgoGetHeuristic's results
  // CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES: 32 MiB, what the cuBLAS documentation
  // recommends for Hopper (and more than earlier parts use).
  std::uint64_t workspace_bytes = std::uint64_t{32} << 20;
};

struct MatrixLayout {
  cudaDataType type = CUDA_R_32F;
  int element_bits = 32;
  std::uint64_t rows = 0, cols = 0;  // column-major
  std::int64_t ld = 0;               // elements between columns
  cublasLtOrder_t order = CUBLASLT_ORDER_COL;
  std::int32_t batch_count = 1;
  std::int64_t batch_stride = 0;  // elements between batches
  std::uint64_t bytes() const;    // the storage of every batch
};

// The scale of one operand (A, B) or of D: its mode and the tensor the pointer addresses.
struct ScaleInput {
  cublasLtMatmulMatrixScale_t mode = CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F;
  bool bound = false;                 // a pointer is set; unset, cuBLASLt scales by 1
  cudaDataType element = CUDA_R_32F;  // CUDA_R_32F, CUDA_R_8F_UE8M0 or CUDA_R_8F_UE4M3
  std::int64_t count = 0;             // scales in the tensor, padding included
  std::int64_t bytes() const { return count * (element == CUDA_R_32F ? 4 : 1); }
};

struct Plan {
  std::int64_t m = 0, n = 0, k = 0;  // cuBLASLt's: m = fp8check's N, n = fp8check's M (per batch)
  cublasComputeType_t compute_type = CUBLAS_COMPUTE_32F;
  cudaDataType scale_type = CUDA_R_32F;
  cublasOperation_t transa = CUBLAS_OP_T;
  cublasOperation_t transb = CUBLAS_OP_N;
  std::int8_t fast_accum = 0;
  ScaleInput a_scale;  // cuBLASLt's A = fp8check's B
  ScaleInput b_scale;  // cuBLASLt's B = fp8check's A
  ScaleInput d_scale;  // e4m3 output only (SCALAR_32F)
  bool amax_d = false; // AMAX_D pointer set: e4m3 output only
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  std::optional<cudaDataType> bias_type;  // with EPILOGUE_BIAS
  MatrixLayout a, b, c, d;  // cuBLASLt's roles
  float alpha = 1.0f;  // fp8check's alpha times both operands' tensor scales (NVFP4's second level)
  float beta = 0.0f;
  std::uint64_t workspace_bytes = 0;
  int algorithm = 0;
};

// The plan of arguments cuBLASLt can run (why_cublaslt_cannot(...) == ""); InputError naming
// the rule otherwise.
Plan make_plan(const GemmArguments& args, const PlanOptions& options);

// Empty when cuBLASLt can run `args` on a device of capability `cc`; otherwise the rule it
// breaks, one line, with the cuBLAS documentation section it comes from. Layout, alignment,
// type and scale-mode rules are decided here, before any library call: a cuBLAS status at
// run time is then a library failure, not a rule fp8check failed to state.
std::string why_cublaslt_cannot(const GemmArguments& args, ComputeCapability cc, const PlanOptions& options);

// The scale modes of cuBLASLt's A (fp8check's B) and B (fp8check's A). An operand's scales
// may be expressible in more than one mode (per-tensor as a broadcast outer vector, per-row
// with K <= 128 as one 1x128 block); the first pair cuBLASLt accepts is taken, in the order
// SCALAR/SCALAR, OUTER_VEC/OUTER_VEC, VEC128/VEC128, BLK128x128/VEC128, VEC128/BLK128x128,
// VEC32_UE8M0/VEC32_UE8M0, VEC16_UE4M3/VEC16_UE4M3. nullopt, with the reason in *why, when
// no pair fits.
struct ScaleModes {
  cublasLtMatmulMatrixScale_t a;  // cuBLASLt's A = fp8check's B
  cublasLtMatmulMatrixScale_t b;  // cuBLASLt's B = fp8check's A
};
std::optional<ScaleModes> choose_scale_modes(const GemmArguments& args, std::string* why);

std::string scale_mode_name(cublasLtMatmulMatrixScale_t mode);  // "VEC128_32F"
std::string cuda_type_name(cudaDataType t);                      // "CUDA_R_8F_E4M3"
std::optional<cudaDataType> cuda_type_of(ElementType t);         // operand types cuBLASLt takes
cudaDataType cuda_type_of(OutputType t);

}  // namespace fp8check::cublaslt
