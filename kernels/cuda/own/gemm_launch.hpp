// Launching fp8check's own GEMM kernels (gemm_kernels.cu): one instantiation of the table
// (kernels/cuda/index/gemm_kernel_table.hpp) on a plan whose pointers are device pointers.
// Plain C++ header: the cuda backend includes it without CUDA headers.
#pragma once

#include <string>

#include "kernels/cuda/index/gemm_kernel_table.hpp"
#include "kernels/cuda/index/gemm_params.hpp"

namespace fp8check::cuda_own {

// Launches pass 0 (the K loop; with split-K the partials) and, with split-K, pass 1 (the
// reduction and the epilogue) on the default stream. Returns "" or the CUDA error's name
// and text ("cudaErrorNoKernelImageForDevice: no kernel image is available ...").
std::string launch_own_gemm(const cuda_index::OwnGemmKernel& kernel, const cuda_index::GemmKernelParams& device_params,
                            std::int64_t grid_x, std::int64_t grid_y, int grid_z);

// "" when the kernel has an image for the current device (the build's architectures),
// otherwise the CUDA error.
std::string own_gemm_kernel_loadable(const cuda_index::OwnGemmKernel& kernel);

}  // namespace fp8check::cuda_own
