// docs/accumulation.md read literally, one output element at a time. fp32 / exact: each
// slice walks k one by one; a segment (tile ∩ scale group) opens where the spec says one
// begins, and is folded when the next opens or the slice ends. Kernel models: each slice
// issues the instruction (mma_execute.hpp) k at a time and promotes where the spec says.
// Shared with the fast path: the operand views, the fault definitions, the instruction
// model itself and the kernel-model plan (which instruction, where the scales go, what
// is refused).
#include "kernels/emulated/gemm_emulated_reference.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "harness/core/convert.hpp"
#include "kernels/emulated/gemm_kernel_model.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"

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

// fp32 (T = float) and exact (T = double) on float elements: one slice.
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

// A kernel model (docs/accumulation.md, "Kernel models"): the slice's instructions one by
// one, k at a time from the slice start; the partial (the tensor-core accumulator) starts
// at +0 and is promoted into the FP32 sum after an instruction that ends the slice, ends
// on a multiple of the promotion interval counted from the slice start, or ends on a K-group
// boundary of an operand whose scales are applied at promotion; then it restarts at +0.
float slice_kernel_model(const Element& e, const detail::KernelModelPlan& plan, const std::vector<std::uint16_t>& a,
                         const std::vector<std::uint16_t>& b, std::int64_t begin, std::int64_t end) {
  const MmaInstruction& ins = plan.instruction;
  const std::int64_t interval = e.model.kernel.promotion_interval;
  const std::int64_t ga = plan.group_a, gb = plan.group_b;
  std::uint32_t partial = 0, sum = 0;
  std::int64_t window_k0 = begin;
  for (std::int64_t k0 = begin; k0 < end; k0 += ins.k) {
    // The recipe's block scales as codes, when they enter the instruction; else 1.
    std::vector<std::uint8_t> sa, sb;
    for (int j = 0; j < ins.scales_per_row(); ++j) {
      const std::int64_t g = k0 / ins.scale_block + j;
      sa.push_back(plan.scales_in_instruction ? detail::instruction_scale_code(ins.scale, e.a.scale_of_group(e.a_batch, e.m, g))
                                              : ins.scale == MmaScaleKind::ue4m3 ? 0x38 : 127);
      sb.push_back(plan.scales_in_instruction ? detail::instruction_scale_code(ins.scale, e.b.scale_of_group(e.b_batch, e.n, g))
                                              : ins.scale == MmaScaleKind::ue4m3 ? 0x38 : 127);
    }
    partial = mma_execute(ins, a.data() + k0, 1, b.data() + k0, 1, partial, sa.data(), 1, sb.data(), 1);
    const std::int64_t k1 = k0 + ins.k;
    const bool promote = k1 == end || (interval > 0 && (k1 - begin) % interval == 0) || (ga > 0 && k1 % ga == 0) ||
                         (gb > 0 && k1 % gb == 0);
    if (!promote) continue;
    float result = 0;
    if (plan.scaled_promotion) {
      const float scale = e.scale_a(window_k0, begin) * e.scale_b(window_k0, begin);
      result = std::fma(scale, std::bit_cast<float>(partial), std::bit_cast<float>(sum));
    } else {
      result = std::bit_cast<float>(sum) + std::bit_cast<float>(partial);
    }
    sum = std::isnan(result) ? 0x7FFFFFFFu : std::bit_cast<std::uint32_t>(result);
    partial = 0;
    window_k0 = k1;
  }
  return std::bit_cast<float>(sum);
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

// Everything from the slices to D's code, in T (float: fp32 and kernel models; double: exact).
template <typename T>
void compute_element(const GemmProblem& p, const Element& e, const detail::KernelModelPlan* plan, GemmOutput& out,
                     double& amax) {
  const std::int64_t bk = e.config.block_k, splits = e.config.split_k, kk = p.k;
  const std::int64_t length = ((kk + splits - 1) / splits + bk - 1) / bk * bk;  // L
  const std::int64_t limit = e.fault == GemmFault::last_partial_k_block_skipped ? kk / (bk * splits) * (bk * splits) : kk;
  const bool integer = e.a.is_integer();
  std::vector<T> partials;
  std::int64_t exact_total = 0;
  std::vector<std::uint16_t> a_codes, b_codes;  // kernel models: the element's row of A and column of B
  for (std::int64_t k = 0; plan != nullptr && k < kk; ++k) {
    a_codes.push_back(detail::element_code(e.a, e.a_batch, e.m, k));
    b_codes.push_back(detail::element_code(e.b, e.b_batch, e.n, k));
  }
  for (std::int64_t s = 0; s < splits; ++s) {
    const std::int64_t begin = std::min(kk, s * length), end = std::max(begin, std::min({kk, (s + 1) * length, limit}));
    if (integer) partials.push_back(slice_integer<T>(e, begin, end, exact_total));
    else if (plan != nullptr) partials.push_back(static_cast<T>(slice_kernel_model(e, *plan, a_codes, b_codes, begin, end)));
    else partials.push_back(slice_segments<T>(e, begin, end));
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
  std::optional<detail::KernelModelPlan> plan;
  if (model.is_kernel_model()) plan = detail::plan_kernel_model(model.kernel, problem, a, b, config, fault);
  double amax = 0.0;
  // (A/C/D matrix, B matrix, first stored row, rows) per batch or group.
  auto multiply = [&](std::int64_t a_batch, std::int64_t b_batch, std::int64_t first, std::int64_t rows) {
    for (std::int64_t m = first; m < first + rows; ++m) {
      for (std::int64_t n = 0; n < problem.n; ++n) {
        const Element e{a, b, config, model, fault, a_batch, b_batch, m, n};
        if (model.kind == AccumulationModel::Kind::exact) compute_element<double>(problem, e, nullptr, out, amax);
        else compute_element<float>(problem, e, plan ? &*plan : nullptr, out, amax);
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
