// Operands decoded once and laid out for the micro-tile kernels (gemm_tile_kernels.hpp):
// A as K-contiguous float rows, B as panels of kTileLanes columns (k-th lane vector
// contiguous), and for K-blocked recipes the scales of every K group beside them.
// Packing copies exact values only (codes through a 256-entry decode table, integers as
// floats), so it never changes a result; it only makes the inner loop contiguous.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "harness/backend/gemm_operand.hpp"
#include "harness/backend/gemm_problem.hpp"
#include "kernels/emulated/gemm_fault.hpp"

namespace fp8check::detail {

// A run of stored rows of A (and C, D) that multiplies one B matrix: a batch, a group.
struct RowUnit {
  std::int64_t a_batch = 0;    // matrix of A, C and D
  std::int64_t b_batch = 0;    // matrix of B
  std::int64_t row_begin = 0;  // first stored row (A's mn index, D's row)
  std::int64_t rows = 0;
  std::int64_t packed_row = 0; // its first row in PackedA
};

struct PackedA {
  std::int64_t k = 0;
  std::int64_t groups = 1;     // scale groups per row (K-blocked recipes)
  std::vector<float> values;   // packed rows x k
  std::vector<float> scales;   // packed rows x groups; empty unless K-blocked recipe
  const float* row(std::int64_t r) const { return values.data() + r * k; }
  const float* scale_row(std::int64_t r) const { return scales.data() + r * groups; }
};

struct PackedB {
  std::int64_t k = 0;
  std::int64_t panels = 0;     // ceil(n / kTileLanes); lanes past n hold 0 (scale 1)
  std::int64_t groups = 1;
  std::vector<float> values;   // batches x panels x k x kTileLanes
  std::vector<float> scales;   // batches x panels x groups x kTileLanes; empty unless K-blocked recipe
  const float* panel(std::int64_t batch, std::int64_t p) const;
  const float* panel_scales(std::int64_t batch, std::int64_t p) const;
};

// The row units of a problem in stored order, packed rows numbered consecutively; the
// fault padding_rows_read makes masked groups' units cover their padding rows.
std::vector<RowUnit> row_units(const GemmProblem& problem, GemmFault fault);

// Scale groups along K of an operand: ceil(k / group) when K-blocked, else 1.
std::int64_t scale_groups(const GemmOperand& op);

PackedA pack_a(const GemmOperand& a, std::span<const RowUnit> units, bool k_blocked_recipe, int threads);
PackedB pack_b(const GemmOperand& b, std::int64_t n, bool k_blocked_recipe, int threads);

}  // namespace fp8check::detail
