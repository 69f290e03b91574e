// The emulated FP8 attention forward: FlashAttention-style block-wise online softmax over
// FP8 (or bf16) Q and FP8 K, V with per-tensor or per-head descales, P quantized to FP8
// (or rounded to bf16) before P·V, every sum in FP32, in the order the config fixes
// (docs/attention.md gives the whole specification). Same inputs, config and fault give
// the same bits on any thread count, SIMD path and compiler: work is split over
// (batch, query head, query block) only, and every row is computed whole by one thread.
#pragma once

#include "harness/backend/attention_operands.hpp"
#include "harness/configs/attention_config.hpp"
#include "harness/problem/attention_desc.hpp"
#include "kernels/emulated/attention_fault.hpp"

namespace fp8check {

// Writes O, LSE and the P statistics into `out`. `threads`: workers, 0 = one per hardware
// thread. Throws InputError for an invalid problem or config, or operands that do not
// match the problem (missing codes, descale counts).
void attention_emulated(const AttentionDesc& problem, const AttentionOperand& q, const AttentionOperand& k,
                        const AttentionOperand& v, const AttentionConfig& config, AttentionOutput& out, int threads,
                        AttentionFault fault = AttentionFault::none);

}  // namespace fp8check
