// A plain GEMM through a kernel model (kernel_model.hpp): every output element issues the
// model's instruction along K in order, k at a time, its tensor-core accumulator starting
// at +0 and carried from each instruction's d to the next one's c; with promotion, the
// partial of every promotion interval (and the last one) is added to an FP32 register sum
// (fp32_promote) and restarts at +0. Each element is independent, so the bits do not depend
// on the thread count. This is the scalar model: slow, and the definition faster paths
// are held to bit for bit.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "harness/core/format_spec.hpp"
#include "kernels/emulated/mma/kernel_model.hpp"

namespace fp8check {

struct ChainGemmOperands {
  std::int64_t m = 0, n = 0, k = 0;
  Format a_format = Format::e4m3fn;
  Format b_format = Format::e4m3fn;
  std::span<const std::uint16_t> a;  // M x K codes, row-major (FP8/FP4 codes widened)
  std::span<const std::uint16_t> b;  // K x N codes, row-major
  // Block-scaled kernels only: scale codes (e8m0, or ue4m3 for nvf4), row-major
  // M x (K / scale block) for A and (K / scale block) x N for B.
  std::span<const std::uint8_t> scale_a;
  std::span<const std::uint8_t> scale_b;
};

// fl32(sum + partial) with round to nearest even; a NaN result is 0x7FFFFFFF (what an
// FP32 add on NVIDIA GPUs writes).
std::uint32_t fp32_promote(std::uint32_t sum, std::uint32_t partial);

// `fastest`: FP8 kernel models with F <= 16 (sm89-mma, sm90-wgmma[.fN][.pN]) run on AVX2
// lanes when the CPU has them (fp8_chain_kernel.hpp), with the same bits; `scalar`: the
// model instruction by instruction.
enum class ChainGemmPath : std::uint8_t { fastest, scalar };

// D (M x N, row-major) as bits of the instruction's FP32 d register. InputError when a
// size, a code or a scale does not fit the model's instruction (K a multiple of its k,
// codes within their format, scales present exactly for block-scaled kernels).
std::vector<std::uint32_t> mma_chain_gemm(const KernelModel& model, const ChainGemmOperands& operands, int threads = 1,
                                          ChainGemmPath path = ChainGemmPath::fastest);

}  // namespace fp8check
