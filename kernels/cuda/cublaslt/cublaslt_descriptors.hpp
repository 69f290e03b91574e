// A Plan made real: the cuBLASLt matmul descriptor, the four matrix layouts and the
// preference, created and set attribute by attribute. None of these calls needs a GPU
// (cublasLtMatmulDescCreate, ...SetAttribute, cublasLtMatrixLayoutCreate and the preference
// calls work without one; cublasLtCreate and the heuristic do not), so the CPU test builds
// them for every case and reads each attribute back from the library.
#pragma once

#include <cublasLt.h>

#include <string>

#include "harness/core/error.hpp"
#include "kernels/cuda/cublaslt/cublaslt_plan.hpp"

namespace fp8check::cublaslt {

// Error "<what>: <CUBLAS_STATUS_...> (<cublasLtGetStatusString>)" unless `status` is success:
// a library failure, which the pipeline turns into the case's error verdict.
void check_status(cublasStatus_t status, const std::string& what, SourceLocation where = SourceLocation::current());
std::string status_text(cublasStatus_t status);  // "CUBLAS_STATUS_NOT_SUPPORTED (the functionality ...)"

// Device addresses the launch binds; the plan decides which ones must be set.
struct ScalePointers {
  const void* a_scale = nullptr;  // cuBLASLt's A (fp8check's B)
  const void* b_scale = nullptr;  // cuBLASLt's B (fp8check's A)
  const void* d_scale = nullptr;
  void* amax_d = nullptr;
  const void* bias = nullptr;
};

class Descriptors {
 public:
  // Error naming the attribute and the status when cuBLASLt refuses one.
  explicit Descriptors(const Plan& plan);
  ~Descriptors();
  Descriptors(const Descriptors&) = delete;
  Descriptors& operator=(const Descriptors&) = delete;

  // Sets the pointer attributes the plan uses (scale pointers of bound scales, AMAX_D, bias);
  // InternalError when one the plan needs is null.
  void bind(const ScalePointers& p);

  cublasLtMatmulDesc_t matmul() const { return matmul_; }
  cublasLtMatrixLayout_t a() const { return a_; }
  cublasLtMatrixLayout_t b() const { return b_; }
  cublasLtMatrixLayout_t c() const { return c_; }
  cublasLtMatrixLayout_t d() const { return d_; }
  cublasLtMatmulPreference_t preference() const { return preference_; }

 private:
  void release();

  const Plan plan_;
  cublasLtMatmulDesc_t matmul_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, c_ = nullptr, d_ = nullptr;
  cublasLtMatmulPreference_t preference_ = nullptr;
};

}  // namespace fp8check::cublaslt
