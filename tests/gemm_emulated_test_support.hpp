// Test operands for the emulated GEMM: a logical matrix defined by a hash of
// (seed, batch, mn, k), so the same matrix can be stored in any layout, leading dimension
// or element storage; scales likewise. Plus an FP64 triple loop and bit comparisons.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/core/element_type.hpp"
#include "kernels/emulated/gemm_emulated.hpp"

namespace fp8check::test {

enum class Values {
  random_codes,    // any finite code of the format (integers: any in range)
  small_integers,  // integers in [-4, 4]: every product and sum is exact in FP32 and FP64
};

enum class Scales {
  random,          // 2^[-4, 4] * (1 + 23 random bits): scale products round in FP32
  powers_of_two,   // 2^[-2, 2]: scaling is exact
};

struct OperandSpec {
  ElementType type = ElementType::of(Format::e4m3fn);
  std::int64_t mn = 0;
  std::int64_t k = 0;
  std::int64_t batches = 1;
  bool k_major = true;
  std::int64_t ld_pad = 0;      // ld = minimum + ld_pad
  bool store_values = false;    // float values instead of codes (float formats)
  Values values = Values::random_codes;
  bool scaled = false;          // block scales present (block below)
  ScaleBlock block{};
  bool scales_mn_contiguous = false;  // scale block (i, j) at j*ld + i instead of i*ld + j
  std::int64_t scale_ld_pad = 0;
  Scales scales = Scales::random;
  float tensor_scale = 1.0f;
};

struct TestOperand {
  OperandSpec spec;
  std::vector<std::uint8_t> codes;
  std::vector<float> values;
  std::vector<std::int8_t> integers;
  std::vector<float> scales;
  GemmOperand view;

  // Makes rows [first, first + count) of `batch` NaN (elements and their scale blocks).
  void poison_rows(std::int64_t batch, std::int64_t first, std::int64_t count);
  // Sets every scale of K block j (all MN blocks, all batches) to `value`.
  void set_k_block_scales(std::int64_t j, float value);
};

TestOperand make_operand(const OperandSpec& spec, std::uint64_t seed);

// A simple problem: dense, fp32 output, no C, no bias.
GemmProblem dense_problem(std::int64_t m, std::int64_t n, std::int64_t k);

// D computed in FP64 from the views: sum_k a*b*scale_a*scale_b, then the epilogue in FP64
// (no rounding to the output type). Exact when every term and partial sum is.
double fp64_element(const GemmProblem& p, const GemmOperand& a, const GemmOperand& b, std::int64_t a_batch,
                    std::int64_t b_batch, std::int64_t row, std::int64_t n);

GemmOutput run_fast(const GemmProblem& p, const TestOperand& a, const TestOperand& b, const GemmConfig& c,
                    const AccumulationModel& m, int threads = 2, GemmFault fault = GemmFault::none,
                    SimdPath path = active_simd_path());
GemmOutput run_reference(const GemmProblem& p, const TestOperand& a, const TestOperand& b, const GemmConfig& c,
                         const AccumulationModel& m, GemmFault fault = GemmFault::none);

// Bitwise equality of codes and of amax (NaN equals NaN); the message names `what`.
::testing::AssertionResult same_bits(const GemmOutput& x, const GemmOutput& y);

// The SIMD paths this CPU can run (scalar, and avx2 where available).
std::vector<SimdPath> available_paths();

}  // namespace fp8check::test
