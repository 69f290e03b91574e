// The `cuda` backend: fp8check's own CUDA kernels (docs/cuda-kernels.md). Registered by the
// backend registry when fp8check is built with CUDA; without a device every case skips
// with "no CUDA device: ...". can_implement names what it has no kernel for (formats,
// devices, recipes, configs); a CUDA error at run time becomes the case's error verdict
// with the error's name, never an abort.
#pragma once

#include <memory>
#include <string>

#include "harness/backend/backend.hpp"

namespace fp8check::cuda_own {

// The device the backend runs on: compute capability as 10 * major + minor, and its name;
// sm = 0 with `why` when there is none.
struct CudaDevice {
  int sm = 0;
  std::string name;
  std::string why;  // "no CUDA device: cudaErrorNoDevice: no CUDA-capable device is detected"
};
CudaDevice current_cuda_device();

std::unique_ptr<Backend> make_cuda_backend(const BackendOptions& options);

}  // namespace fp8check::cuda_own
