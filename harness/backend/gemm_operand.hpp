// A view of one quantized GEMM operand, as the emulated kernel reads it: elements
// (decoded float values, low-precision codes, or INT8/INT4 integers), the storage
// layout, and the scales (block scales with explicit strides, plus an optional
// per-tensor scale). The view owns nothing; the caller keeps the arrays alive.
//
// Indexing is by (mn, k): A is M x K (mn = m), B is K x N (mn = n). An operand is
// stored K-major (each mn line holds its K elements contiguously: (mn, k) at mn*ld + k)
// or MN-major ((mn, k) at k*ld + mn). In BLAS (column-major) terms the transposition
// letters of cuBLAS's "TN" etc. map as follows:
//   A "T" = A K-major, A "N" = A MN-major;  B "N" = B K-major, B "T" = B MN-major;
//   TN = (A K-major, B K-major) — the layout Hopper FP8 tensor cores require —
//   NN = (MN, K), NT = (MN, MN), TT = (K, MN).
#pragma once

#include <cstdint>
#include <string_view>

#include "harness/core/format_spec.hpp"
#include "harness/problem/gemm_desc.hpp"  // ScaleBlock

namespace fp8check {

enum class BlasLayout : std::uint8_t { TN, NN, NT, TT };
constexpr bool a_is_k_major(BlasLayout l) { return l == BlasLayout::TN || l == BlasLayout::TT; }
constexpr bool b_is_k_major(BlasLayout l) { return l == BlasLayout::TN || l == BlasLayout::NN; }
std::string_view blas_layout_name(BlasLayout l);  // "TN", ...

// Block scales of one operand. Block (mn, k) sizes are ScaleBlock's: 0 = the whole
// extent, so per-tensor = {0,0}, per-row/per-column = {1,0}, DeepSeek-V3 1x128 = {1,128},
// 128x128 = {128,128}, MX = {1,32}, NVFP4 = {1,16}. The scale of block (i, j) (i along
// MN, j along K) is data[batch*batch_stride + i*stride_mn + j*stride_k]; explicit strides
// express row-major, column-major and padded layouts, e.g. DeepGEMM's TMA-aligned
// column-major A scales: stride_mn = 1, stride_k = M rounded up to a multiple of 4.
struct BlockScales {
  const float* data = nullptr;  // nullptr: no block scales (every scale is 1)
  ScaleBlock block{};
  std::int64_t stride_mn = 0;
  std::int64_t stride_k = 0;
  std::int64_t batch_stride = 0;

  // One MN block's K-block scales contiguous: block (i, j) at i*ld + j (ld >= K blocks).
  static BlockScales k_contiguous(const float* data, ScaleBlock block, std::int64_t ld) { return {data, block, ld, 1, 0}; }
  // One K block's scales contiguous along MN (column-major A scales): block (i, j) at j*ld + i.
  static BlockScales mn_contiguous(const float* data, ScaleBlock block, std::int64_t ld) { return {data, block, 1, ld, 0}; }
};

enum class ElementStorage : std::uint8_t {
  f32_values,  // decoded values as float (exact for every format here)
  codes,       // one low-precision code per byte (4/6-bit codes in the low bits), decoded by table
  int8_values, // INT8 (or INT4, in [-8, 7]) integers: accumulated exactly in integers
};

struct GemmOperand {
  ElementStorage storage = ElementStorage::f32_values;
  const float* values = nullptr;         // storage == f32_values
  const std::uint8_t* codes = nullptr;   // storage == codes
  Format code_format = Format::e4m3fn;   //   their format (at most 8 bits)
  const std::int8_t* integers = nullptr; // storage == int8_values
  std::int64_t mn = 0;       // extent along M (A; all stored rows of a grouped A) or N (B)
  std::int64_t k = 0;        // extent along K
  std::int64_t batches = 1;  // matrices in the array (batched: the batch; grouped B: the groups)
  bool k_major = true;
  std::int64_t ld = 0;           // elements between consecutive lines; >= k (K-major) or >= mn
  std::int64_t batch_stride = 0; // elements between consecutive matrices
  BlockScales scales;
  float tensor_scale = 1.0f;     // second-level per-tensor scale (NVFP4), applied in the epilogue

  // Contiguous single-matrix views (ld = the minimum).
  static GemmOperand of_values(const float* v, std::int64_t mn, std::int64_t k, bool k_major);
  static GemmOperand of_codes(const std::uint8_t* c, Format f, std::int64_t mn, std::int64_t k, bool k_major);
  static GemmOperand of_integers(const std::int8_t* v, std::int64_t mn, std::int64_t k, bool k_major);

  bool is_integer() const { return storage == ElementStorage::int8_values; }
  // Scales vary along K (one per K block): they are applied per segment, not in the epilogue.
  bool k_blocked() const { return scales.data != nullptr && scales.block.k > 0; }
  // The K extent of one scale block, 0 when the operand is not K-blocked.
  std::int64_t scale_group_k() const { return k_blocked() ? scales.block.k : 0; }

  std::int64_t element_offset(std::int64_t batch, std::int64_t i_mn, std::int64_t i_k) const {
    return batch * batch_stride + (k_major ? i_mn * ld + i_k : i_k * ld + i_mn);
  }
  // Exact element value (NaN codes decode to NaN).
  double element(std::int64_t batch, std::int64_t i_mn, std::int64_t i_k) const;
  // Block scale of element (i_mn, i_k): 1 without block scales. Not the tensor scale.
  float scale(std::int64_t batch, std::int64_t i_mn, std::int64_t i_k) const;
  // Block scale by K-block index (what the kernel's scale pointer addresses).
  float scale_of_group(std::int64_t batch, std::int64_t i_mn, std::int64_t k_group) const;

  // InputError naming `role` ("A", "B") and the field when the view is inconsistent.
  void validate(std::string_view role) const;
};

}  // namespace fp8check
