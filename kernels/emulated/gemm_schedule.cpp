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

bool on_group_boundary(std::int64_t k, std::int64_t group) { return group > 0 && k % group == 0; }

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

}  // namespace

std::vector<KSlice> make_k_schedule(std::int64_t k, const GemmConfig& config, const AccumulationModel& model,
                                    std::int64_t group_k_a, std::int64_t group_k_b, GemmFault fault) {
  const std::int64_t bk = config.block_k;
  const std::int64_t splits = config.split_k;
  const std::int64_t slice_length = ceil_div(ceil_div(k, splits), bk) * bk;  // L of the spec
  // last_partial_k_block_skipped: the kernel's K loop ends at the last whole split-K round.
  const std::int64_t k_end =
      fault == GemmFault::last_partial_k_block_skipped ? (k / (bk * splits)) * (bk * splits) : k;
  const bool chunked = model.kind == AccumulationModel::Kind::tensor_core;
  const std::int64_t interval = model.promotion_interval;

  std::vector<KSlice> slices(static_cast<std::size_t>(splits));
  for (std::int64_t s = 0; s < splits; ++s) {
    KSlice& slice = slices[static_cast<std::size_t>(s)];
    slice.begin = std::min(k, s * slice_length);
    slice.end = std::min(k, (s + 1) * slice_length);
    const std::int64_t stop = std::min(slice.end, k_end);
    for (std::int64_t seg = slice.begin; seg < stop;) {
      const std::int64_t tile_end = std::min(stop, (seg / bk + 1) * bk);
      const std::int64_t seg_end =
          std::min({tile_end, next_group_boundary(seg, group_k_a), next_group_boundary(seg, group_k_b)});
      const std::int64_t ga = group_read(seg, group_k_a, slice.begin, bk, fault);
      const std::int64_t gb = group_read(seg, group_k_b, slice.begin, bk, fault);
      if (!chunked) {
        slice.runs.push_back({seg, seg_end, ga, gb, false});
      } else {
        for (std::int64_t c = seg; c < seg_end;) {
          const std::int64_t c_end = std::min(seg_end, c + model.mma_k);
          // Promote at the first chunk end at or past each multiple of the interval
          // (counted from the slice start), and at every scale-group boundary.
          const bool interval_reached =
              interval > 0 && (c_end - slice.begin) / interval > (c - slice.begin) / interval;
          const bool promote =
              interval_reached || on_group_boundary(c_end, group_k_a) || on_group_boundary(c_end, group_k_b);
          slice.runs.push_back({c, c_end, ga, gb, promote});
          c = c_end;
        }
      }
      seg = seg_end;
    }
    if (!slice.runs.empty()) slice.runs.back().promote = true;  // the slice's result leaves the MMA
  }
  return slices;
}

}  // namespace fp8check
