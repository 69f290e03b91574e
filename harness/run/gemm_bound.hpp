// The a-priori error bound of an emulated GEMM (tolerance model (a), docs/tolerance.md).
// For every output element,
//   |d_hat - d| <= E + u_out (|d| + E) + eta_out,   E = c * (|alpha| P + |beta C| + |bias|)
// with P = |A_hat| |B_hat| (scaled, dequantized operands), c the rounding-chain coefficient
// of the accumulation path, u_out / eta_out the output type's unit roundoff and half its
// smallest subnormal. The total error against the original inputs adds the quantization
// terms (u_a |A| + Delta_A) |B_hat| + |A| (u_b |B| + Delta_B).
#pragma once

#include <cstdint>
#include <string>

#include "harness/configs/gemm_config.hpp"
#include "kernels/emulated/accumulation_model.hpp"

namespace fp8check {

struct AccumulationBound {
  double coefficient = 0;  // c above
  std::string derivation;  // "fp32: n = 128 + 2 + 56 + 1 + 5 roundings of u = 2^-24"
};

// `scale_group_k`: K extent of one scale block (0 when scales are applied in the epilogue).
AccumulationBound gemm_accumulation_bound(const AccumulationModel& model, const GemmConfig& config, std::int64_t k,
                                          std::int64_t scale_group_k);

}  // namespace fp8check
