// FP64 reference attention: the answers attention kernels are judged against
// (docs/references.md). Per batch b and query head h, with kv head g = h / (Hq / Hkv)
// (GQA; MQA is Hkv = 1):
//
//   S = s · Q Kᵀ + mask        P = softmax(S) by rows        O = P V
//   lse_i = log Σ_j exp(S_ij)   (natural log of the scaled, masked scores, as FlashAttention's
//                                softmax_lse)
//
// The causal mask is aligned bottom-right, as FlashAttention 2.1+ does for Sq != Skv
// (flash_attn README, "causal"): query i sees keys j <= i + Skv - Sq. When Sq > Skv the first
// Sq - Skv queries see no key: their output row is 0 and their lse is -infinity (the log of an
// empty sum; FlashAttention stores +inf there).
// The softmax is computed stably in FP64: m = max_j S_ij, p_ij = exp(S_ij - m),
// O_i = (Σ_j p_ij V_j) / Σ_j p_ij, lse_i = m + log Σ_j p_ij.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <limits>
#include <vector>

#include "references/dense.hpp"

namespace fp8check::references {

// A [batch, heads, seq, dim] tensor as one row-major seq×dim matrix per (batch, head).
struct HeadMatrices {
  std::int64_t batch = 0;
  std::int64_t heads = 0;
  std::vector<MatrixD> per_head;  // index b * heads + h

  HeadMatrices() = default;
  HeadMatrices(std::int64_t batch_count, std::int64_t head_count, std::int64_t rows, std::int64_t cols);  // zeros

  MatrixD& at(std::int64_t b, std::int64_t h) { return per_head[index(b, h)]; }
  const MatrixD& at(std::int64_t b, std::int64_t h) const { return per_head[index(b, h)]; }

 private:
  std::size_t index(std::int64_t b, std::int64_t h) const { return static_cast<std::size_t>(b * heads + h); }
};

struct AttentionProblem {
  std::int64_t batch = 1;
  std::int64_t q_heads = 1;   // Hq
  std::int64_t kv_heads = 1;  // Hkv, divides Hq
  std::int64_t q_len = 0;     // Sq
  std::int64_t kv_len = 0;    // Skv
  std::int64_t qk_dim = 0;    // head dim of Q and K (MLA: 192)
  std::int64_t v_dim = 0;     // head dim of V and O (MLA: 128)
  double softmax_scale = std::numeric_limits<double>::quiet_NaN();  // s, usually 1/sqrt(qk_dim): must be set
  bool causal = false;

  void validate() const;  // every size >= 1, kv_heads divides q_heads, s finite
  std::int64_t kv_head_of(std::int64_t q_head) const { return q_head / (q_heads / kv_heads); }
};

std::ostream& operator<<(std::ostream& os, const AttentionProblem& p);

struct AttentionResult {
  HeadMatrices out;  // [batch, q_heads, q_len, v_dim]
  MatrixD lse;       // (batch · q_heads) × q_len, row b * q_heads + h (FlashAttention's [B, H, Sq])
};

// q: [batch, q_heads, q_len, qk_dim], k: [batch, kv_heads, kv_len, qk_dim],
// v: [batch, kv_heads, kv_len, v_dim]. The (batch, head) pairs are shared among `threads`
// std::threads; each pair is computed by the same code whichever thread runs it, so the
// result does not depend on `threads`. 0 picks: 1 when the matrix products are already
// multi-threaded (OpenBLAS's default), else one per hardware thread (OPENBLAS_NUM_THREADS=1).
AttentionResult attention_reference(const AttentionProblem& problem, const HeadMatrices& q, const HeadMatrices& k,
                                    const HeadMatrices& v, unsigned threads = 0);

}  // namespace fp8check::references
