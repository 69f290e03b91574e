// The order of accumulation along K, shared by every output element: split-K slices,
// each cut into runs (docs/accumulation.md, "Segments", "Kernel models"). The emulated
// kernel follows this list; the plain reference (gemm_emulated_reference.cpp) re-derives
// the same order from the spec on its own, and the tests compare the two bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/configs/gemm_config.hpp"
#include "kernels/emulated/gemm_fault.hpp"

namespace fp8check {

// Consecutive k summed together. fp32 and exact: a segment (block_k tile ∩ scale group),
// whose products are summed into one FP32 (exact: FP64) run sum that starts at the first
// product. Kernel models: a window, the instructions between two promotions.
struct KRun {
  std::int64_t begin = 0;  // first k
  std::int64_t end = 0;    // one past the last k
  std::int64_t group_a = 0;  // K scale-block index the kernel reads for A (0 if A is not K-blocked)
  std::int64_t group_b = 0;  // ... for B
};

struct KSlice {
  std::int64_t begin = 0;  // k range [begin, end) of the split-K slice; may be empty
  std::int64_t end = 0;
  std::vector<KRun> runs;
};

// fp32 and exact: the segments. group_k_a / group_k_b: K extent of an operand's scale
// blocks, 0 when it is not K-blocked. `fault` may alter the runs (gemm_fault.hpp);
// padding_rows_read does not touch K.
std::vector<KSlice> make_k_schedule(std::int64_t k, const GemmConfig& config, std::int64_t group_k_a,
                                    std::int64_t group_k_b, GemmFault fault);

// Kernel models: the windows. A window ends every `promotion_interval` k counted from the
// slice start (0: never), at every K-group boundary of an operand whose scales are applied
// at promotion (group_k_a / group_k_b; 0: none), and at the slice's (or, with the fault
// last_partial_k_block_skipped, the K loop's) end.
std::vector<KSlice> make_window_schedule(std::int64_t k, const GemmConfig& config, std::int64_t promotion_interval,
                                         std::int64_t group_k_a, std::int64_t group_k_b, GemmFault fault);

}  // namespace fp8check
