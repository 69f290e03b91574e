// What the emulated GEMM computes, and where it writes it:
//   D = alpha * (sum_k A[m,k] * B[k,n] with scales) + beta * C + bias[n]   (docs/accumulation.md)
// converted to the output type, plus amax_D. GemmKind and OutputType are the problem
// descriptor's (harness/problem/gemm_desc.hpp); the operands are GemmOperand views.
//
// Rows by kind (A's mn index and D's row are "stored rows"):
//   dense               M rows.
//   batched             `groups` problems; A, B, C and D each step by their batch stride.
//   grouped_contiguous  group g owns stored rows [offsets[g], offsets[g+1]) of A, C and D
//                       (offsets has groups+1 entries, 0 .. m) and multiplies B's matrix g.
//   grouped_masked      A, C, D hold groups x m stored rows (m = padded rows per group);
//                       group g's rows are g*m + [0, masked_m[g]). Padded rows are never
//                       read and their D rows never written.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/problem/gemm_desc.hpp"  // GemmKind, OutputType

namespace fp8check {

struct GemmProblem {
  GemmKind kind = GemmKind::dense;
  std::int64_t m = 0;  // dense/batched: rows; contiguous: all stored rows; masked: padded rows per group
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::int64_t groups = 1;                      // batched: batch count; grouped: group count
  std::vector<std::int64_t> group_row_offsets;  // grouped_contiguous: groups + 1 ascending offsets
  std::vector<std::int64_t> masked_m;           // grouped_masked: valid rows per group (<= m)

  float alpha = 1.0f;
  float beta = 0.0f;              // C is read only when beta != 0 (BLAS convention)
  const float* c = nullptr;       // C values, indexed like D: (batch, row, n) at batch*c_batch_stride + row*ldc + n
  std::int64_t ldc = 0;
  std::int64_t c_batch_stride = 0;
  const float* bias = nullptr;    // optional, length n

  OutputType output = OutputType::fp32;
  float d_scale = 1.0f;  // e4m3fn output: D = encode(t * d_scale); amax_D is taken before it

  // Rows of A, C and D per batch: m, or groups * m for grouped_masked.
  std::int64_t stored_rows() const { return kind == GemmKind::grouped_masked ? groups * m : m; }
  // Matrices of A, C and D: groups for batched, else 1. B always has one per group.
  std::int64_t output_batches() const { return kind == GemmKind::batched ? groups : 1; }
  // Throws InputError naming the inconsistent field and what is expected.
  void validate() const;
};

// The rows a GEMM writes, as units of one A/C/D matrix and one B matrix (the table above):
// dense one unit, batched one per batch, grouped one per group (masked: its valid rows).
// Every kernel walks these; kernels/emulated and kernels/cuda split them further.
struct GemmRowUnit {
  std::int64_t a_batch = 0;    // matrix of A, C and D (batched: the batch), else 0
  std::int64_t b_batch = 0;    // matrix of B (batched: the batch; grouped: the group)
  std::int64_t row_begin = 0;  // first stored row of A, C and D
  std::int64_t rows = 0;
};
std::vector<GemmRowUnit> gemm_row_units(const GemmProblem& p);

// The kernel's result: element codes in the output type (fp32 as its bit pattern,
// bf16/fp16 as 16-bit codes, e4m3fn as 8-bit codes), row-major, batches x rows x cols.
struct GemmOutput {
  OutputType type = OutputType::fp32;
  std::int64_t batches = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint32_t> bits;
  // max |t| over the written elements before the output scale (cuBLASLt AMAX_D); NaN if
  // any t is NaN; 0 when nothing is written.
  double amax = 0.0;
  // Figures a kernel measured about its own run, recorded as the case's metrics: a device
  // backend's "tflops", "peak_fraction", "kernel_ms". Never part of the verdict.
  std::map<std::string, double> metrics;

  std::uint32_t& at(std::int64_t b, std::int64_t r, std::int64_t c) { return bits[index(b, r, c)]; }
  std::uint32_t at(std::int64_t b, std::int64_t r, std::int64_t c) const { return bits[index(b, r, c)]; }
  // The exact value of an element (every output type is a subset of double).
  double value(std::int64_t b, std::int64_t r, std::int64_t c) const;
  // Makes the output fit `p` (zero-filled) unless it already has its type and shape,
  // in which case the rows the problem does not write keep their contents.
  void prepare_for(const GemmProblem& p);

 private:
  std::size_t index(std::int64_t b, std::int64_t r, std::int64_t c) const {
    return static_cast<std::size_t>((b * rows + r) * cols + c);
  }
};

}  // namespace fp8check
