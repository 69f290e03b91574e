// What fp8check's own GEMM kernel receives: plain data a CUDA kernel can take by value,
// built on the host from the backend-neutral GemmArguments (kernels/cuda/own/
// gemm_plan.cpp) and read the same way by the CPU twin (kernels/cuda/twin). Pointers are
// device pointers on the GPU and host pointers in the twin.
#pragma once

#include <cstdint>

#include "harness/configs/gemm_config.hpp"  // SplitKReduction
#include "harness/core/format_spec.hpp"
#include "harness/core/host_device.hpp"
#include "harness/problem/gemm_desc.hpp"    // OutputType
#include "kernels/emulated/gemm_epilogue.hpp"  // EpilogueScalars

namespace fp8check::cuda_index {

// Block scales of one operand, as harness/backend/gemm_operand.hpp's BlockScales: block
// (i, j) (i along M or N, j along K) at data[batch * batch_stride + i * stride_mn + j * stride_k];
// block extents 0 = the whole extent; data == nullptr: every scale is 1.
struct ScaleView {
  const float* data = nullptr;
  int block_mn = 0;
  int block_k = 0;
  std::int64_t stride_mn = 0, stride_k = 0, batch_stride = 0;

  FP8C_HD bool k_blocked() const { return data != nullptr && block_k > 0; }
  // GemmOperand::scale_of_group: the scale of row/column i_mn in K group k_group.
  FP8C_HD float of_group(std::int64_t batch, std::int64_t i_mn, std::int64_t k_group) const {
    if (data == nullptr) return 1.0f;
    const std::int64_t i = block_mn > 0 ? i_mn / block_mn : 0;
    const std::int64_t j = block_k > 0 ? k_group : 0;
    return data[batch * batch_stride + i * stride_mn + j * stride_k];
  }
};

// One K-major operand: codes (mn, k) at batch * batch_stride + mn * ld + k.
struct OperandView {
  const std::uint8_t* codes = nullptr;
  Format format = Format::e4m3fn;
  std::int64_t ld = 0;
  std::int64_t batch_stride = 0;
  ScaleView scales;
};

// One row of thread blocks: block_m consecutive rows of one "row unit" (a dense problem,
// one batch, one group of a grouped GEMM) that multiplies one B matrix. Built on the host
// (gemm_tile_rows.hpp); blockIdx.x indexes them.
struct TileRow {
  std::int64_t a_batch = 0;    // batch index of A, C and D (batched kinds), else 0
  std::int64_t b_batch = 0;    // B's matrix (batched: the batch; grouped: the group)
  std::int64_t row_begin = 0;  // the unit's first stored row of A, C and D
  std::int64_t rows = 0;       // the unit's rows (masked groups: the valid ones)
  std::int64_t row0 = 0;       // this tile's first row, relative to row_begin
};

// D = alpha * acc * s_ab [+ beta * C] [+ bias], converted (kernels/emulated/gemm_epilogue.hpp).
struct EpilogueView {
  detail::EpilogueScalars scalars;
  const float* c = nullptr;  // (batch, row, col) at batch * c_batch_stride + row * ldc + col
  std::int64_t ldc = 0, c_batch_stride = 0;
  const float* bias = nullptr;  // length n
};

// max |t| over the written elements, and whether any t was NaN (cuBLASLt AMAX_D): the
// bits of a non-negative double order like the double, so an integer max is exact in any
// order (atomicMax on the GPU).
struct AmaxSlot {
  unsigned long long max_bits = 0;
  unsigned int nan = 0;
};

struct GemmKernelParams {
  OperandView a, b;
  std::int64_t n = 0, k = 0;
  std::int64_t rows_per_batch = 0;  // stored rows of A, C and D per batch (D's row count)
  float tensor_ab = 1.0f;           // tensor_scale_a * tensor_scale_b
  EpilogueView epilogue;
  void* d = nullptr;                // D codes, (batch, row, col) at (batch * rows_per_batch + row) * n + col
  const TileRow* tile_rows = nullptr;
  std::int64_t tile_row_count = 0;
  std::int64_t n_tiles = 0;
  int split_k = 1;
  std::int64_t slice_length = 0;    // k per split-K slice (a multiple of block_k)
  SplitKReduction reduction = SplitKReduction::sequential;
  float* workspace = nullptr;       // split_k > 1: partial (slice, batch, row, col) at slice * workspace_slice + D's index
  std::int64_t workspace_slice = 0;
  AmaxSlot* amax = nullptr;
};

}  // namespace fp8check::cuda_index
