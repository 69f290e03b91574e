// The a-priori error bound of an emulated GEMM (tolerance model (a), docs/tolerance.md).
// For every output element,
//   |d_hat - d| <= E + u_out (|d| + E) + eta_out,   E = c * (|alpha| P + |beta C| + |bias| + a)
// with P = |A_hat| |B_hat| (scaled, dequantized operands), c the rounding-chain coefficient
// of the accumulation path, a an absolute slack (kernel models: how far subnormal and zero
// operands reach in the alignment, kernel_model_operand_slack; 0 otherwise), u_out / eta_out
// the output type's unit roundoff and half its smallest subnormal. The total error against
// the original inputs adds the quantization terms (u_a |A| + Delta_A) |B_hat| + |A| (u_b |B| + Delta_B).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/configs/gemm_config.hpp"
#include "harness/core/format_spec.hpp"
#include "kernels/emulated/accumulation_model.hpp"
#include "harness/core/matrix.hpp"

namespace fp8check {

struct AccumulationBound {
  double coefficient = 0;  // c above
  double absolute = 0;     // a above (output units, |alpha| included)
  std::string derivation;  // "fp32: n = 128 + 2 + 56 + 1 + 5 roundings of u = 2^-24"
};

// `scale_group_k`: K extent of one scale block (0 when scales are applied in the epilogue).
// Kernel models read the instruction for formats a, b (InputError when the kernel has none).
AccumulationBound gemm_accumulation_bound(const AccumulationModel& model, const GemmConfig& config, std::int64_t k,
                                          std::int64_t scale_group_k, Format a = Format::e4m3fn,
                                          Format b = Format::e4m3fn);

// Kernel models: an aligned term's truncation is below 2^(Emax - F), where Emax is the largest
// exponent SUM e_a + e_b of the step (fused_dot_add.hpp). For normal operands 2^(e_a + e_b)
// <= |a b|; a subnormal or zero operand still has exponent emin (zero: -126), so in general
// 2^(e_a + e_b) <= (|a| + 2^emin_a)(|b| + 2^emin_b). The excess over |a b|, summed over K with
// the largest scales (delta = 2^emin * max scale), plus an FP32-subnormal accumulator's 2^-126
// per step, is this slack: |alpha| (max_i sum_k |a_ik| delta_b + max_j sum_k |b_kj| delta_a
// + K (delta_a delta_b + 2^-126 s_a s_b)). `a_dequantized`: M x K; `b_dequantized`: N x K per group.
double kernel_model_operand_slack(Format a, Format b, std::int64_t k, double alpha, const MatrixD& a_dequantized,
                                  double a_scale_max, const std::vector<MatrixD>& b_dequantized, double b_scale_max);

}  // namespace fp8check
