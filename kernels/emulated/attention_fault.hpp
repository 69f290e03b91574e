// Deliberate, realistic attention-kernel bugs the emulated kernel can inject, so that tests
// (and the "seeds" suite) prove the pipeline's checks catch them. Each fault changes
// results only where the real bug would; elsewhere the output is bit-identical to a
// fault-free run (tests/attention_emulated_test.cpp checks both sides).
#pragma once

#include <cstdint>
#include <string_view>

namespace fp8check {

enum class AttentionFault : std::uint8_t {
  none,
  // The P offset budget is exceeded: the kernel keeps a stale running max while a block
  // raises it by <= 4 (log2 units; FlashAttention-4's rescale_threshold = 4 with its FP8
  // max_offset = 8, flash-attention issue #2577), so P·scale reaches 2^12 and the e4m3
  // conversion (satfinite, max 448) clips the largest probabilities while the row sum keeps
  // them. Only rows whose max grows after their first block change: at kv lengths just past a
  // multiple of block_kv the first block processed (the last, partial one) holds few keys.
  p_scale_overflow,
  // The split-KV (flash-decoding) path writes each split's partial output without the V
  // descale, and the combine step does not apply it either. Harmless with splits = 1.
  kv_descale_dropped,
  // The FP8-Q fast path folds only q_descale into the score scale and forgets k_descale.
  // Harmless when Q is bf16 (the generic path).
  q_fast_path_no_kv_descale,
};

inline constexpr AttentionFault kAllAttentionFaults[] = {AttentionFault::none, AttentionFault::p_scale_overflow,
                                                         AttentionFault::kv_descale_dropped,
                                                         AttentionFault::q_fast_path_no_kv_descale};

std::string_view attention_fault_name(AttentionFault f);  // "p_scale_overflow", ...
// Throws InputError listing the accepted names.
AttentionFault parse_attention_fault(std::string_view name);

}  // namespace fp8check
