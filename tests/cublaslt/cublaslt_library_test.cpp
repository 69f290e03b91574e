// cuBLASLt is loaded when first used (kernels/cuda/cublaslt/cublaslt_library.hpp): the
// loader finds the library fp8check was built against, resolves the very functions this
// test binary links, and says what to do when the library is missing or another one.
#include <gtest/gtest.h>

#include <string>

#include "kernels/cuda/cublaslt/cublaslt_library.hpp"

namespace fp8check::cublaslt {
namespace {

TEST(CublasLtLibrary, LoadsTheLibraryFp8checkWasBuiltAgainst) {
  ASSERT_EQ(library_unavailable(), "");
  const CublasLtLibrary& f = library();
  // This binary links cuBLASLt (to read attributes back), so the loaded entry points must be
  // the linked ones: the same library, not a second copy.
  EXPECT_EQ(f.create, &::cublasLtCreate);
  EXPECT_EQ(f.matmul, &::cublasLtMatmul);
  EXPECT_EQ(f.matmul_desc_set_attribute, &::cublasLtMatmulDescSetAttribute);
  EXPECT_NE(f.destroy, nullptr);
  EXPECT_NE(f.get_status_string, nullptr);
  EXPECT_NE(f.matmul_desc_create, nullptr);
  EXPECT_NE(f.matmul_desc_destroy, nullptr);
  EXPECT_NE(f.matrix_layout_create, nullptr);
  EXPECT_NE(f.matrix_layout_destroy, nullptr);
  EXPECT_NE(f.matrix_layout_set_attribute, nullptr);
  EXPECT_NE(f.matmul_preference_create, nullptr);
  EXPECT_NE(f.matmul_preference_destroy, nullptr);
  EXPECT_NE(f.matmul_preference_set_attribute, nullptr);
  EXPECT_NE(f.matmul_algo_get_heuristic, nullptr);
  EXPECT_STREQ(f.get_status_name(CUBLAS_STATUS_NOT_SUPPORTED), "CUBLAS_STATUS_NOT_SUPPORTED");
  // A call that needs no GPU, through the loaded table.
  cublasLtMatmulDesc_t desc = nullptr;
  ASSERT_EQ(f.matmul_desc_create(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(f.matmul_desc_destroy(desc), CUBLAS_STATUS_SUCCESS);
}

TEST(CublasLtLibrary, AMissingLibrarySaysHowToProvideIt) {
  const LoadedCublasLt l = load_cublaslt("libcublasLt.so.fp8check-no-such-version");
  EXPECT_NE(l.unavailable.find("cuBLASLt could not be loaded (libcublasLt.so.fp8check-no-such-version"),
            std::string::npos)
      << l.unavailable;
  EXPECT_NE(l.unavailable.find("LD_LIBRARY_PATH"), std::string::npos) << l.unavailable;
  EXPECT_EQ(l.functions.create, nullptr);
}

TEST(CublasLtLibrary, AnotherLibraryNamesTheMissingEntryPoint) {
  const LoadedCublasLt l = load_cublaslt("libm.so.6");  // loads, but is not cuBLASLt
  EXPECT_EQ(l.unavailable.rfind("libm.so.6 has no cublasLtCreate: it is not the cuBLASLt ", 0), 0u) << l.unavailable;
  EXPECT_EQ(l.functions.create, nullptr);
}

}  // namespace
}  // namespace fp8check::cublaslt
