#include "kernels/emulated/gemm_schedule.hpp"

#include <algorithm>
#include <limits>

namespace fp8check {
namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// First multiple of `group` after k (kNever when the operand has no K groups).
std::int64_t next_group_boundary(std::int64_t k, std::int64_t group) {
  return group > 0 ? (k / group + 1) * group : kNever;
}

// The scale block the kernel reads for a run starting at k (gemm_fault.hpp for the bugs).
std::int64_t group_read(std::int64_t k, std::int64_t group, std::int64_t slice_begin, std::int64_t block_k,
                        GemmFault fault) {
  if (group <= 0) return 0;
  switch (fault) {
    case GemmFault::split_k_scale_offset_forgotten: return (k - slice_begin) / group;
    case GemmFault::scale_pointer_not_advanced: return (k / block_k) * (block_k / group) + (k % block_k) / group;
    default: return k / group;
  }
}

// The slices of the spec, [s * L, min(K, (s + 1) * L)) with L = ceil(ceil(K / S) / block_k) *
// block_k, each cut into runs: at every `every` k counted from the slice start (0: never), at
// the K-group boundaries of group_k_a / group_k_b, and where the K loop ends (K, or less
// under last_partial_k_block_skipped). Slices start at multiples of block_k, so cutting
// every block_k from the slice start cuts at the tiles.
std::vector<KSlice> cut_slices(std::int64_t k, const GemmConfig& config, std::int64_t every, std::int64_t group_k_a,
                               std::int64_t group_k_b, GemmFault fault) {
  const std::int64_t bk = config.block_k;
  const std::int64_t splits = config.split_k;
  const std::int64_t slice_length = ceil_div(ceil_div(k, splits), bk) * bk;
  // last_partial_k_block_skipped: the kernel's K loop ends at the last whole split-K round.
  const std::int64_t k_end = fault == GemmFault::last_partial_k_block_skipped ? (k / (bk * splits)) * (bk * splits) : k;
  std::vector<KSlice> slices(static_cast<std::size_t>(splits));
  for (std::int64_t s = 0; s < splits; ++s) {
    KSlice& slice = slices[static_cast<std::size_t>(s)];
    slice.begin = std::min(k, s * slice_length);
    slice.end = std::min(k, (s + 1) * slice_length);
    const std::int64_t stop = std::min(slice.end, k_end);
    for (std::int64_t run = slice.begin; run < stop;) {
      const std::int64_t cut = every > 0 ? slice.begin + ((run - slice.begin) / every + 1) * every : kNever;
      const std::int64_t run_end =
          std::min({stop, cut, next_group_boundary(run, group_k_a), next_group_boundary(run, group_k_b)});
      slice.runs.push_back({run, run_end, group_read(run, group_k_a, slice.begin, bk, fault),
                            group_read(run, group_k_b, slice.begin, bk, fault)});
      run = run_end;
    }
  }
  return slices;
}

}  // namespace

std::vector<KSlice> make_k_schedule(std::int64_t k, const GemmConfig& config, std::int64_t group_k_a,
                                    std::int64_t group_k_b, GemmFault fault) {
  return cut_slices(k, config, config.block_k, group_k_a, group_k_b, fault);
}

std::vector<KSlice> make_window_schedule(std::int64_t k, const GemmConfig& config, std::int64_t promotion_interval,
                                         std::int64_t group_k_a, std::int64_t group_k_b, GemmFault fault) {
  return cut_slices(k, config, promotion_interval, group_k_a, group_k_b, fault);
}

}  // namespace fp8check
