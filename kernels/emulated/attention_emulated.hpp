// The emulated FP8 attention forward: FlashAttention-style block-wise online softmax over
// FP8 (or bf16) Q and FP8 K, V with per-tensor or per-head descales, P quantized to FP8
// (or rounded to bf16) before P·V, every sum in FP32 (or, under a tensor-core kernel model,
// Q·Kᵀ and P·V through Hopper's wgmma instruction model), in the order the config fixes
// (docs/attention.md gives the whole specification). Same inputs, config and fault give
// the same bits on any thread count, SIMD path and compiler: work is split over
// (batch, query head, query block) only, and every row is computed whole by one thread.
#pragma once

#include "harness/backend/attention_operands.hpp"
#include "harness/configs/attention_config.hpp"
#include "harness/problem/attention_desc.hpp"
#include "kernels/emulated/attention_fault.hpp"
#include "kernels/emulated/attention_model.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"

namespace fp8check {

// Writes O, LSE and the P statistics into `out`. `threads`: workers, 0 = one per hardware
// thread. `model`: how Q·Kᵀ and P·V are computed (attention_model.hpp; fp32 by default);
// `tile_path` picks the tensor-core models' implementation (scalar: instruction by
// instruction; the same bits, for tests). Throws InputError for an invalid problem or
// config, a config the model cannot run, or operands that do not match the problem
// (missing codes, descale counts).
void attention_emulated(const AttentionDesc& problem, const AttentionOperand& q, const AttentionOperand& k,
                        const AttentionOperand& v, const AttentionConfig& config, AttentionOutput& out, int threads,
                        AttentionFault fault = AttentionFault::none, const AttentionKernelModel& model = {},
                        ChainGemmPath tile_path = ChainGemmPath::fastest);

}  // namespace fp8check
