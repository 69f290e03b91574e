// Device-side use of the quantization conventions (harness/quantize/convention_math.hpp):
// a one-thread-per-group quantizer for fp32-scale recipes with 1 x group_cols blocks, as
// the CUDA quantize kernels of the H100 backend will call it. Compiled by
// convention_math_device_check.sh, which reads its PTX: the fp32 arithmetic must be the
// IEEE round-to-nearest forms (div.rn.f32, mul.rn.f32, rcp.rn.f32, cvt.rn.f32.f64),
// never an approximation (div.full, div.approx, rcp.approx) or a contraction (fma.rn.f32),
// so the device gives the CPU quantizer's bits.
#include <cstdint>

#include "harness/quantize/convention_math.hpp"

namespace fp8check {

__global__ void quantize_groups_kernel(const float* x, std::int64_t groups, int group_cols, Format element,
                                       ConventionArith arith, Fp32ScaleRules rules, double format_max,
                                       EncodeOptions encode_options, std::uint8_t* codes, float* scales) {
  const std::int64_t g = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (g >= groups) return;
  const float* in = x + g * group_cols;
  double amax = 0;
  for (int j = 0; j < group_cols; ++j) amax = fold_amax(arith, amax, in[j]);
  const Fp32BlockScale scale = fp32_block_scale(arith, amax, format_max, rules);
  scales[g] = scale.stored;
  for (int j = 0; j < group_cols; ++j)
    codes[g * group_cols + j] = static_cast<std::uint8_t>(
        encode(element, scale_element(arith, scale, rules.quant_meaning, in[j]), encode_options));
}

}  // namespace fp8check
