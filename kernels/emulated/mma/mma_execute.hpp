// One tensor-core instruction for one output element: d = sum_i a_i * b_i + c over the
// instruction's k, with its block scales. Split instructions (sm_80/sm_89 mma.sync) are
// two fused steps of k/2, the second taking the first's d as its c (MMA-Sim,
// mmasim/simulator/nv_ptx.py, class mma). Host and device code.
#pragma once

#include <cstddef>
#include <cstdint>

#include "harness/core/host_device.hpp"
#include "kernels/emulated/mma/mma_instruction.hpp"

namespace fp8check {

// Codes a[i * a_stride], b[i * b_stride] for i < instruction.k; block scales (when the
// instruction has them) scale_a[j * scale_a_stride], scale_b[j * scale_b_stride] for
// j < instruction.scales_per_row(). Returns the d register's bits.
template <typename Code>
FP8C_HD std::uint32_t mma_execute(const MmaInstruction& instruction, const Code* a, std::ptrdiff_t a_stride,
                                  const Code* b, std::ptrdiff_t b_stride, std::uint32_t c_bits,
                                  const std::uint8_t* scale_a = nullptr, std::ptrdiff_t scale_a_stride = 1,
                                  const std::uint8_t* scale_b = nullptr, std::ptrdiff_t scale_b_stride = 1) {
  if (instruction.partial_group != 0)
    return mma_block_scaled_dot_add(instruction.block_scaled_step(), a, a_stride, b, b_stride, c_bits, scale_a,
                                    scale_a_stride, scale_b, scale_b_stride);
  MmaStepScale scale;
  if (instruction.scale != MmaScaleKind::none) {
    scale.nan = is_nan_code(Format::e8m0fnu, scale_a[0]) || is_nan_code(Format::e8m0fnu, scale_b[0]);
    scale.exponent = mma_operand(Format::e8m0fnu, scale_a[0]).exponent + mma_operand(Format::e8m0fnu, scale_b[0]).exponent;
  }
  const MmaStep step = instruction.step();
  if (!instruction.split_k_halves) return mma_fused_dot_add(step, a, a_stride, b, b_stride, c_bits, scale);
  const std::uint32_t first = mma_fused_dot_add(step, a, a_stride, b, b_stride, c_bits, scale);
  return mma_fused_dot_add(step, a + step.count * a_stride, a_stride, b + step.count * b_stride, b_stride, first, scale);
}

}  // namespace fp8check
