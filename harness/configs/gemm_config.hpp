// A GEMM configuration: how a kernel tiles and pipelines one problem. Configs
// matter twice: they must fit the device (shared memory, alignment; see
// gemm_selector.hpp) and, through block_k and split-K, they fix the order of the
// FP32 accumulation, hence the bits (kernels/emulated/accumulation_model.hpp).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace fp8check {

// How split-K partial sums are combined (a different order gives different bits).
enum class SplitKReduction : std::uint8_t {
  sequential,  // ((p0 + p1) + p2) + ...: one workspace reduced in slice order
  tree,        // pairwise: (p0 + p1) + (p2 + p3), ...
};

struct GemmConfig {
  int block_m = 128;
  int block_n = 128;
  int block_k = 128;
  int stages = 4;    // shared-memory pipeline depth (A and B tiles in flight)
  int split_k = 1;   // K slices computed independently, then reduced
  SplitKReduction reduction = SplitKReduction::sequential;
  int cluster_m = 1;  // thread-block cluster (TMA multicast) shape, sm_90+
  int cluster_n = 1;

  // Stable, readable id: "bm128.bn128.bk128.s4" (+ ".sk2.tree", ".c2x1" when not default).
  std::string id() const;
  // Throws InputError naming the field when a value is out of range.
  void validate() const;
  friend bool operator==(const GemmConfig&, const GemmConfig&) = default;
};

std::ostream& operator<<(std::ostream& os, const GemmConfig& c);
// Parses an id back ("bm128.bn64.bk128.s3.sk2"); InputError on bad text.
GemmConfig parse_gemm_config(const std::string& id);

}  // namespace fp8check
