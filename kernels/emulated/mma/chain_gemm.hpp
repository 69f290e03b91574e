// GEMMs through a kernel model (kernel_model.hpp): every output element issues the model's
// instruction along K in order, k at a time, its tensor-core accumulator (the partial)
// starting at +0 and carried from each instruction's d to the next one's c. K is cut into
// windows (ChainWindow): at the end of each window the partial is promoted into an FP32
// register sum, sum = fl32(sum + partial), or with scales applied at promotion
// sum = fma(fl32(scale_a * scale_b), partial, sum) with one rounding (DeepGEMM's FFMA,
// deep_gemm/include/deep_gemm/fp8_gemm.cuh), and restarts at +0. A kernel without
// promotion has one window per split-K slice (fl32(+0 + partial) = partial, NaN aside).
// Each element is independent, so the bits do not depend on the thread count.
// The `scalar` path is the model instruction by instruction (mma_execute.hpp).
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
  std::span<const std::uint16_t> a = {};  // M x K codes, row-major (FP8/FP4 codes widened)
  std::span<const std::uint16_t> b = {};  // K x N codes, row-major
  // Block-scaled kernels only: scale codes (e8m0, or ue4m3 for nvf4), row-major
  // M x (K / scale block) for A and (K / scale block) x N for B.
  std::span<const std::uint8_t> scale_a = {};
  std::span<const std::uint8_t> scale_b = {};
  // Scales applied at promotion (K-blocked recipes; empty: plain FP32 adds): row-major
  // M x promote_groups_a for A and promote_groups_b x N for B; a window names its groups.
  std::span<const float> promote_scale_a = {};
  std::span<const float> promote_scale_b = {};
  std::int64_t promote_groups_a = 0, promote_groups_b = 0;
};

// Instructions over k in [begin, end) (multiples of the instruction's k), the partial
// starting at +0, then one promotion with the scales of groups (group_a, group_b).
struct ChainWindow {
  std::int64_t begin = 0, end = 0;
  std::int64_t group_a = 0, group_b = 0;
};
// The windows of each split-K slice in K order; a slice without windows is +0.
using ChainSchedule = std::vector<std::vector<ChainWindow>>;

// One slice over all of K, a window every `interval` k (0: one window).
ChainSchedule single_slice_schedule(std::int64_t k, std::int64_t interval);

// fl32(sum + partial) with round to nearest even; a NaN result is 0x7FFFFFFF (what an
// FP32 add on NVIDIA GPUs writes).
std::uint32_t fp32_promote(std::uint32_t sum, std::uint32_t partial);
// fma(scale, partial, sum) rounded once to nearest even (an FFMA); NaN is 0x7FFFFFFF.
std::uint32_t fp32_promote_scaled(std::uint32_t sum, std::uint32_t partial, float scale);

// `fastest`: FP8 kernel models with F <= 16 (sm89-mma, sm90-wgmma[.fN][.pN]) run on AVX2
// lanes when the CPU has them (and FMA, for scales at promotion; fp8_chain_kernel.hpp),
// with the same bits; `scalar`: the model instruction by instruction.
enum class ChainGemmPath : std::uint8_t { fastest, scalar };

// D (M x N, row-major) as bits of the instruction's FP32 d register. InputError when a
// size, a code or a scale does not fit the model's instruction (K a multiple of its k,
// codes within their format, scales present exactly for block-scaled kernels).
std::vector<std::uint32_t> mma_chain_gemm(const KernelModel& model, const ChainGemmOperands& operands, int threads = 1,
                                          ChainGemmPath path = ChainGemmPath::fastest);

// The general form: `instruction` (a kernel model's, with its FP32 d) over `schedule`.
// Returns, for each slice s, its M x N FP32 results (bits, row-major) at s * M * N.
// InputError as above, and for windows off the instruction grid or outside K, or group
// indices outside the promotion scales.
std::vector<std::uint32_t> mma_chain_gemm_slices(const MmaInstruction& instruction, const ChainSchedule& schedule,
                                                 const ChainGemmOperands& operands, int threads = 1,
                                                 ChainGemmPath path = ChainGemmPath::fastest);

}  // namespace fp8check
