// fp8check's own GEMM kernels: one extern "C" __global__ per row of the kernel table
// (kernels/cuda/index/gemm_kernel_table.hpp), each running the block program of
// kernels/cuda/index/gemm_program.hpp on the device machine. The CUDA here only
// distributes work: which lane holds what, which tile a block loads, where a scale is read
// and every number the kernel computes come from the host+device headers the CPU twin runs.
// Symbols are plain C names so that the static check (tests/cuda/own_kernels_static_check.sh)
// finds each instantiation in ptxas's resource usage and in the PTX.
#include <cuda_runtime.h>

#include <string>

#include "kernels/cuda/index/gemm_program.hpp"
#include "kernels/cuda/own/device_machine.cuh"
#include "kernels/cuda/own/gemm_launch.hpp"
#include "kernels/cuda/own/launch_support.hpp"

namespace fp8check::cuda_own {
namespace {

using namespace cuda_index;

// Whether this architecture compiles the kernel's body: native FP8 from sm_89, the
// software path below it; the mma_sync shared-memory model below sm_90 and the wgmma one
// from sm_90 (the selector's profiles); elsewhere the kernel traps (the plan never
// launches it there: gemm_path_for_sm, smem_family_for_sm).
template <class Tile, class Path>
__device__ constexpr bool compiled_here() {
#if defined(__CUDA_ARCH__)
  constexpr int arch = __CUDA_ARCH__;
  return (Path::native ? arch >= 890 : arch < 890) && (Tile::family == SmemFamily::mma_sync ? arch < 900 : arch >= 900);
#else
  return false;
#endif
}

template <class Tile, class Path>
__device__ __forceinline__ void gemm_entry(const GemmKernelParams& p, int pass) {
  if constexpr (compiled_here<Tile, Path>()) {
    using Program = GemmProgram<Tile, Path>;
    typename Program::Regs regs;
    std::uint8_t* smem;
    if constexpr (Tile::static_smem) {
      __shared__ __align__(16) std::uint8_t buffer[Tile::smem_bytes];
      smem = buffer;
    } else {
      extern __shared__ __align__(16) std::uint8_t dynamic_smem[];
      smem = dynamic_smem;
    }
    DeviceMachine<typename Program::Regs> m(regs, smem, p.amax);
    if (pass == 0) Program::run(m, p, blockIdx.x, blockIdx.y, static_cast<int>(blockIdx.z));
    else Program::finish_split_k(m, p, blockIdx.x, blockIdx.y);
  } else {
    __trap();
  }
}

}  // namespace
}  // namespace fp8check::cuda_own

#define FP8C_GEMM_KERNEL(path, PathT, family, bm, bn, bk, s, ob, variant, as, bs)                                   \
  extern "C" __global__ void __launch_bounds__(                                                                   \
      fp8check::cuda_index::GemmTile<bm, bn, bk, s, fp8check::cuda_index::SmemFamily::family, ob, as, bs>::threads) \
      fp8check_gemm_##path##_##family##_bm##bm##_bn##bn##_bk##bk##_s##s##_o##ob##_##variant(                      \
          fp8check::cuda_index::GemmKernelParams p, int pass) {                                                   \
    fp8check::cuda_own::gemm_entry<                                                                               \
        fp8check::cuda_index::GemmTile<bm, bn, bk, s, fp8check::cuda_index::SmemFamily::family, ob, as, bs>,     \
        fp8check::cuda_index::PathT>(p, pass);                                                                    \
  }
#define FP8C_GEMM_VARIANTS(path, PathT, family, bm, bn, bk, s)                                  \
  FP8C_GEMM_KERNEL(path, PathT, family, bm, bn, bk, s, 1, outer, 0, 0)                          \
  FP8C_GEMM_KERNEL(path, PathT, family, bm, bn, bk, s, 1, blocked, bm, ((bn + 127) / 128))      \
  FP8C_GEMM_KERNEL(path, PathT, family, bm, bn, bk, s, 2, outer, 0, 0)                          \
  FP8C_GEMM_KERNEL(path, PathT, family, bm, bn, bk, s, 2, blocked, bm, ((bn + 127) / 128))      \
  FP8C_GEMM_KERNEL(path, PathT, family, bm, bn, bk, s, 4, outer, 0, 0)                          \
  FP8C_GEMM_KERNEL(path, PathT, family, bm, bn, bk, s, 4, blocked, bm, ((bn + 127) / 128))
