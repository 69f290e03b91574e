// The operands and the output of an attention kernel, as every backend receives and
// returns them (backend-neutral: codes and descales, no kernel knobs).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "harness/problem/attention_desc.hpp"

namespace fp8check {

// One operand, [batch][heads][seq][dim] row-major, as the descriptor's element type says:
// FP8 codes one per byte in `codes`, bf16 codes (Q only) in `wide_codes`; and one
// dequantization multiplier per (batch, head) in `descales` (index b * heads + h), the
// same value repeated for per-tensor scaling. FlashAttention-3 takes its descales per
// (batch, kv head); per query head is the finer choice and includes it.
struct AttentionOperand {
  const std::uint8_t* codes = nullptr;
  const std::uint16_t* wide_codes = nullptr;
  std::span<const float> descales;
};

// The kernel's result: O as codes of the output type (fp32 as its bit pattern, bf16/fp16
// as 16-bit codes), [batch][q_heads][seq_q][head_dim_v]; the natural-log LSE per row (-inf
// where a row sees no key, where FlashAttention stores +inf); and what P·scale did.
struct AttentionOutput {
  OutputType type = OutputType::bf16;
  std::int64_t batch = 0, heads = 0, rows = 0, cols = 0;
  std::vector<std::uint32_t> bits;
  std::vector<float> lse;  // [batch][q_heads][seq_q]
  float p_max = 0.0f;      // max P·scale before rounding, over every visible score (NaN ignored)
  std::int64_t p_saturated = 0;  // P·scale values above the P format's largest finite value

  std::uint32_t at(std::int64_t b, std::int64_t h, std::int64_t r, std::int64_t c) const {
    return bits[static_cast<std::size_t>(((b * heads + h) * rows + r) * cols + c)];
  }
  // The exact value of an element (every output type is a subset of double).
  double value(std::int64_t b, std::int64_t h, std::int64_t r, std::int64_t c) const {
    return output_value(type, at(b, h, r, c));
  }
  float row_lse(std::int64_t b, std::int64_t h, std::int64_t r) const {
    return lse[static_cast<std::size_t>((b * heads + h) * rows + r)];
  }
};

}  // namespace fp8check
