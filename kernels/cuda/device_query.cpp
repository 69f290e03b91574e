#include "kernels/cuda/device_query.hpp"

#include <cuda_runtime.h>

namespace fp8check::cuda {

std::optional<CudaDevice> query_cuda_device(std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<CudaDevice> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  int count = 0;
  if (const cudaError_t err = cudaGetDeviceCount(&count); err != cudaSuccess)
    return fail(std::string("no CUDA device: ") + cudaGetErrorString(err));
  if (count == 0) return fail("no CUDA device: cudaGetDeviceCount found none");
  cudaDeviceProp prop{};
  if (const cudaError_t err = cudaGetDeviceProperties(&prop, 0); err != cudaSuccess)
    return fail(std::string("no CUDA device: cudaGetDeviceProperties: ") + cudaGetErrorString(err));
  CudaDevice d;
  d.name = prop.name;
  d.capability = {prop.major, prop.minor};
  d.sm_count = prop.multiProcessorCount;
  std::string no_profile;
  d.profile = device_profile_for_capability(d.capability, &no_profile);
  if (!d.profile) return fail(d.name + ": " + no_profile);
  return d;
}

}  // namespace fp8check::cuda
