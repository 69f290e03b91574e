// cuBLASLt's functions, from the library loaded when first used (dlopen) instead of linked
// into the program. Linked, its static initialisers ran in every fp8check command, touching
// some 90 MB of pages (0.08 s, docs/performance.md), though only the cublaslt backend and
// its plan tests call it. The backend asks for the library only once a GPU is found.
#pragma once

#include <cublasLt.h>

#include <string>

namespace fp8check::cublaslt {

// The entry points fp8check uses, each the library's own (cublasLt.h declares them).
struct CublasLtLibrary {
  decltype(&::cublasLtCreate) create = nullptr;
  decltype(&::cublasLtDestroy) destroy = nullptr;
  decltype(&::cublasLtGetStatusName) get_status_name = nullptr;
  decltype(&::cublasLtGetStatusString) get_status_string = nullptr;
  decltype(&::cublasLtMatmulDescCreate) matmul_desc_create = nullptr;
  decltype(&::cublasLtMatmulDescDestroy) matmul_desc_destroy = nullptr;
  decltype(&::cublasLtMatmulDescSetAttribute) matmul_desc_set_attribute = nullptr;
  decltype(&::cublasLtMatrixLayoutCreate) matrix_layout_create = nullptr;
  decltype(&::cublasLtMatrixLayoutDestroy) matrix_layout_destroy = nullptr;
  decltype(&::cublasLtMatrixLayoutSetAttribute) matrix_layout_set_attribute = nullptr;
  decltype(&::cublasLtMatmulPreferenceCreate) matmul_preference_create = nullptr;
  decltype(&::cublasLtMatmulPreferenceDestroy) matmul_preference_destroy = nullptr;
  decltype(&::cublasLtMatmulPreferenceSetAttribute) matmul_preference_set_attribute = nullptr;
  decltype(&::cublasLtMatmulAlgoGetHeuristic) matmul_algo_get_heuristic = nullptr;
  decltype(&::cublasLtMatmul) matmul = nullptr;
};

// A loaded library, or why it is not: `unavailable` is "" when every entry point resolved.
struct LoadedCublasLt {
  CublasLtLibrary functions;
  std::string unavailable;
};

// The loader behind library(), for tests: opens `file` (a name for the loader's search, or a
// path), then, for a bare name, the same name in the CUDA toolkit's library folder fp8check
// was built against; resolves every entry point. The handle stays open for the process.
LoadedCublasLt load_cublaslt(const std::string& file);

// Loads libcublasLt.so.<CUBLAS_VER_MAJOR> once per process: first by its name (the
// loader's search: LD_LIBRARY_PATH, the cache, the system folders), then from the CUDA
// toolkit's library folder fp8check was built against. "" when every entry point resolved,
// else one line saying what failed and how to fix it.
const std::string& library_unavailable();

// The library's functions; Error with library_unavailable()'s line when it did not load.
const CublasLtLibrary& library();

}  // namespace fp8check::cublaslt
