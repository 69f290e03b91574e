// A tile product through a tensor-core instruction that continues accumulators in place:
// for every element (r, c) of a rows x cols tile,
//
//   d[r * ldd + c] <- the chain of depth / k instructions over a(r, 0 .. depth) and
//                     b(0 .. depth, c), in order of k, the first taking c = the element's old
//                     bits and each later one the d of the one before (no promotion).
//
// This is the unit a FlashAttention-3 mainloop issues per kv block: S = Q Kᵀ along the head
// dim from +0 (the caller zeroes d), and O += P V along the block into the running O
// (kernels/emulated/attention_mma.hpp). Elements are independent, so the bits depend
// neither on the tile's shape nor on how a caller splits work. Three implementations, the
// same bits (tests/attention_mma_test.cpp holds each to a literal twin):
// - ChainGemmPath::scalar: mma_execute per instruction and element (the definition);
// - FP8 instructions with F <= 16 on a CPU with AVX2: the FP8 chain kernel's lanes
//   (fp8_chain_kernel.hpp), every step they do not cover given to the scalar model;
// - others (bf16, or no AVX2): the fused step's arithmetic on operands decoded once per tile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/emulated/mma/chain_gemm.hpp"
#include "kernels/emulated/mma/mma_instruction.hpp"

namespace fp8check {

// Element (i, j) of an operand at codes[i * row_stride + j * col_stride]: codes of the
// instruction's a (rows x depth) or b (depth x cols) format.
struct MmaTileOperand {
  const std::uint16_t* codes = nullptr;
  std::ptrdiff_t row_stride = 0;
  std::ptrdiff_t col_stride = 1;
};

// Operands decoded once per tile: signed integer significands and MMA-Sim exponents, and
// per (row or column, step) whether the step holds a NaN or inf.
struct MmaDecodedOperands {
  std::vector<std::int32_t> significand, exponent;
  std::vector<std::uint8_t> special;
};

// Buffers the fast paths reuse between calls (one per thread).
struct MmaTileScratch {
  MmaDecodedOperands a_decoded, b_decoded;
  std::vector<float> a_values, b_values;
  std::vector<std::int8_t> a_exponents, b_exponents;
  std::vector<std::uint8_t> a_special, b_special;
  std::vector<std::uint32_t> accumulators;
};

// InternalError for an instruction with block scales or an FP16 accumulator, or a depth that
// is not a multiple of its k (callers check what a problem allows before they get here).
void mma_chain_tile(const MmaInstruction& instruction, MmaTileOperand a, MmaTileOperand b, std::int64_t rows,
                    std::int64_t cols, std::int64_t depth, std::uint32_t* d, std::ptrdiff_t ldd,
                    MmaTileScratch& scratch, ChainGemmPath path = ChainGemmPath::fastest);

}  // namespace fp8check
