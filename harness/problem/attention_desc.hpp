// An attention problem as a printable descriptor with validate(), as GemmDesc is for GEMMs:
// shape (MHA / GQA / MQA heads, MLA-like head dims), mask, softmax scale, element types and
// how the kernel handles the probabilities P. The suite expands axes into these; the config
// selector, the emulated kernel and the pipeline read them (docs/attention.md).
//
//   O = softmax(s · Q Kᵀ + mask) V   per batch b and query head h, kv head g = h / (Hq / Hkv)
//
// The causal mask is bottom-right aligned, as the FP64 reference's (references/
// attention_reference.hpp): query i sees keys j <= i + seq_kv - seq_q.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

#include "harness/core/element_type.hpp"
#include "harness/problem/gemm_desc.hpp"  // OutputType

namespace fp8check {

// What the kernel does with P = exp(S - m) before P·V: quantize P·scale to an FP8 format
// (FlashAttention's FP8 path: e4m3 with scale 2^8, its max_offset = 8), or round it to
// bf16 (scale 1, the 16-bit path). `scale` is a power of two: P·scale is exact and the
// scale cancels between P·V and the row sum (docs/attention.md, "P").
struct PHandling {
  Format format = Format::e4m3fn;  // e4m3fn, e5m2 or bf16
  double scale = 256.0;

  // "e4m3.s256", "e5m2.s256", "bf16" (".sN" only when the scale is not 1 for bf16).
  std::string name() const;
  friend bool operator==(const PHandling&, const PHandling&) = default;
};

// The default handling for a P format: scale 2^8 for FP8 (FlashAttention-3), 1 for bf16.
PHandling default_p_handling(Format f);
// Parses "e4m3", "e4m3fn", "e5m2", "bf16", each optionally followed by ".sN" (N a power of
// two in [1, 2^15]). InputError naming what is accepted otherwise.
PHandling parse_p_handling(std::string_view text);

struct AttentionDesc {
  std::int64_t batch = 1;
  std::int64_t q_heads = 1;   // Hq
  std::int64_t kv_heads = 1;  // Hkv: divides Hq (MHA: Hkv = Hq, GQA: Hkv < Hq, MQA: Hkv = 1)
  std::int64_t seq_q = 0;
  std::int64_t seq_kv = 0;
  std::int64_t head_dim_qk = 0;  // Q and K (MLA: 192 = 128 nope + 64 rope)
  std::int64_t head_dim_v = 0;   // V and O (MLA: 128)
  bool causal = false;
  // s in softmax(s · Q Kᵀ). The kernel takes it as a float; set it to a float value (the
  // case does: logit_scale / sqrt(head_dim_qk) rounded to float) so that the reference
  // and the kernel use the same s.
  double softmax_scale = 0.0;
  ElementType q_type = ElementType::of(Format::e4m3fn);  // e4m3fn, e5m2 or bf16
  ElementType k_type = ElementType::of(Format::e4m3fn);  // e4m3fn or e5m2
  ElementType v_type = ElementType::of(Format::e4m3fn);  // e4m3fn or e5m2
  OutputType o_type = OutputType::bf16;                  // bf16, fp16 or fp32
  PHandling p{};

  // "b1.h8.kv8.sq1024.skv1024.d128" (+ ".dv128" when head_dim_v differs, + ".causal").
  std::string shape_id() const;
  std::int64_t group_size() const { return q_heads / kv_heads; }  // query heads per kv head
  std::int64_t kv_head_of(std::int64_t q_head) const { return q_head / group_size(); }
  // Keys query row i sees: [0, visible_keys(i)); 0 when a causal row sees none.
  std::int64_t visible_keys(std::int64_t i) const;
  // Bytes of Q, K, V and O in their own types; nullopt when the count does not fit in 64
  // bits. Overflow-safe for any field values.
  std::optional<std::uint64_t> problem_bytes() const;
  // Throws InputError naming the field, its value and what is accepted, and when the
  // problem's bytes exceed the memory this process may use (as GemmDesc::validate).
  void validate() const;
  // The same against `memory_bytes` of memory (0: not checked).
  void validate(std::uint64_t memory_bytes) const;
};

std::ostream& operator<<(std::ostream& os, const AttentionDesc& d);

}  // namespace fp8check
