// fp8check's own quantize kernels as three per-thread steps, host and device code: the CUDA
// file (kernels/cuda/own/quantize_kernels.cu) runs each step once per thread, the CPU twin
// (quantize_plan.cpp, run_quantize_twin) once per index. Every number comes from the
// functions the CPU quantizer (harness/quantize/quantize.cpp) calls: the codec
// (harness/core/convert.hpp), the conventions' fp32 arithmetic (convention_math.hpp), the
// other scale types' rules (block_scale.hpp), rounding to odd (round_to_odd.hpp); the CUDA
// code only distributes the work. So GPU, twin and CPU give the same bits by construction.
//   1. amax (one thread per element): the block's max |x| over non-NaN elements as the
//      bits of a non-negative double (integer max: exact in any order), and a NaN flag;
//      NVFP4 also the tensor's.
//   2. scale (one thread per scale block): the block's amax as its convention folds it
//      (finish_block_amax), its scale as the recipe stores it, and the factor elements use.
//   3. encode (one thread per element): the element in the code domain, then its code.
#pragma once

#include <cstdint>

#include "harness/core/convert.hpp"
#include "harness/core/host_device.hpp"
#include "harness/quantize/block_scale.hpp"
#include "harness/quantize/convention_math.hpp"
#include "harness/quantize/scale_layout.hpp"

namespace fp8check::cuda_index {

// What step 3 needs of a block: the fp32 scale pair (fp32 scales) or the exact factor.
struct BlockFactor {
  Fp32BlockScale fp32;
  double factor = 1;  // non-fp32 scales: stored * tensor scale (exact in double)
};

struct QuantizeKernelParams {
  const double* x = nullptr;  // rows x cols, row-major
  std::int64_t rows = 0, cols = 0;
  std::int64_t block_rows = 1, block_cols = 1;  // resolved (>= 1)
  std::int64_t grid_rows = 0, grid_cols = 0;
  ScaleOrder order = ScaleOrder::row_major;
  std::int64_t scale_ld = 0;
  Format element = Format::e4m3fn;
  EncodeOptions encode{};
  const std::uint32_t* random_bits = nullptr;  // stochastic rounding: one word per element

  bool fp32_scales = true;
  ConventionArith arith{};
  Fp32ScaleRules fp32_rules{};
  BlockScaleRules rules{};      // other scale types
  bool quant_meaning = false;
  double format_max = 448;      // delayed: already divided by 2^margin
  bool delayed = false;
  double delayed_amax = 0;      // the history's amax (0: none yet)
  bool nvfp4 = false;
  double nvfp4_tensor_max = 0;  // nvfp4_scale_max * format_max
  bool zero_block_one = true;

  // Scratch and outputs.
  unsigned long long* block_max = nullptr;  // grid_rows * grid_cols, zero-initialised
  unsigned int* block_nan = nullptr;
  unsigned long long* tensor_max = nullptr;  // NVFP4
  BlockFactor* factors = nullptr;            // grid_rows * grid_cols
  float* scale_values = nullptr;             // layout storage (padding stays 0)
  std::uint8_t* scale_codes = nullptr;       // e8m0/e4m3 scales only
  float* tensor_scale = nullptr;             // NVFP4
  std::uint8_t* codes = nullptr;             // rows x cols
};

FP8C_HD_INLINE std::int64_t block_index(const QuantizeKernelParams& p, std::int64_t element) {
  const std::int64_t i = element / p.cols, j = element % p.cols;
  return (i / p.block_rows) * p.grid_cols + j / p.block_cols;
}

// ScaleLayout::offset: row-major (gi * ld + gj) or column-major (gj * ld + gi).
FP8C_HD_INLINE std::int64_t scale_slot(const QuantizeKernelParams& p, std::int64_t gi, std::int64_t gj) {
  return p.order == ScaleOrder::row_major ? gi * p.scale_ld + gj : gj * p.scale_ld + gi;
}

// Step 1. Atomics: max(unsigned long long*, value) and set(unsigned int*).
template <class Atomics>
FP8C_HD void quantize_amax_step(const QuantizeKernelParams& p, std::int64_t element, Atomics& atomics) {
  const double x = p.x[element];
  const std::uint64_t magnitude = detail::bits_of(x) & ~(std::uint64_t{1} << 63);
  const std::int64_t b = block_index(p, element);
  if (magnitude > (std::uint64_t{0x7FF} << 52)) {  // NaN
    atomics.set(&p.block_nan[b]);
    return;
  }
  atomics.max(&p.block_max[b], magnitude);
  if (p.nvfp4) atomics.max(p.tensor_max, magnitude);
}

// NVFP4's fp32 tensor scale (quantize.cpp: compute_block_scale of the tensor amax with a
// default policy but the zero-block rule).
FP8C_HD_INLINE double nvfp4_tensor_scale(const QuantizeKernelParams& p) {
  const double amax = detail::double_from_bits(*p.tensor_max);
  return convention_detail::exact_block_scale(amax, p.nvfp4_tensor_max, {false, false, p.zero_block_one}).stored;
}

// Step 2, for scale block b.
FP8C_HD_INLINE void quantize_scale_step(const QuantizeKernelParams& p, std::int64_t b) {
  const std::int64_t gi = b / p.grid_cols, gj = b % p.grid_cols;
  const std::int64_t slot = scale_slot(p, gi, gj);
  double amax = p.delayed ? p.delayed_amax
                          : finish_block_amax(p.arith, detail::double_from_bits(p.block_max[b]), p.block_nan[b] != 0);
  if (p.fp32_scales) {
    const Fp32BlockScale s = fp32_block_scale(p.arith, amax, p.format_max, p.fp32_rules);
    p.scale_values[slot] = s.stored;
    p.factors[b].fp32 = s;
    return;
  }
  if (amax < p.arith.amax_floor) amax = p.arith.amax_floor;
  const double outer = p.nvfp4 ? nvfp4_tensor_scale(p) : 1.0;
  const BlockScale s = block_scale_of(amax, p.format_max * outer, p.rules);
  p.scale_values[slot] = s.stored;
  if (p.scale_codes != nullptr) p.scale_codes[slot] = s.code;
  p.factors[b].factor = static_cast<double>(s.stored) * outer;
  if (p.nvfp4 && b == 0) *p.tensor_scale = static_cast<float>(outer);
}

// Step 3, for one element.
FP8C_HD_INLINE void quantize_encode_step(const QuantizeKernelParams& p, std::int64_t element) {
  const BlockFactor& f = p.factors[block_index(p, element)];
  const double x = p.x[element];
  const double scaled = p.fp32_scales ? scale_element(p.arith, f.fp32, p.quant_meaning, x)
                                      : ScaleFactor{f.factor, p.quant_meaning}.to_code_domain(x);
  const std::uint32_t bits = p.random_bits != nullptr ? p.random_bits[element] : 0u;
  p.codes[element] = static_cast<std::uint8_t>(encode(p.element, scaled, p.encode, bits));
}

}  // namespace fp8check::cuda_index
