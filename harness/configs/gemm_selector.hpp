// Chooses GEMM configs for a problem on a device, and explains itself.
// DeepGEMM's selector once returned an EMPTY set of pipeline-stage candidates for
// K = 128 (it kept stages s <= K / block_k from {8..2}; one K tile left none). Here:
//  - a problem the device cannot run is rejected up front by a named constraint
//    (dtype, layout, alignment), never by an empty list;
//  - every other problem gets ranked candidates, each with its shared-memory bytes
//    and why it fits, and every rejected config comes with its reason;
//  - an empty list for a supported problem is an InternalError (tests sweep shape
//    grids on every profile to show it cannot happen).
// The cost model ranks; it does not claim GPU timings. See docs/configs.md.
#pragma once

#include <string>
#include <vector>

#include "harness/configs/device_profile.hpp"
#include "harness/configs/gemm_config.hpp"
#include "harness/configs/kernel_family.hpp"
#include "harness/problem/gemm_desc.hpp"

namespace fp8check {

struct ConfigCandidate {
  GemmConfig config;
  int smem_bytes = 0;
  int regs_per_thread = 0;  // estimate: accumulators + fixed overhead
  int waves = 0;            // ceil(tiles / SMs)
  double padding = 0;       // fraction of computed tile elements outside the problem
  double cost = 0;          // relative cost estimate used for ranking (lower is better)
  std::string why;          // "smem 147456/232448 B, 3 stages <= 56 k-tiles, ..."
};

struct RejectedConfig {
  GemmConfig config;
  std::string reason;
};

struct GemmSelection {
  std::string mma_path;  // "wgmma-tma" (sm_90, sm_100) or "mma-sync" (sm_80..sm_89, sm_120)
  std::vector<ConfigCandidate> candidates;  // ranked, best first; never empty
  std::vector<RejectedConfig> rejected;
};

// Empty when kernels of `family` can run the problem on the device; otherwise the
// constraint it violates and what would fix it, e.g. "K = 129: K-major e4m3fn rows must be
// 16-byte aligned (K % 16 == 0): pad K to 144". Operand types follow the family's table
// (kernel_family.hpp); layout and alignment rules are the device's.
std::string why_gemm_unsupported(const GemmDesc& problem, const DeviceProfile& device,
                                 KernelFamily family = KernelFamily::tensor_core);

// Throws InputError with why_gemm_unsupported() for an unsupported problem.
GemmSelection select_gemm_configs(const GemmDesc& problem, const DeviceProfile& device,
                                  KernelFamily family = KernelFamily::tensor_core);

// Evaluates one given config (config = explicit in suites): a candidate, or the reason it is rejected.
struct ConfigVerdict {
  bool fits = false;
  ConfigCandidate candidate;
  std::string reason;
};
ConfigVerdict evaluate_gemm_config(const GemmDesc& problem, const DeviceProfile& device, const GemmConfig& config);

}  // namespace fp8check
