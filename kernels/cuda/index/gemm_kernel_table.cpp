#include "kernels/cuda/index/gemm_kernel_table.hpp"

#include <vector>

namespace fp8check::cuda_index {

std::string_view smem_family_name(SmemFamily f) { return f == SmemFamily::mma_sync ? "mma_sync" : "wgmma"; }
std::string_view gemm_path_name(GemmPath p) { return p == GemmPath::native ? "native" : "software"; }

GemmConfig OwnGemmKernel::config() const {
  GemmConfig c;
  c.block_m = block_m;
  c.block_n = block_n;
  c.block_k = block_k;
  c.stages = stages;
  return c;
}

std::string OwnGemmKernel::symbol() const {
  return "fp8check_gemm_" + std::string(gemm_path_name(path)) + "_" + std::string(smem_family_name(family)) + "_bm" +
         std::to_string(block_m) + "_bn" + std::to_string(block_n) + "_bk" + std::to_string(block_k) + "_s" +
         std::to_string(stages) + "_o" + std::to_string(out_bytes) + (scales == ScaleVariant::blocked ? "_blocked" : "_outer");
}

std::span<const OwnGemmKernel> own_gemm_kernels() {
  static const std::vector<OwnGemmKernel> table = [] {
    std::vector<OwnGemmKernel> out;
    for (GemmPath path : {GemmPath::native, GemmPath::software}) {
#define FP8C_TILE(family, bm, bn, bk, s, software)                                         \
  if (path == GemmPath::native || software)                                               \
    for (int bytes : {1, 2, 4})                                                           \
      for (ScaleVariant v : {ScaleVariant::outer, ScaleVariant::blocked})                 \
        out.push_back({path, SmemFamily::family, bm, bn, bk, s, bytes, v});
      FP8CHECK_OWN_GEMM_TILES(FP8C_TILE)
#undef FP8C_TILE
    }
    return out;
  }();
  return table;
}

}  // namespace fp8check::cuda_index
