// Chooses attention configs for a problem on a device, and explains itself, as
// gemm_selector.hpp does for GEMMs:
//  - a problem the device cannot run is rejected up front by a named constraint (FP8 without
//    native FP8 MMA, head dim above 256, unaligned head rows), never by an empty list;
//  - every other problem gets ranked candidates with their shared-memory bytes, register
//    estimate and why they fit, and every rejected config comes with its reason
//    ("kind: ...", e.g. "splits: 4 > 2 kv block(s) ...");
//  - an empty list for a supported problem is an InternalError (tests sweep shape grids on
//    every profile to show it cannot happen: the smallest config always fits).
// The models (shared memory, registers, cost) rank; they do not claim GPU timings.
// docs/attention.md, "Configs", gives them.
#pragma once

#include <string>
#include <vector>

#include "harness/configs/attention_config.hpp"
#include "harness/configs/device_profile.hpp"
#include "harness/problem/attention_desc.hpp"

namespace fp8check {

struct AttentionCandidate {
  AttentionConfig config;
  int smem_bytes = 0;
  int regs_per_thread = 0;  // estimate: S, P and O fragments of one thread + fixed overhead
  std::int64_t ctas = 0;    // batch x q_heads x query tiles x splits
  int waves = 0;            // ceil(ctas / concurrent CTAs)
  double padding = 0;       // fraction of computed query rows outside the problem
  double cost = 0;          // relative cost estimate used for ranking (lower is better)
  std::string why;
};

struct RejectedAttentionConfig {
  AttentionConfig config;
  std::string reason;  // "kind: detail"
};

struct AttentionSelection {
  std::string mma_path;  // "wgmma-tma" (sm_90, sm_100) or "mma-sync" (sm_89, sm_120)
  std::vector<AttentionCandidate> candidates;  // ranked, best first; never empty
  std::vector<RejectedAttentionConfig> rejected;
};

// Empty when the device can run the problem; otherwise the constraint and what would fix it.
std::string why_attention_unsupported(const AttentionDesc& problem, const DeviceProfile& device);

// Throws InputError with why_attention_unsupported() for an unsupported problem.
AttentionSelection select_attention_configs(const AttentionDesc& problem, const DeviceProfile& device);

// One given config (config = explicit in suites): a candidate, or the reason it is rejected.
struct AttentionConfigVerdict {
  bool fits = false;
  AttentionCandidate candidate;
  std::string reason;
};
AttentionConfigVerdict evaluate_attention_config(const AttentionDesc& problem, const DeviceProfile& device,
                                                 const AttentionConfig& config);

}  // namespace fp8check
