// What a GPU generation offers a kernel, as data. Config selection reads only this,
// so tests can invent profiles and the selector runs on machines without a GPU.
// Values: CUDA C++ Programming Guide, "Compute Capabilities" tables (shared memory
// per SM and per block opt-in), PTX ISA (mma / wgmma operand types per target).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/core/element_type.hpp"

namespace fp8check {

struct DeviceProfile {
  std::string name;      // "sm_90"
  std::string examples;  // "H100, H200"
  int sm_version = 0;    // 90
  int num_sms = 0;       // of the example part used for wave estimates
  int smem_per_block_optin = 0;  // bytes (cudaDevAttrMaxSharedMemoryPerBlockOptin)
  int smem_per_sm = 0;           // bytes
  int regs_per_sm = 65536;
  int max_regs_per_thread = 255;
  int global_alignment_bytes = 16;  // TMA and cp.async move 16-byte aligned rows
  bool native_fp8 = false;        // FP8 tensor-core MMA (mma.sync e4m3/e5m2: sm_89+)
  bool warpgroup_mma = false;     // wgmma + TMA + thread-block clusters (sm_90)
  bool block_scaled_mma = false;  // MX/NVFP4 block-scaled MMA (sm_100, sm_120)
  // Formats without native FP8 that Triton converts in software on this device
  // (Triton: "supported fp8 dtypes are ('fp8e4b15', 'fp8e5')" on sm_86).
  std::vector<Format> software_fp8_formats;
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

  // Whether a kernel on this device can take operands of this type, and if not why
  // (empty string = supported).
  std::string why_unsupported(ElementType t) const;
};

// The built-in profiles: sm_80, sm_86, sm_89, sm_90, sm_100, sm_120.
const std::vector<DeviceProfile>& builtin_device_profiles();
// By name ("sm_90", "90", "h100" ...); InputError listing the known names.
const DeviceProfile& find_device_profile(std::string_view name);

}  // namespace fp8check
