// A GEMM problem as a printable descriptor with validate() (DeepGEMM's GemmDesc is
// the model): shape, kind, operand types and layouts, scale granularity, epilogue.
// The suite expands axes into these; the selector, the backends and the reference
// read them. D[M,N] = alpha * A[M,K] * B[K,N] (+ beta * C) (+ bias[N]).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/element_type.hpp"

namespace fp8check {

enum class GemmKind : std::uint8_t {
  dense,
  batched,             // `groups` independent problems of the same shape
  grouped_contiguous,  // groups share N, K; A's rows are the groups' rows back to back (group_rows)
  grouped_masked,      // A is [groups, m, K] with m the padded rows; only group_rows[g] rows are valid
};

enum class OutputType : std::uint8_t { fp32, bf16, fp16, e4m3fn };

// Scale granularity of one operand in elements along (M or N, K); 0 = the whole extent.
// per-tensor {0,0}; per-row/per-column {1,0}; DeepSeek-V3 activations {1,128}, weights
// {128,128}; MX {1,32}; NVFP4 {1,16}.
struct ScaleBlock {
  int mn = 0;
  int k = 0;
  bool k_blocked() const { return k > 0; }
  friend bool operator==(const ScaleBlock&, const ScaleBlock&) = default;
};

struct GemmDesc {
  GemmKind kind = GemmKind::dense;
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t groups = 1;               // batch count or group count
  std::vector<std::int64_t> group_rows;  // grouped kinds: rows per group (masked: valid rows <= m)
  ElementType a_type = ElementType::of(Format::e4m3fn);
  ElementType b_type = ElementType::of(Format::e4m3fn);
  OutputType d_type = OutputType::bf16;
  bool a_k_major = true;  // A stored M x K row-major (K contiguous): BLAS "T"
  bool b_k_major = true;  // B stored N x K row-major (K contiguous): BLAS "N"
  ScaleBlock a_scale{1, 128};
  ScaleBlock b_scale{128, 128};
  std::int64_t lda = 0, ldb = 0, ldd = 0;  // leading dimensions; 0 = the minimum
  double alpha = 1.0, beta = 0.0;
  bool with_bias = false;

  // BLAS-style layout of (A, B): "TN" = both K-major (what FP8 tensor cores need).
  std::string layout() const;
  // "m128.n7168.k128" (+ ".b4", ".g128", ".g128m" for masked) — part of case ids.
  std::string shape_id() const;
  // Rows of A (and D) actually stored: m, m*groups, or the sum of group_rows.
  std::int64_t stored_rows() const;
  // Bytes of A, B and D in their own types (4-bit elements: half a byte), scales aside;
  // nullopt when the count does not fit in 64 bits. Overflow-safe for any field values.
  std::optional<std::uint64_t> problem_bytes() const;
  // Throws InputError naming the inconsistent field and what is expected, and when the
  // problem's bytes exceed the memory this process may use (core/machine_memory.hpp): the
  // harness holds every input and the output in host memory, whatever the backend, so a
  // shape such as m1000000000.n1000000000 is an input error, not std::bad_alloc.
  void validate() const;
  // The same against `memory_bytes` of memory (0: not checked).
  void validate(std::uint64_t memory_bytes) const;
};

std::ostream& operator<<(std::ostream& os, const GemmDesc& d);
std::string_view gemm_kind_name(GemmKind k);  // "dense", "batched", "grouped_contiguous", "grouped_masked"
std::string_view output_type_name(OutputType t);
OutputType parse_output_type(std::string_view name);
int output_type_bytes(OutputType t);
// The exact value of one output element stored as `bits` (fp32: its bit pattern; bf16,
// fp16: 16-bit codes; e4m3fn: 8-bit codes). Every output type is a subset of double.
double output_value(OutputType t, std::uint32_t bits);
// What an output element holds before a kernel runs: a NaN code of the type with a payload
// no kernel writes by accident (e4m3fn has one NaN code per sign: the positive one), so an
// element the kernel leaves alone reads as NaN and fails the NaN checks.
std::uint32_t unwritten_output_code(OutputType t);

}  // namespace fp8check
