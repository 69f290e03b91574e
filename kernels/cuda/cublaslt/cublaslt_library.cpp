#include "kernels/cuda/cublaslt/cublaslt_library.hpp"

#include <dlfcn.h>

#include "harness/core/error.hpp"

namespace fp8check::cublaslt {
namespace {

template <class F>
void resolve(void* handle, const char* symbol, F& out, std::string& missing) {
  out = reinterpret_cast<F>(dlsym(handle, symbol));
  if (out == nullptr && missing.empty()) missing = symbol;
}

}  // namespace

LoadedCublasLt load_cublaslt(const std::string& file) {
  LoadedCublasLt l;
  const std::string major = std::to_string(CUBLAS_VER_MAJOR);
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  const std::string first_error = handle ? "" : dlerror();
#ifdef FP8CHECK_CUDA_LIBRARY_DIR
  if (handle == nullptr && file.find('/') == std::string::npos)
    handle = dlopen((std::string(FP8CHECK_CUDA_LIBRARY_DIR) + "/" + file).c_str(), RTLD_NOW | RTLD_LOCAL);
#endif
  if (handle == nullptr) {
    l.unavailable = "cuBLASLt could not be loaded (" + first_error + "); install the CUDA toolkit's cuBLAS " + major +
                    " or add its library folder to LD_LIBRARY_PATH";
    return l;
  }
  std::string missing;
  CublasLtLibrary& f = l.functions;
  resolve(handle, "cublasLtCreate", f.create, missing);
  resolve(handle, "cublasLtDestroy", f.destroy, missing);
  resolve(handle, "cublasLtGetStatusName", f.get_status_name, missing);
  resolve(handle, "cublasLtGetStatusString", f.get_status_string, missing);
  resolve(handle, "cublasLtMatmulDescCreate", f.matmul_desc_create, missing);
  resolve(handle, "cublasLtMatmulDescDestroy", f.matmul_desc_destroy, missing);
  resolve(handle, "cublasLtMatmulDescSetAttribute", f.matmul_desc_set_attribute, missing);
  resolve(handle, "cublasLtMatrixLayoutCreate", f.matrix_layout_create, missing);
  resolve(handle, "cublasLtMatrixLayoutDestroy", f.matrix_layout_destroy, missing);
  resolve(handle, "cublasLtMatrixLayoutSetAttribute", f.matrix_layout_set_attribute, missing);
  resolve(handle, "cublasLtMatmulPreferenceCreate", f.matmul_preference_create, missing);
  resolve(handle, "cublasLtMatmulPreferenceDestroy", f.matmul_preference_destroy, missing);
  resolve(handle, "cublasLtMatmulPreferenceSetAttribute", f.matmul_preference_set_attribute, missing);
  resolve(handle, "cublasLtMatmulAlgoGetHeuristic", f.matmul_algo_get_heuristic, missing);
  resolve(handle, "cublasLtMatmul", f.matmul, missing);
  if (!missing.empty())
    l.unavailable = file + " has no " + missing + ": it is not the cuBLASLt " + major +
                    " fp8check was built against; install that one or put its folder first in LD_LIBRARY_PATH";
  return l;
}

namespace {

const LoadedCublasLt& loaded() {
  static const LoadedCublasLt l = load_cublaslt("libcublasLt.so." + std::to_string(CUBLAS_VER_MAJOR));
  return l;
}

}  // namespace

const std::string& library_unavailable() { return loaded().unavailable; }

const CublasLtLibrary& library() {
  if (!loaded().unavailable.empty()) throw Error(loaded().unavailable, SourceLocation::current());
  return loaded().functions;
}

}  // namespace fp8check::cublaslt
