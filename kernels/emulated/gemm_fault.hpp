// Deliberate, realistic kernel bugs the emulated GEMM can inject, so that tests (and the
// "seeds" suite) prove the harness catches them. Each fault changes results only in the
// situation where the real bug would; elsewhere the output is bit-identical to a
// fault-free run (tests/gemm_emulated_test.cpp checks both sides).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fp8check {

enum class GemmFault : std::uint8_t {
  none,
  // The K-block scale index of a split-K slice is computed from k relative to the slice
  // start (the slice offset is forgotten). Wrong when split_k > 1, a K-blocked recipe, and
  // a non-empty slice that does not start at k = 0.
  split_k_scale_offset_forgotten,
  // The K loop is sized for K % (block_k * split_k) == 0: floor(K / (block_k * split_k))
  // rounds of block_k per slice. When K % (block_k * split_k) != 0 the tail
  // k >= block_k * split_k * floor(K / (block_k * split_k)) — the last, partial K block of
  // the split-K round — is never accumulated. Harmless when the divisibility holds.
  last_partial_k_block_skipped,
  // A K-blocked operand's scale index is computed as tile * (block_k / group) in integer
  // arithmetic: exact when the scale group divides block_k, but when block_k < group the
  // quotient is 0 and every tile reads scale block 0 (the pointer never advances).
  scale_pointer_not_advanced,
  // Masked grouped GEMM computes all m padded rows of every group: padded rows of A are
  // read, their D rows written and their values counted in amax_D. Harmless for other
  // kinds, or when every group is full.
  padding_rows_read,
};

inline constexpr GemmFault kAllGemmFaults[] = {GemmFault::none, GemmFault::split_k_scale_offset_forgotten,
                                               GemmFault::last_partial_k_block_skipped,
                                               GemmFault::scale_pointer_not_advanced, GemmFault::padding_rows_read};

std::string_view gemm_fault_name(GemmFault f);  // "split_k_scale_offset_forgotten", ...
// Throws InputError listing the accepted names.
GemmFault parse_gemm_fault(std::string_view name);

}  // namespace fp8check
