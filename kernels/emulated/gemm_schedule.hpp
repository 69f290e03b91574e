// The order of accumulation along K, shared by every output element: split-K slices,
// each cut into runs (docs/accumulation.md, "Segments", "Model 2"). The emulated kernel
// follows this list; the plain reference (gemm_emulated_reference.cpp) re-derives the
// same order from the spec on its own, and the tests compare the two bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/configs/gemm_config.hpp"
#include "kernels/emulated/accumulation_model.hpp"
#include "kernels/emulated/gemm_fault.hpp"

namespace fp8check {

// Consecutive k whose products are summed into one FP32 (model 3: FP64) run sum that
// starts at the first product. Models 1 and 3: a segment (block_k tile ∩ scale group);
// model 2: an MMA chunk (at most mma_k k inside one segment).
struct KRun {
  std::int64_t begin = 0;  // first k
  std::int64_t end = 0;    // one past the last k
  std::int64_t group_a = 0;  // K scale-block index the kernel reads for A (0 if A is not K-blocked)
  std::int64_t group_b = 0;  // ... for B
  bool promote = false;      // model 2: fold the running sum into the master accumulator after this run
};

struct KSlice {
  std::int64_t begin = 0;  // k range [begin, end) of the split-K slice; may be empty
  std::int64_t end = 0;
  std::vector<KRun> runs;
};

// group_k_a / group_k_b: K extent of an operand's scale blocks, 0 when it is not K-blocked.
// Integer operands accumulate exactly, so callers pass model 1 for them (any model).
// `fault` may alter the runs (gemm_fault.hpp); padding_rows_read does not touch K.
std::vector<KSlice> make_k_schedule(std::int64_t k, const GemmConfig& config, const AccumulationModel& model,
                                    std::int64_t group_k_a, std::int64_t group_k_b, GemmFault fault);

}  // namespace fp8check
