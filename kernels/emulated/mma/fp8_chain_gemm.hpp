// mma_chain_gemm's fast path for FP8 kernel models (fp8_chain_kernel.hpp): packs A once and
// each 32-column panel of B, runs the AVX2 panel kernel over blocks of rows on `threads`
// threads, and gives each step it does not cover to the scalar model.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "kernels/emulated/mma/chain_gemm.hpp"

namespace fp8check::detail {

// Per code of an FP8 format, what the kernel reads: the value (+0 for NaN and inf), MMA-Sim's
// exponent (zero: -126), and whether it is NaN or inf. Packers of A and B use it.
struct CodeTable {
  std::array<float, 256> value{};
  std::array<std::int8_t, 256> exponent{};
  std::array<std::uint8_t, 256> special{};
};
CodeTable code_table(Format f);

// Whether the fast path computes this instruction on this CPU (FP8CHECK_SIMD respected);
// `scaled_promotion`: scales are applied at promotion, which takes FMA as well.
bool fp8_chain_gemm_applies(const MmaInstruction& instruction, bool scaled_promotion = false);

// The slices' results of a checked problem (mma_chain_gemm_slices validated it) through
// the fast path.
std::vector<std::uint32_t> fp8_chain_gemm(const MmaInstruction& instruction, const ChainSchedule& schedule,
                                          const ChainGemmOperands& operands, int threads);

}  // namespace fp8check::detail
