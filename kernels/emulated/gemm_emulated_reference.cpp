// docs/accumulation.md read literally, one output element at a time. Each slice walks
// k one by one; a segment (tile ∩ scale group) or MMA chunk opens where the spec says
// one begins, and is folded when the next opens or the slice ends. No code is shared
// with the fast path beyond the operand views and the fault definitions.
#include "kernels/emulated/gemm_emulated_reference.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "harness/core/convert.hpp"
#include "kernels/emulated/round_mantissa.hpp"

namespace fp8check {
namespace {

struct Element {
  const GemmOperand& a;
  const GemmOperand& b;
  const GemmConfig& config;
  const AccumulationModel& model;
  GemmFault fault;
  std::int64_t a_batch, b_batch, m, n;

  bool k_blocked() const { return a.k_blocked() || b.k_blocked(); }
  // A segment starts at the slice start, at every block_k tile and at every scale group.
  bool segment_starts(std::int64_t kk, std::int64_t slice_begin) const {
    const std::int64_t ga = a.scale_group_k(), gb = b.scale_group_k();
    return kk == slice_begin || kk % config.block_k == 0 || (ga > 0 && kk % ga == 0) || (gb > 0 && kk % gb == 0);
  }
  bool on_group_boundary(std::int64_t kk) const {
    const std::int64_t ga = a.scale_group_k(), gb = b.scale_group_k();
    return (ga > 0 && kk % ga == 0) || (gb > 0 && kk % gb == 0);
  }
  // The scale block read for a segment that starts at k0 (gemm_fault.hpp for the bugs).
  std::int64_t group_read(std::int64_t k0, std::int64_t group, std::int64_t slice_begin) const {
    if (group == 0) return 0;
    const std::int64_t bk = config.block_k;
    if (fault == GemmFault::split_k_scale_offset_forgotten) return (k0 - slice_begin) / group;
    if (fault == GemmFault::scale_pointer_not_advanced) return (k0 / bk) * (bk / group) + (k0 % bk) / group;
    return k0 / group;
  }
  float scale_a(std::int64_t k0, std::int64_t s0) const { return a.scale_of_group(a_batch, m, group_read(k0, a.scale_group_k(), s0)); }
  float scale_b(std::int64_t k0, std::int64_t s0) const { return b.scale_of_group(b_batch, n, group_read(k0, b.scale_group_k(), s0)); }
  float a_at(std::int64_t kk) const { return static_cast<float>(a.element(a_batch, m, kk)); }
  float b_at(std::int64_t kk) const { return static_cast<float>(b.element(b_batch, n, kk)); }
};

// Model 1 (T = float) and model 3 (T = double) on float elements: one slice.
template <typename T>
T slice_segments(const Element& e, std::int64_t begin, std::int64_t end) {
  T acc = 0, seg = 0;
  std::int64_t seg_k0 = -1;
  auto fold = [&] {
    if (seg_k0 < 0) return;
    acc = e.k_blocked() ? acc + seg * (T(e.scale_a(seg_k0, begin)) * T(e.scale_b(seg_k0, begin))) : acc + seg;
  };
  for (std::int64_t kk = begin; kk < end; ++kk) {
    const T product = T(e.a_at(kk)) * T(e.b_at(kk));
    if (e.segment_starts(kk, begin)) {
      fold();
      seg = product;  // a segment sum starts at its first product
      seg_k0 = kk;
    } else {
      seg = seg + product;
    }
  }
  fold();
  return acc;
}

// Model 2 on float elements: chunks of mma_k inside segments; r kept to p bits; promotion.
float slice_tensor_core(const Element& e, std::int64_t begin, std::int64_t end) {
  const AccumulationModel& md = e.model;
  float master = 0, r = 0, c = 0;
  std::int64_t chunk_k0 = -1, seg_k0 = -1;
  auto close_chunk = [&](std::int64_t chunk_end, bool last) {
    if (chunk_k0 < 0) return;
    r = round_mantissa(r + c, md.mantissa_bits, md.truncate);
    const std::int64_t n = md.promotion_interval;
    const bool promote = last || e.on_group_boundary(chunk_end) ||
                         (n > 0 && (chunk_end - begin) / n > (chunk_k0 - begin) / n);
    if (!promote) return;
    master = e.k_blocked() ? master + r * (e.scale_a(seg_k0, begin) * e.scale_b(seg_k0, begin)) : master + r;
    r = 0;
  };
  for (std::int64_t kk = begin; kk < end; ++kk) {
    const float product = e.a_at(kk) * e.b_at(kk);
    const bool new_segment = e.segment_starts(kk, begin);
    if (new_segment || kk - chunk_k0 == md.mma_k) {
      close_chunk(kk, false);
      if (new_segment) seg_k0 = kk;
      chunk_k0 = kk;
      c = product;
    } else {
      c = c + product;
    }
  }
  close_chunk(end, true);
  return master;
}

// Integer elements: exact int64 segment sums. Outer recipes sum them in integers; K-blocked
// recipes convert each segment sum to T and add it scaled.
template <typename T>
T slice_integer(const Element& e, std::int64_t begin, std::int64_t end, std::int64_t& exact_total) {
  T acc = 0;
  std::int64_t seg = 0, seg_k0 = -1;
  auto fold = [&] {
    if (seg_k0 < 0) return;
    if (!e.k_blocked()) exact_total += seg;
    else acc = acc + T(seg) * (T(e.scale_a(seg_k0, begin)) * T(e.scale_b(seg_k0, begin)));
  };
  for (std::int64_t kk = begin; kk < end; ++kk) {
    const auto product = static_cast<std::int64_t>(e.a.element(e.a_batch, e.m, kk) * e.b.element(e.b_batch, e.n, kk));
    if (e.segment_starts(kk, begin)) {
      fold();
      seg = product;
      seg_k0 = kk;
    } else {
      seg += product;
    }
  }
  fold();
  return acc;
}

// Pairwise: split at the largest power of two below the count, recursively.
template <typename T>
T tree_sum(const T* p, std::size_t count) {
  if (count == 1) return p[0];
  std::size_t half = 1;
  while (half * 2 < count) half *= 2;
  return tree_sum(p, half) + tree_sum(p + half, count - half);
}

// Everything from the slices to D's code, in T (float: models 1, 2; double: model 3).
template <typename T>
void compute_element(const GemmProblem& p, const Element& e, GemmOutput& out, double& amax) {
  const std::int64_t bk = e.config.block_k, splits = e.config.split_k, kk = p.k;
  const std::int64_t length = ((kk + splits - 1) / splits + bk - 1) / bk * bk;  // L
  const std::int64_t limit = e.fault == GemmFault::last_partial_k_block_skipped ? kk / (bk * splits) * (bk * splits) : kk;
  const bool integer = e.a.is_integer();
  std::vector<T> partials;
  std::int64_t exact_total = 0;
  for (std::int64_t s = 0; s < splits; ++s) {
    const std::int64_t begin = std::min(kk, s * length), end = std::min({kk, (s + 1) * length, limit});
    if (integer) partials.push_back(slice_integer<T>(e, begin, std::max(begin, end), exact_total));
    else if (e.model.kind == AccumulationModel::Kind::tensor_core) partials.push_back(slice_tensor_core(e, begin, std::max(begin, end)));
    else partials.push_back(slice_segments<T>(e, begin, std::max(begin, end)));
  }
  T acc = partials[0];
  if (integer && !e.k_blocked()) {
    acc = T(exact_total);
  } else if (e.config.reduction == SplitKReduction::tree) {
    acc = tree_sum(partials.data(), partials.size());
  } else {
    for (std::size_t s = 1; s < partials.size(); ++s) acc = acc + partials[s];
  }
  // Epilogue.
  const T s_outer = e.k_blocked() ? T(1) : T(e.a.scale(e.a_batch, e.m, 0)) * T(e.b.scale(e.b_batch, e.n, 0));
  const T s_ab = s_outer * (T(e.a.tensor_scale) * T(e.b.tensor_scale));
  T t = T(p.alpha) * (acc * s_ab);
  if (p.beta != 0.0f) t = t + T(p.beta) * T(p.c[e.a_batch * p.c_batch_stride + e.m * p.ldc + e.n]);
  if (p.bias != nullptr) t = t + T(p.bias[e.n]);
  std::uint32_t code = 0;
  switch (p.output) {
    case OutputType::fp32: code = std::isnan(t) ? 0x7FC00000u : std::bit_cast<std::uint32_t>(static_cast<float>(t)); break;
    case OutputType::bf16: code = encode(Format::bf16, static_cast<double>(t)); break;
    case OutputType::fp16: code = encode(Format::fp16, static_cast<double>(t)); break;
    case OutputType::e4m3fn: code = encode(Format::e4m3fn, static_cast<double>(t * T(p.d_scale))); break;
  }
  out.at(e.a_batch, e.m, e.n) = code;
  const double magnitude = std::fabs(static_cast<double>(t));
  amax = (std::isnan(amax) || std::isnan(magnitude)) ? std::numeric_limits<double>::quiet_NaN()
                                                     : std::max(amax, magnitude);
}

}  // namespace

void gemm_emulated_reference(const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                             const GemmConfig& config, const AccumulationModel& model, GemmOutput& out,
                             GemmFault fault) {
  detail::validate_gemm_arguments(problem, a, b, config, model, 1);
  out.prepare_for(problem);
  double amax = 0.0;
  // (A/C/D matrix, B matrix, first stored row, rows) per batch or group.
  auto multiply = [&](std::int64_t a_batch, std::int64_t b_batch, std::int64_t first, std::int64_t rows) {
    for (std::int64_t m = first; m < first + rows; ++m) {
      for (std::int64_t n = 0; n < problem.n; ++n) {
        const Element e{a, b, config, model, fault, a_batch, b_batch, m, n};
        if (model.kind == AccumulationModel::Kind::exact) compute_element<double>(problem, e, out, amax);
        else compute_element<float>(problem, e, out, amax);
      }
    }
  };
  for (std::int64_t g = 0; g < problem.groups; ++g) {
    switch (problem.kind) {
      case GemmKind::dense: multiply(0, 0, 0, problem.m); break;
      case GemmKind::batched: multiply(g, g, 0, problem.m); break;
      case GemmKind::grouped_contiguous:
        multiply(0, g, problem.group_row_offsets[g], problem.group_row_offsets[g + 1] - problem.group_row_offsets[g]);
        break;
      case GemmKind::grouped_masked:
        multiply(0, g, g * problem.m, fault == GemmFault::padding_rows_read ? problem.m : problem.masked_m[g]);
        break;
    }
  }
  out.amax = amax;
}

}  // namespace fp8check
