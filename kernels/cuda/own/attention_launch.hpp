// Launching fp8check's own FP8 attention kernel (attention_kernels.cu): one instantiation of
// the table (kernels/cuda/index/attention_plan.hpp) on parameters whose pointers are device
// pointers. Plain C++ header: the cuda backend includes it without CUDA headers.
#pragma once

#include <cstdint>
#include <string>

#include "kernels/cuda/index/attention_plan.hpp"

namespace fp8check::cuda_own {

// Launches the kernel and, with kv splits (combine_blocks > 0), the combine kernel of its
// head dim on the default stream and waits for them. Returns "" or the CUDA error's name and text.
std::string launch_own_attention(const cuda_index::OwnAttentionKernel& kernel,
                                 const cuda_index::AttentionKernelParams& device_params, std::int64_t grid_x,
                                 std::int64_t grid_y, std::int64_t grid_z, std::int64_t combine_blocks);

// "" when the kernel has an image for the current device (the build's architectures),
// otherwise the CUDA error.
std::string own_attention_kernel_loadable(const cuda_index::OwnAttentionKernel& kernel);

}  // namespace fp8check::cuda_own
