// What the config selector says of each instantiated own GEMM kernel: the shared memory
// its model gives the kernel's config, on the profile whose model the kernel follows
// (sm_89 for mma_sync, sm_90 for wgmma), for a problem of the kernel's output type and
// scale variant. Shared by the layout test and the static check's expectations.
#pragma once

#include <string>

#include "harness/configs/gemm_selector.hpp"
#include "kernels/cuda/index/gemm_kernel_table.hpp"

namespace fp8check::test {

inline const DeviceProfile& profile_of(cuda_index::SmemFamily f) {
  return find_device_profile(f == cuda_index::SmemFamily::mma_sync ? "sm_89" : "sm_90");
}

// A problem the kernel's config fits (K long enough for every stage), of its output type
// and scales.
inline GemmDesc desc_of(const cuda_index::OwnGemmKernel& k) {
  GemmDesc d;
  d.m = 4096;
  d.n = 4096;
  d.k = 8192;
  d.d_type = k.out_bytes == 1 ? OutputType::e4m3fn : k.out_bytes == 2 ? OutputType::bf16 : OutputType::fp32;
  if (k.scales == cuda_index::ScaleVariant::blocked) {
    d.a_scale = {1, 128};
    d.b_scale = {128, 128};
  } else {
    d.a_scale = {0, 0};
    d.b_scale = {0, 0};
  }
  return d;
}

// The selector's verdict on the kernel's config (fits, smem_bytes, regs estimate, reason).
inline ConfigVerdict selector_verdict(const cuda_index::OwnGemmKernel& k) {
  return evaluate_gemm_config(desc_of(k), profile_of(k.family), k.config());
}

}  // namespace fp8check::test
