#include "harness/run/gemm_bound.hpp"

#include <algorithm>
#include <cmath>

#include "harness/compare/tolerance.hpp"

namespace fp8check {

AccumulationBound gemm_accumulation_bound(const AccumulationModel& model, const GemmConfig& config, std::int64_t k,
                                          std::int64_t scale_group_k) {
  const double u32 = std::ldexp(1.0, -24), u64 = std::ldexp(1.0, -53);
  // One element's path (docs/accumulation.md): the sum inside a segment, the scale
  // product and its multiplication, the additions into the slice accumulator, the
  // split-K reduction, and the epilogue (alpha, tensor scale, beta*C, bias, adds).
  const std::int64_t split = config.split_k;
  const std::int64_t slice = (k + split - 1) / split;
  const std::int64_t segment = scale_group_k > 0 ? std::min<std::int64_t>(config.block_k, scale_group_k) : config.block_k;
  const std::int64_t segments = (slice + segment - 1) / segment;
  const std::int64_t reduction = config.reduction == SplitKReduction::tree
                                     ? static_cast<std::int64_t>(std::ceil(std::log2(static_cast<double>(split))))
                                     : split - 1;
  constexpr std::int64_t kScale = 2, kEpilogue = 5;
  AccumulationBound b;
  switch (model.kind) {
    case AccumulationModel::Kind::exact: {
      const double n = static_cast<double>(k + kScale + kEpilogue + reduction);
      b.coefficient = rounding_chain_coefficient({{u64, n}});
      b.derivation = "exact: " + std::to_string(static_cast<std::int64_t>(n)) + " roundings of u = 2^-53";
      break;
    }
    case AccumulationModel::Kind::fp32_tiled: {
      const double n = static_cast<double>(segment - 1 + kScale + segments + reduction + kEpilogue);
      b.coefficient = rounding_chain_coefficient({{u32, n}});
      b.derivation = "fp32: " + std::to_string(segment - 1) + " (segment) + 2 (scale) + " + std::to_string(segments) +
                     " (segments) + " + std::to_string(reduction) + " (split-K) + 5 (epilogue) roundings of u = 2^-24";
      break;
    }
    case AccumulationModel::Kind::tensor_core: {
      // Each chunk: mma_k - 1 FP32 adds, one FP32 add into the running sum, one cut to p
      // explicit mantissa bits (u_p = 2^-(p+1) nearest, 2^-p truncation). Chunks between
      // promotions: the interval, or the whole slice without promotion.
      const std::int64_t window = model.promotion_interval > 0 ? std::min<std::int64_t>(model.promotion_interval, slice) : slice;
      const std::int64_t chunks = (window + model.mma_k - 1) / model.mma_k;
      const std::int64_t promotions = model.promotion_interval > 0 ? (slice + window - 1) / window : 1;
      const double up = std::ldexp(1.0, -(model.mantissa_bits + (model.truncate ? 0 : 1)));
      const double n32 = static_cast<double>(model.mma_k + chunks + kScale + promotions + reduction + kEpilogue);
      b.coefficient = rounding_chain_coefficient({{u32, n32}, {up, static_cast<double>(chunks)}});
      b.derivation = "tensor core: " + std::to_string(chunks) + " cuts of u_p = 2^-" +
                     std::to_string(model.mantissa_bits + (model.truncate ? 0 : 1)) + " + " +
                     std::to_string(static_cast<std::int64_t>(n32)) + " roundings of u = 2^-24";
      break;
    }
  }
  return b;
}

}  // namespace fp8check
