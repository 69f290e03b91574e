// What a GPU generation offers a kernel, as data. Config selection reads only this,
// so tests can invent profiles and the selector runs on machines without a GPU.
// Values: CUDA C++ Programming Guide, "Compute Capabilities" tables (shared memory
// per SM and per block opt-in), PTX ISA (mma / wgmma operand types per target).
// Which formats a kernel can take on a device is not the device's alone: it belongs to a
// (kernel family, device) pair (kernel_family.hpp).
#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/element_type.hpp"

namespace fp8check {

// A CUDA compute capability (cudaDeviceProp major, minor). Capability gates compare these
// as tuples ({8, 9} <= c), never as names or as 10 * major + minor.
struct ComputeCapability {
  int major = 0;
  int minor = 0;
  friend constexpr auto operator<=>(const ComputeCapability&, const ComputeCapability&) = default;
};
std::string capability_name(ComputeCapability c);  // "sm_90", "sm_120"

struct DeviceProfile {
  std::string name;      // "sm_90"
  std::string examples;  // "H100, H200"
  ComputeCapability capability;  // {9, 0}; {0, 0} for the "cpu" profile
  int num_sms = 0;       // of the example part used for wave estimates
  int smem_per_block_optin = 0;  // bytes (cudaDevAttrMaxSharedMemoryPerBlockOptin)
  int smem_per_sm = 0;           // bytes
  int regs_per_sm = 65536;
  int max_regs_per_thread = 255;
  int global_alignment_bytes = 16;  // TMA and cp.async move 16-byte aligned rows
  bool native_fp8 = false;        // FP8 tensor-core MMA (mma.sync e4m3/e5m2: sm_89+)
  bool warpgroup_mma = false;     // wgmma + TMA + thread-block clusters (sm_90)
  bool block_scaled_mma = false;  // MX/NVFP4 block-scaled MMA (sm_100, sm_120)
  // Dense tensor-core peaks of the part named in peak_part, in TFLOP/s (vendor datasheets,
  // boost clock, without sparsity); 0 where the part has no such path or no figure is
  // recorded. A device backend's "peak_fraction" metric divides by these.
  std::string peak_part;       // "H100 SXM5"
  double peak_tflops_16 = 0;   // bf16/fp16 inputs, FP32 accumulation
  double peak_tflops_fp8 = 0;  // e4m3/e5m2 inputs, FP32 accumulation
  double peak_tflops_fp4 = 0;  // e2m1 block-scaled inputs
  // The "cpu" profile: the emulated backend itself, which runs any format, layout and
  // alignment (no device constraint applies; configs still model a tiled kernel).
  bool unconstrained = false;
  // The arithmetic a GEMM runs on this device by default, what a case with accumulation =
  // "device" emulates (docs/accumulation.md, "Device defaults"): the kernel model of FP8
  // (e4m3fn/e5m2) operands, "fp32" where the device has no FP8 tensor cores or fp8check no
  // model of them; and whether MX / NVFP4 recipes run the sm_100 block-scaled kernel models
  // (sm100-mxf8, sm100-mxf4, sm100-nvf4). Other operands accumulate as "fp32".
  std::string kernel_model = "fp32";
  bool block_scaled_kernel_models = false;

  // The peak for operands of type t (the wider of A's and B's), 0 when none is recorded.
  double peak_tflops(ElementType a, ElementType b) const;
};

// The built-in profiles: sm_80, sm_86, sm_89, sm_90, sm_100, sm_120, and "cpu". This is
// the one table device questions read: names, capabilities, resources and peaks.
const std::vector<DeviceProfile>& builtin_device_profiles();
// By name ("sm_90", "90", "h100" ...); InputError listing the known names.
const DeviceProfile& find_device_profile(std::string_view name);

// The profile of a GPU that reports compute capability `c` (the device query's answer):
// the profile with that capability, else the newest one of the same major version below it
// (sm_87 -> sm_86, sm_103 -> sm_100, sm_121 -> sm_120: a later minor version of a
// generation keeps what the earlier one offers). nullptr, with the reason in *why, when no
// profile fits (sm_75, a major version fp8check has no profile for).
const DeviceProfile* device_profile_for_capability(ComputeCapability c, std::string* why = nullptr);

}  // namespace fp8check
