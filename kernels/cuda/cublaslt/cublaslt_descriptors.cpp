#include "kernels/cuda/cublaslt/cublaslt_descriptors.hpp"

#include <cstdint>

#include "harness/core/error.hpp"
#include "kernels/cuda/cublaslt/cublaslt_library.hpp"

namespace fp8check::cublaslt {
namespace {

template <class T>
void set(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr, const T& value, const char* name) {
  check_status(library().matmul_desc_set_attribute(desc, attr, &value, sizeof value),
               std::string("cublasLtMatmulDescSetAttribute(") + name + ")");
}

template <class T>
void set(cublasLtMatrixLayout_t layout, cublasLtMatrixLayoutAttribute_t attr, const T& value, const char* name) {
  check_status(library().matrix_layout_set_attribute(layout, attr, &value, sizeof value),
               std::string("cublasLtMatrixLayoutSetAttribute(") + name + ")");
}

cublasLtMatrixLayout_t make_layout(const MatrixLayout& l) {
  cublasLtMatrixLayout_t layout = nullptr;
  check_status(library().matrix_layout_create(&layout, l.type, l.rows, l.cols, l.ld), "cublasLtMatrixLayoutCreate");
  try {
    set(layout, CUBLASLT_MATRIX_LAYOUT_ORDER, static_cast<std::int32_t>(l.order), "ORDER");
    set(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, l.batch_count, "BATCH_COUNT");
    set(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, l.batch_stride, "STRIDED_BATCH_OFFSET");
  } catch (...) {
    library().matrix_layout_destroy(layout);
    throw;
  }
  return layout;
}

}  // namespace

std::string status_text(cublasStatus_t status) {
  return std::string(library().get_status_name(status)) + " (" + library().get_status_string(status) + ")";
}

void check_status(cublasStatus_t status, const std::string& what, SourceLocation where) {
  if (status != CUBLAS_STATUS_SUCCESS) throw Error(what + ": " + status_text(status), where);
}

Descriptors::Descriptors(const Plan& plan) : plan_(plan) {
  try {
    check_status(library().matmul_desc_create(&matmul_, plan.compute_type, plan.scale_type),
                 "cublasLtMatmulDescCreate");
    set(matmul_, CUBLASLT_MATMUL_DESC_POINTER_MODE, static_cast<std::int32_t>(CUBLASLT_POINTER_MODE_HOST), "POINTER_MODE");
    set(matmul_, CUBLASLT_MATMUL_DESC_TRANSA, static_cast<std::int32_t>(plan.transa), "TRANSA");
    set(matmul_, CUBLASLT_MATMUL_DESC_TRANSB, static_cast<std::int32_t>(plan.transb), "TRANSB");
    set(matmul_, CUBLASLT_MATMUL_DESC_FAST_ACCUM, plan.fast_accum, "FAST_ACCUM");  // int8_t
    set(matmul_, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, static_cast<std::int32_t>(plan.a_scale.mode), "A_SCALE_MODE");
    set(matmul_, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, static_cast<std::int32_t>(plan.b_scale.mode), "B_SCALE_MODE");
    if (plan.d_scale.bound)
      set(matmul_, CUBLASLT_MATMUL_DESC_D_SCALE_MODE, static_cast<std::int32_t>(plan.d_scale.mode), "D_SCALE_MODE");
    set(matmul_, CUBLASLT_MATMUL_DESC_EPILOGUE, static_cast<std::uint32_t>(plan.epilogue), "EPILOGUE");
    if (plan.bias_type)
      set(matmul_, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, static_cast<std::int32_t>(*plan.bias_type), "BIAS_DATA_TYPE");
    a_ = make_layout(plan.a);
    b_ = make_layout(plan.b);
    c_ = make_layout(plan.c);
    d_ = make_layout(plan.d);
    check_status(library().matmul_preference_create(&preference_), "cublasLtMatmulPreferenceCreate");
    const std::uint64_t workspace = plan.workspace_bytes;
    check_status(library().matmul_preference_set_attribute(preference_, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                           &workspace, sizeof workspace),
                 "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
  } catch (...) {
    release();
    throw;
  }
}

Descriptors::~Descriptors() { release(); }

void Descriptors::release() {
  // Destroy calls only fail on a null handle, which is skipped.
  if (preference_) library().matmul_preference_destroy(preference_);
  for (cublasLtMatrixLayout_t* l : {&a_, &b_, &c_, &d_})
    if (*l) library().matrix_layout_destroy(*l);
  if (matmul_) library().matmul_desc_destroy(matmul_);
  preference_ = nullptr;
  a_ = b_ = c_ = d_ = nullptr;
  matmul_ = nullptr;
}

void Descriptors::bind(const ScalePointers& p) {
  auto need = [](const void* ptr, const char* what) {
    if (ptr == nullptr) throw InternalError(std::string("cuBLASLt plan needs a device pointer for ") + what);
  };
  if (plan_.a_scale.bound) {
    need(p.a_scale, "A's scales");
    set(matmul_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, p.a_scale, "A_SCALE_POINTER");
  }
  if (plan_.b_scale.bound) {
    need(p.b_scale, "B's scales");
    set(matmul_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, p.b_scale, "B_SCALE_POINTER");
  }
  if (plan_.d_scale.bound) {
    need(p.d_scale, "D's scale");
    set(matmul_, CUBLASLT_MATMUL_DESC_D_SCALE_POINTER, p.d_scale, "D_SCALE_POINTER");
  }
  if (plan_.amax_d) {
    need(p.amax_d, "AMAX_D");
    set(matmul_, CUBLASLT_MATMUL_DESC_AMAX_D_POINTER, p.amax_d, "AMAX_D_POINTER");
  }
  if (plan_.bias_type) {
    need(p.bias, "the bias");
    set(matmul_, CUBLASLT_MATMUL_DESC_BIAS_POINTER, p.bias, "BIAS_POINTER");
  }
}

}  // namespace fp8check::cublaslt
