// Host side of the launch: the bytes cuBLASLt reads (operand codes, scale tensors in the
// plan's modes, C, bias) packed from the backend-neutral arguments, and its D read back into
// a GemmOutput. Pure functions of the plan and the arguments, tested on the CPU.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/backend/gemm_arguments.hpp"
#include "kernels/cuda/cublaslt/cublaslt_plan.hpp"

namespace fp8check::cublaslt {

struct HostBuffers {
  std::vector<std::uint8_t> a, b;              // cuBLASLt's A (fp8check's B) and B (fp8check's A) codes
  std::vector<std::uint8_t> a_scale, b_scale;  // the scale tensors in their modes' layouts (empty: unbound)
  std::vector<std::uint8_t> c;                 // C in the plan's C type (zeros when beta = 0)
  std::vector<std::uint8_t> bias;              // in the plan's bias type (empty without a bias)
  float d_scale = 1.0f;                        // e4m3 output
};

// e4m3/e5m2 codes are copied byte for byte; e2m1 codes are packed two per byte, the element
// of the lower index in the low nibble (CUDA's __nv_fp4x2 storage). Scales by mode:
//   SCALAR_32F     one float
//   OUTER_VEC_32F  one float per row (a per-tensor scale repeated)
//   VEC128_32F     float (i, j) at j * pad4(rows) + i, j the 128-block along K
//   BLK128x128_32F float (i, j) at i * pad4(ceil(K / 128)) + j, i the 128-row block
//   VEC32_UE8M0 / VEC16_UE4M3  e8m0 / e4m3 codes in the 128x4-tile layout (tiled_scale_layout.hpp)
// Padding scales are 0.
HostBuffers pack_operands(const Plan& plan, const GemmArguments& args);

// D as cuBLASLt wrote it (plan.d's layout and type, plan.d.bytes() bytes) into `out`, which
// is prepared for args.problem. amax: AMAX_D for an e4m3 output (cuBLASLt computes it for
// FP8 outputs only); otherwise the largest |D| element (NaN if one is NaN), a value after
// rounding to the output type.
void unpack_output(const Plan& plan, const GemmArguments& args, const std::vector<std::uint8_t>& d, float amax_d,
                   GemmOutput& out);

}  // namespace fp8check::cublaslt
