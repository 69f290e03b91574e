// The arithmetic of the emulated attention's two products, Q·Kᵀ and P·V (docs/attention.md,
// "Kernel models"); the suite axis `accumulation`, BackendOptions::kernel_model:
//   fp32             every product exact in FP32 and added one at a time in FP32 (the
//                    default, the model of every golden written before this axis)
//   sm90-wgmma[.fN]  Hopper's wgmma instruction models (kernels/emulated/mma, MMA-Sim) in
//                    FlashAttention-3's order: per kv block, S from +0 along the head dim
//                    and P·V along the block into the running O, k at a time, one
//                    accumulator each, no promotion; .fN replaces the alignment's fraction
//                    bits (a sensitivity study)
//   sm89-mma[.fN]    Ada's mma.sync m16n8k32 (FP8; two fused halves of 16) and m16n8k16
//                    (bf16) in the same order: the arithmetic of fp8check's own CUDA
//                    attention kernel (kernels/cuda/index/attention_program.hpp) on sm_89
// A product with a bf16 operand (bf16 Q, or bf16 P) runs the bf16 wgmma with the FP8
// operand widened to bf16 (exact), as the config selector's shared-memory model has it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/configs/attention_config.hpp"
#include "harness/problem/attention_desc.hpp"
#include "kernels/emulated/mma/kernel_model.hpp"

namespace fp8check {

struct AttentionKernelModel {
  std::optional<KernelModel> mma;  // empty: fp32

  std::string id() const;  // "fp32", "sm90-wgmma", "sm90-wgmma.f12"
  bool is_fp32() const { return !mma.has_value(); }
  // The instructions of S = Q·Kᵀ and of P·V for a problem (mma models only): the FP8
  // instruction of the operand pair, or the bf16 one where an operand is bf16.
  MmaInstruction score_instruction(const AttentionDesc& problem) const;
  MmaInstruction pv_instruction(const AttentionDesc& problem) const;
  // "" when the model runs this problem and config; otherwise why not (block_kv must be a
  // multiple of the P·V instruction's k: the kv block is its depth).
  std::string why_unsupported(const AttentionDesc& problem, const AttentionConfig& config) const;
  friend bool operator==(const AttentionKernelModel&, const AttentionKernelModel&) = default;
};

// "fp32", "sm90-wgmma[.fN]" or "sm89-mma[.fN]"; InputError saying what is accepted otherwise (other kernel
// models, and promotion, which no FlashAttention-3 product has, included).
AttentionKernelModel parse_attention_kernel_model(std::string_view id);

// The operand format an instruction reads for `f` next to `other`: f itself when both are
// FP8, bf16 otherwise.
Format attention_mma_operand(Format f, Format other);

}  // namespace fp8check
