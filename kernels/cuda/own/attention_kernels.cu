// fp8check's own FP8 attention forward kernels: one extern "C" __global__ per row of the
// table (kernels/cuda/index/attention_plan.hpp), each running the block program of
// kernels/cuda/index/attention_program.hpp on the device machine, as gemm_kernels.cu does
// for the GEMM. Bodies from sm_89 (FP8 mma.sync); below it a trap stub (the plan never
// launches one there). All shared memory is dynamic (the layouts reach 89 KiB).
#include <cuda_runtime.h>

#include <string>

#include "kernels/cuda/index/attention_program.hpp"
#include "kernels/cuda/own/attention_launch.hpp"
#include "kernels/cuda/own/device_machine.cuh"
#include "kernels/cuda/own/launch_support.hpp"

namespace fp8check::cuda_own {
namespace {

using namespace cuda_index;

__device__ constexpr bool attention_compiled_here() {
#if defined(__CUDA_ARCH__)
  return __CUDA_ARCH__ >= 890;
#else
  return false;
#endif
}

template <class Tile>
__device__ __forceinline__ void attention_entry(const AttentionKernelParams& p) {
  if constexpr (attention_compiled_here()) {
    using Program = AttentionProgram<Tile>;
    typename Program::Regs regs;
    extern __shared__ __align__(16) std::uint8_t attention_smem[];
    DeviceMachine<typename Program::Regs> m(regs, attention_smem, nullptr);
    Program::run(m, p, blockIdx.x, blockIdx.y, blockIdx.z);
  } else {
    __trap();
  }
}

template <int D>
__device__ __forceinline__ void combine_entry(const AttentionKernelParams& p) {
  if constexpr (attention_compiled_here()) {
    using Program = AttentionCombineProgram<D>;
    typename Program::Regs regs;
    DeviceMachine<typename Program::Regs> m(regs, nullptr, nullptr);
    Program::run(m, p, blockIdx.x);
  } else {
    __trap();
  }
}

}  // namespace
}  // namespace fp8check::cuda_own

// __launch_bounds__(threads, 1): one resident block per SM is all a kernel asks for, so
// ptxas may give each thread up to 255 registers. Given the thread count alone, ptxas 13 for
// sm_100a held d128_bkv64_s2_pe4m3 to 128 registers and spilled 40 B. The bound changes
// register allocation, not the arithmetic (CUDA C++ Programming Guide, "Launch Bounds").
#define FP8C_ATTENTION_KERNEL(d, bkv, s, pname, pbf16)                                                            \
  extern "C" __global__ void __launch_bounds__(fp8check::cuda_index::AttentionTile<d, bkv, s, pbf16>::threads, 1) \
      fp8check_attention_d##d##_bkv##bkv##_s##s##_p##pname(fp8check::cuda_index::AttentionKernelParams p) {    \
    fp8check::cuda_own::attention_entry<fp8check::cuda_index::AttentionTile<d, bkv, s, pbf16>>(p);             \
  }
#define FP8C_ATTENTION_KERNELS(d, bkv, s) \
  FP8C_ATTENTION_KERNEL(d, bkv, s, e4m3, false) FP8C_ATTENTION_KERNEL(d, bkv, s, bf16, true)
FP8CHECK_OWN_ATTENTION_TILES(FP8C_ATTENTION_KERNELS)
// The kv splits' combine: one thread per row.
#define FP8C_COMBINE_KERNEL(d)                                                                                  \
  extern "C" __global__ void __launch_bounds__(fp8check::cuda_index::AttentionCombineProgram<d>::THREADS)      \
      fp8check_attention_combine_d##d(fp8check::cuda_index::AttentionKernelParams p) {                          \
    fp8check::cuda_own::combine_entry<d>(p);                                                                    \
  }
FP8CHECK_OWN_ATTENTION_COMBINE(FP8C_COMBINE_KERNEL)

namespace fp8check::cuda_own {
namespace {

#define FP8C_ATTENTION_ENTRY(d, bkv, s, pname) \
  {"fp8check_attention_d" #d "_bkv" #bkv "_s" #s "_p" #pname,   \
   reinterpret_cast<const void*>(&fp8check_attention_d##d##_bkv##bkv##_s##s##_p##pname)},
#define FP8C_ATTENTION_ENTRIES(d, bkv, s) FP8C_ATTENTION_ENTRY(d, bkv, s, e4m3) FP8C_ATTENTION_ENTRY(d, bkv, s, bf16)

#define FP8C_COMBINE_ENTRY(d) \
  {"fp8check_attention_combine_d" #d, reinterpret_cast<const void*>(&fp8check_attention_combine_d##d)},

const KernelEntry kKernels[] = {FP8CHECK_OWN_ATTENTION_TILES(FP8C_ATTENTION_ENTRIES)
                                    FP8CHECK_OWN_ATTENTION_COMBINE(FP8C_COMBINE_ENTRY)};

const void* find_kernel(const OwnAttentionKernel& k) { return find_kernel_symbol(kKernels, k.symbol()); }

}  // namespace

std::string own_attention_kernel_loadable(const OwnAttentionKernel& kernel) {
  return kernel_loadable(find_kernel(kernel), kernel.symbol());
}

std::string launch_own_attention(const OwnAttentionKernel& kernel, const AttentionKernelParams& p, std::int64_t grid_x,
                                 std::int64_t grid_y, std::int64_t grid_z, std::int64_t combine_blocks) {
  const void* f = find_kernel(kernel);
  if (f == nullptr) return not_compiled_text(kernel.symbol());
  if (std::string why = grid_beyond_limits(grid_x, grid_y, grid_z); !why.empty()) return why;
  if (std::string why = grid_beyond_limits(combine_blocks, 1, 1); !why.empty()) return "combine " + why;
  const int smem = kernel.smem_bytes();
  if (cudaError_t err = cudaFuncSetAttribute(f, cudaFuncAttributeMaxDynamicSharedMemorySize, smem); err != cudaSuccess)
    return cuda_error_text(err);
  AttentionKernelParams params = p;
  void* args[] = {&params};
  const dim3 grid(static_cast<unsigned>(grid_x), static_cast<unsigned>(grid_y), static_cast<unsigned>(grid_z));
  if (cudaError_t err = cudaLaunchKernel(f, grid, dim3(static_cast<unsigned>(kernel.threads())), args,
                                         static_cast<std::size_t>(smem), nullptr);
      err != cudaSuccess)
    return cuda_error_text(err);
  if (combine_blocks > 0) {
    const void* combine = find_kernel_symbol(kKernels, kernel.combine_symbol());
    if (combine == nullptr) return not_compiled_text(kernel.combine_symbol());
    if (cudaError_t err = cudaLaunchKernel(combine, dim3(static_cast<unsigned>(combine_blocks)),
                                           dim3(AttentionCombineProgram<64>::THREADS), args, 0, nullptr);
        err != cudaSuccess)
      return cuda_error_text(err);
  }
  if (cudaError_t err = cudaDeviceSynchronize(); err != cudaSuccess) return cuda_error_text(err);
  return "";
}

}  // namespace fp8check::cuda_own
