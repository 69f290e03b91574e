// An attention configuration: how a FlashAttention-style kernel tiles one problem. Configs
// matter twice: they must fit the device (attention_selector.hpp), and block_kv, splits and
// the combine order fix the order of the FP32 softmax and P·V arithmetic, hence the bits
// (kernels/emulated/attention_emulated.hpp; block_q and stages change no bit).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace fp8check {

// How the partial results of KV splits (flash-decoding) are combined: the order of the two
// sums over splits (docs/attention.md, "Splits").
enum class SplitCombine : std::uint8_t {
  sequential,  // s = 0, 1, 2, ...: FlashAttention's combine kernel loops splits in order
  tree,        // pairwise: (s0 + s1) + (s2 + s3), ... level by level
};

struct AttentionConfig {
  int block_q = 128;   // query rows per CTA
  int block_kv = 128;  // keys per softmax block (one online-softmax update each)
  int stages = 2;      // K/V shared-memory pipeline depth
  int splits = 1;      // KV splits computed independently, then combined by their LSEs
  SplitCombine combine = SplitCombine::sequential;

  // Stable, readable id: "bq128.bkv128.s2" (+ ".sp4", ".sp4.tree" with splits).
  std::string id() const;
  // Throws InputError naming the field when a value is out of range.
  void validate() const;
  friend bool operator==(const AttentionConfig&, const AttentionConfig&) = default;
};

std::ostream& operator<<(std::ostream& os, const AttentionConfig& c);
// Parses an id back ("bq64.bkv176.s2.sp4.tree"); InputError on bad text.
AttentionConfig parse_attention_config(const std::string& id);

}  // namespace fp8check