#define FP8C_SOFTWARE_true(family, bm, bn, bk, s) FP8C_GEMM_VARIANTS(software, SoftwareBf16Path, family, bm, bn, bk, s)
#define FP8C_SOFTWARE_false(family, bm, bn, bk, s)
#define FP8C_TILE_KERNELS(family, bm, bn, bk, s, software)                 \
  FP8C_GEMM_VARIANTS(native, NativeFp8Path, family, bm, bn, bk, s)        \
  FP8C_SOFTWARE_##software(family, bm, bn, bk, s)
FP8CHECK_OWN_GEMM_TILES(FP8C_TILE_KERNELS)

namespace fp8check::cuda_own {
namespace {

#define FP8C_ENTRY(path, family, bm, bn, bk, s, ob, variant)                                             \
  {"fp8check_gemm_" #path "_" #family "_bm" #bm "_bn" #bn "_bk" #bk "_s" #s "_o" #ob "_" #variant,     \
   reinterpret_cast<const void*>(&fp8check_gemm_##path##_##family##_bm##bm##_bn##bn##_bk##bk##_s##s##_o##ob##_##variant)},
#define FP8C_ENTRIES(path, family, bm, bn, bk, s)                                                        \
  FP8C_ENTRY(path, family, bm, bn, bk, s, 1, outer) FP8C_ENTRY(path, family, bm, bn, bk, s, 1, blocked) \
  FP8C_ENTRY(path, family, bm, bn, bk, s, 2, outer) FP8C_ENTRY(path, family, bm, bn, bk, s, 2, blocked) \
  FP8C_ENTRY(path, family, bm, bn, bk, s, 4, outer) FP8C_ENTRY(path, family, bm, bn, bk, s, 4, blocked)
#define FP8C_ENTRIES_SOFTWARE_true(family, bm, bn, bk, s) FP8C_ENTRIES(software, family, bm, bn, bk, s)
#define FP8C_ENTRIES_SOFTWARE_false(family, bm, bn, bk, s)
#define FP8C_TILE_ENTRIES(family, bm, bn, bk, s, software) \
  FP8C_ENTRIES(native, family, bm, bn, bk, s) FP8C_ENTRIES_SOFTWARE_##software(family, bm, bn, bk, s)

const KernelEntry kKernels[] = {FP8CHECK_OWN_GEMM_TILES(FP8C_TILE_ENTRIES)};

const void* find_kernel(const OwnGemmKernel& k) { return find_kernel_symbol(kKernels, k.symbol()); }

}  // namespace

std::string own_gemm_kernel_loadable(const OwnGemmKernel& kernel) {
  return kernel_loadable(find_kernel(kernel), kernel.symbol());
}

std::string launch_own_gemm(const OwnGemmKernel& kernel, const GemmKernelParams& p, std::int64_t grid_x,
                            std::int64_t grid_y, int grid_z) {
  const void* f = find_kernel(kernel);
  if (f == nullptr) return not_compiled_text(kernel.symbol());
  if (std::string why = grid_beyond_limits(grid_x, grid_y, grid_z); !why.empty()) return why;
  if (grid_x == 0 || grid_y == 0) return "";  // no rows to compute (empty groups)
  const GemmSmemLayout layout = kernel.smem();
  const int dynamic = kernel.static_smem() ? 0 : layout.total;
  if (dynamic > 0) {
    const cudaError_t err = cudaFuncSetAttribute(f, cudaFuncAttributeMaxDynamicSharedMemorySize, dynamic);
    if (err != cudaSuccess) return cuda_error_text(err);
  }
  const dim3 block(static_cast<unsigned>(kernel.threads()));
  for (int pass = 0; pass < (p.split_k > 1 ? 2 : 1); ++pass) {
    const dim3 grid(static_cast<unsigned>(grid_x), static_cast<unsigned>(grid_y), pass == 0 ? static_cast<unsigned>(grid_z) : 1u);
    GemmKernelParams params = p;
    int which = pass;
    void* args[] = {&params, &which};
    if (cudaError_t err = cudaLaunchKernel(f, grid, block, args, static_cast<std::size_t>(dynamic), nullptr); err != cudaSuccess)
      return cuda_error_text(err);
  }
  if (cudaError_t err = cudaDeviceSynchronize(); err != cudaSuccess) return cuda_error_text(err);
  return "";
}

}  // namespace fp8check::cuda_own
