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

// The slices of the spec: [s * L, min(K, (s + 1) * L)) with L = ceil(ceil(K / S) / block_k) * block_k;
// `stop`: where the K loop ends (K, or less under last_partial_k_block_skipped).
std::vector<KSlice> slices_of(std::int64_t k, const GemmConfig& config, GemmFault fault, std::int64_t& stop) {
  const std::int64_t bk = config.block_k;
  const std::int64_t splits = config.split_k;
  const std::int64_t slice_length = ceil_div(ceil_div(k, splits), bk) * bk;
  // last_partial_k_block_skipped: the kernel's K loop ends at the last whole split-K round.
  stop = fault == GemmFault::last_partial_k_block_skipped ? (k / (bk * splits)) * (bk * splits) : k;
  std::vector<KSlice> slices(static_cast<std::size_t>(splits));
  for (std::int64_t s = 0; s < splits; ++s) {
    slices[static_cast<std::size_t>(s)].begin = std::min(k, s * slice_length);
    slices[static_cast<std::size_t>(s)].end = std::min(k, (s + 1) * slice_length);
  }
  return slices;
}

}  // namespace

std::vector<KSlice> make_k_schedule(std::int64_t k, const GemmConfig& config, std::int64_t group_k_a,
                                    std::int64_t group_k_b, GemmFault fault) {
  const std::int64_t bk = config.block_k;
  std::int64_t k_end = k;
  std::vector<KSlice> slices = slices_of(k, config, fault, k_end);
  for (KSlice& slice : slices) {
    const std::int64_t stop = std::min(slice.end, k_end);
    for (std::int64_t seg = slice.begin; seg < stop;) {
      const std::int64_t tile_end = std::min(stop, (seg / bk + 1) * bk);
      const std::int64_t seg_end =
          std::min({tile_end, next_group_boundary(seg, group_k_a), next_group_boundary(seg, group_k_b)});
      slice.runs.push_back({seg, seg_end, group_read(seg, group_k_a, slice.begin, bk, fault),
                            group_read(seg, group_k_b, slice.begin, bk, fault)});
      seg = seg_end;
    }
  }
  return slices;
}

std::vector<KSlice> make_window_schedule(std::int64_t k, const GemmConfig& config, std::int64_t promotion_interval,
                                         std::int64_t group_k_a, std::int64_t group_k_b, GemmFault fault) {
  const std::int64_t bk = config.block_k;
  std::int64_t k_end = k;
  std::vector<KSlice> slices = slices_of(k, config, fault, k_end);
  for (KSlice& slice : slices) {
    const std::int64_t stop = std::min(slice.end, k_end);
    for (std::int64_t w = slice.begin; w < stop;) {
      const std::int64_t interval_end =
          promotion_interval > 0 ? slice.begin + ((w - slice.begin) / promotion_interval + 1) * promotion_interval : kNever;
      const std::int64_t w_end =
          std::min({stop, interval_end, next_group_boundary(w, group_k_a), next_group_boundary(w, group_k_b)});
      slice.runs.push_back({w, w_end, group_read(w, group_k_a, slice.begin, bk, fault),
                            group_read(w, group_k_b, slice.begin, bk, fault)});
      w = w_end;
    }
  }
  return slices;
}

}  // namespace fp8check
