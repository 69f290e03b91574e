// GEMM arguments for the tests of fp8check's own CUDA GEMM (the CPU twin, the plans, the
// GPU tests): random FP8 codes from Philox keyed by the case, optional NaN/inf codes,
// padded leading dimensions (the padding holds NaN codes: a kernel that reads it fails),
// outer or DeepSeek-V3 block scales, C and bias; and an independent reference: each D
// element as the kernel model defines it (instruction by instruction, promotion every
// 128 k from the slice start, at scale-group boundaries and at the slice end), split-K
// reduced in the config's order, through the emulated GEMM's epilogue.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/backend/gemm_arguments.hpp"
#include "kernels/cuda/index/gemm_kernel_table.hpp"
#include "kernels/emulated/mma/kernel_model.hpp"

namespace fp8check::test {

enum class OuterScales : std::uint8_t { none, tensor, row_col };

struct OwnGemmCase {
  std::string name;
  GemmKind kind = GemmKind::dense;
  std::int64_t m = 16, n = 8, k = 32;
  std::int64_t groups = 1;
  std::vector<std::int64_t> group_rows;  // grouped kinds
  Format a_format = Format::e4m3fn, b_format = Format::e4m3fn;
  bool blocked = false;                   // A 1x128, B 128x128 scales
  OuterScales outer = OuterScales::none;  // when not blocked
  OutputType output = OutputType::fp32;
  float alpha = 1.0f, beta = 0.0f, d_scale = 1.0f;
  bool bias = false;
  std::int64_t lda_pad = 0, ldb_pad = 0;  // multiples of 16
  bool specials = false;                  // some NaN / inf / max codes among the operands
  GemmConfig config;
  std::uint64_t seed = 1;
};

// Owns every buffer the arguments point into.
struct OwnGemmInputs {
  OwnGemmCase spec;
  std::vector<std::uint8_t> a_codes, b_codes;
  std::vector<float> a_scales, b_scales, c, bias;
  GemmArguments args;

  // Global buffers the kernel may read (for the twin's bounds checks).
  struct Region {
    const void* begin;
    std::size_t bytes;
  };
  std::vector<Region> regions() const;
};

OwnGemmInputs make_own_gemm_inputs(const OwnGemmCase& spec);

// D as the kernel model defines it (see above). `path` picks the instruction: native: the
// kernel model's FP8 instruction; software: its bf16 instruction on the widened codes.
GemmOutput own_gemm_reference(const OwnGemmInputs& in, const KernelModel& model, cuda_index::GemmPath path);

// The number of written elements whose bits differ (NaN equals NaN), and whether amax agrees.
struct BitDiff {
  std::int64_t compared = 0, differing = 0;
  bool amax_equal = true;
  std::string first;  // the first difference, printable
};
BitDiff compare_output_bits(const OwnGemmInputs& in, const GemmOutput& got, const GemmOutput& want);

}  // namespace fp8check::test
