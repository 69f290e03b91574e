#include "harness/run/gemm_bound.hpp"

#include <algorithm>
#include <cmath>

#include "harness/compare/tolerance.hpp"

namespace fp8check {
namespace {

std::string pow2_text(int exponent) { return "2^" + std::to_string(exponent); }

// A kernel model's path (docs/accumulation.md, "Kernel models"; docs/tolerance.md). One
// fused step of `terms` aligned terms and the accumulator c: each term loses < 2^(Emax - F)
// by the alignment's truncation, and 2^Emax <= max(2^(e_a + e_b), 2^e_c) <= (the step's
// magnitude sum, subnormal reach aside) + |c|; the d register truncates to D bits (< 2^-D
// relative). With e_j the partial's error after j steps of a window and P_j the window's
// magnitude so far, |e_j| <= (1 + g) |e_(j-1)| + g P_j, g = (terms + 1) 2^-F + 2^-D (1 +
// (terms + 1) 2^-F): n steps give at most ((1 + g)^n - 1) P <= expm1(n g) P. Then FP32:
// the promotions, the scale product, the split-K reduction and the epilogue.
AccumulationBound kernel_model_bound(const KernelModel& kernel, std::int64_t scale_group_k, Format a, Format b,
                                     std::int64_t slice, std::int64_t reduction) {
  const MmaInstruction ins = kernel.instruction(a, b);
  const int terms = ins.partial_group != 0 ? ins.k / ins.partial_group : ins.step().count;
  const int steps_per_instruction = ins.split_k_halves ? 2 : 1;
  const double u = (terms + 1) * std::ldexp(1.0, -ins.fraction_bits);
  const double v = std::ldexp(1.0, -ins.d_fraction_bits);
  const double g = u + v * (1 + u);
  // The window between promotions: the interval, cut by scale groups applied at promotion
  // (not those inside a block-scaled instruction), within one slice.
  std::int64_t window = slice;
  if (kernel.promotion_interval > 0) window = std::min<std::int64_t>(window, kernel.promotion_interval);
  const bool scales_inside = kernel.block_scaled() && scale_group_k == ins.scale_block;
  if (scale_group_k > 0 && !scales_inside) window = std::min(window, scale_group_k);
  window = std::max<std::int64_t>(window, ins.k);
  const std::int64_t steps = (window + ins.k - 1) / ins.k * steps_per_instruction;
  const std::int64_t promotions = (slice + window - 1) / window;
  constexpr std::int64_t kScale = 2, kEpilogue = 5;
  const std::int64_t n32 = promotions + kScale + reduction + kEpilogue;
  AccumulationBound bound;
  bound.coefficient = rounding_chain_coefficient(
      {{g, static_cast<double>(steps)}, {std::ldexp(1.0, -24), static_cast<double>(n32)}});
  bound.derivation = kernel.id() + " (" + ins.name + "): " + std::to_string(steps) + " steps per window of " +
                     std::to_string(window) + " k, each g = " + std::to_string(terms + 1) + " x " +
                     pow2_text(-ins.fraction_bits) + " (alignment) + " + pow2_text(-ins.d_fraction_bits) +
                     " (d truncation); + " + std::to_string(n32) + " roundings of u = 2^-24 (" +
                     std::to_string(promotions) + " promotions, scale, split-K, epilogue)";
  return bound;
}

}  // namespace

AccumulationBound gemm_accumulation_bound(const AccumulationModel& model, const GemmConfig& config, std::int64_t k,
                                          std::int64_t scale_group_k, Format a, Format b) {
  const double u32 = std::ldexp(1.0, -24), u64 = std::ldexp(1.0, -53);
  // One element's path (docs/accumulation.md): the sum inside a segment, the scale
  // product and its multiplication, the additions into the slice accumulator, the
  // split-K reduction, and the epilogue (alpha, tensor scale, beta*C, bias, adds).
  const std::int64_t split = config.split_k;
  const std::int64_t bk = config.block_k;
  const std::int64_t slice = ((k + split - 1) / split + bk - 1) / bk * bk;
  const std::int64_t segment = scale_group_k > 0 ? std::min<std::int64_t>(config.block_k, scale_group_k) : config.block_k;
  const std::int64_t segments = (std::min(slice, k) + segment - 1) / segment;
  const std::int64_t reduction = config.reduction == SplitKReduction::tree
                                     ? static_cast<std::int64_t>(std::ceil(std::log2(static_cast<double>(split))))
                                     : split - 1;
  constexpr std::int64_t kScale = 2, kEpilogue = 5;
  AccumulationBound b_out;
  switch (model.kind) {
    case AccumulationModel::Kind::exact: {
      const double n = static_cast<double>(k + kScale + kEpilogue + reduction);
      b_out.coefficient = rounding_chain_coefficient({{u64, n}});
      b_out.derivation = "exact: " + std::to_string(static_cast<std::int64_t>(n)) + " roundings of u = 2^-53";
      break;
    }
    case AccumulationModel::Kind::fp32_tiled: {
      const double n = static_cast<double>(segment - 1 + kScale + segments + reduction + kEpilogue);
      b_out.coefficient = rounding_chain_coefficient({{u32, n}});
      b_out.derivation = "fp32: " + std::to_string(segment - 1) + " (segment) + 2 (scale) + " + std::to_string(segments) +
                         " (segments) + " + std::to_string(reduction) + " (split-K) + 5 (epilogue) roundings of u = 2^-24";
      break;
    }
    case AccumulationModel::Kind::tensor_core:
      return kernel_model_bound(model.kernel, scale_group_k, a, b, std::min(slice, k), reduction);
  }
  return b_out;
}

double kernel_model_operand_slack(Format a, Format b, std::int64_t k, double alpha, const MatrixD& a_dequantized,
                                  double a_scale_max, const std::vector<MatrixD>& b_dequantized, double b_scale_max) {
  const double delta_a = std::ldexp(1.0, format_spec(a).emin()) * a_scale_max;
  const double delta_b = std::ldexp(1.0, format_spec(b).emin()) * b_scale_max;
  // The largest sum_k |x| over the finite elements of a row of A, of a column of B.
  const auto largest_row_sum = [](const MatrixD& m, double largest) {
    for (std::int64_t i = 0; i < m.rows(); ++i) {
      double sum = 0;
      for (std::int64_t j = 0; j < m.cols(); ++j)
        if (std::isfinite(m(i, j))) sum += std::fabs(m(i, j));
      largest = std::max(largest, sum);
    }
    return largest;
  };
  const double row_a = largest_row_sum(a_dequantized, 0.0);
  double row_b = 0;
  for (const MatrixD& m : b_dequantized) row_b = largest_row_sum(m, row_b);
  const double accumulator = std::ldexp(1.0, -126) * a_scale_max * b_scale_max;
  return std::fabs(alpha) * (row_a * delta_b + row_b * delta_a + static_cast<double>(k) * (delta_a * delta_b + accumulator));
}

}  // namespace fp8check
