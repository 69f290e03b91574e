// The GPU this process would run on, as the device backends need it: name, compute
// capability, SM count and the fp8check profile that capability maps to (one table:
// device_profile_for_capability). Plain C++ (no CUDA types), so .cpp files can use it.
#pragma once

#include <optional>
#include <string>

#include "harness/configs/device_profile.hpp"

namespace fp8check::cuda {

struct CudaDevice {
  int index = 0;
  std::string name;               // "NVIDIA H100 80GB HBM3"
  ComputeCapability capability;   // {9, 0}
  int sm_count = 0;
  const DeviceProfile* profile = nullptr;  // never null in a returned device
};

// Device 0, or nullopt with the reason in *why: "no CUDA device: <cudaGetErrorString>", or
// a capability fp8check has no profile for. Never throws.
std::optional<CudaDevice> query_cuda_device(std::string* why);

}  // namespace fp8check::cuda
