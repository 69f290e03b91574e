#include "kernels/emulated/gemm_pack.hpp"

#include <algorithm>
#include <array>

#include "harness/core/convert.hpp"
#include "kernels/emulated/gemm_tile_kernels.hpp"
#include "harness/backend/gemm_problem.hpp"
#include "kernels/emulated/parallel_for.hpp"

namespace fp8check::detail {
namespace {

constexpr std::int64_t L = kTileLanes;
constexpr std::int64_t kRowsPerTask = 16;  // MN-major A: 16 rows share each 64-byte line read

using DecodeTable = std::array<float, 256>;

DecodeTable decode_table(Format f) {
  DecodeTable table{};
  for (std::uint32_t code = 0; code < 256; ++code) table[code] = static_cast<float>(decode(f, code));  // exact
  return table;
}

// Calls fn(load) with load(offset) -> float for the operand's storage, chosen once.
template <typename Fn>
void with_loader(const GemmOperand& op, const DecodeTable& table, Fn&& fn) {
  switch (op.storage) {
    case ElementStorage::f32_values: fn([v = op.values](std::int64_t at) { return v[at]; }); break;
    case ElementStorage::codes:
      fn([c = op.codes, t = table.data()](std::int64_t at) { return t[c[at]]; });
      break;
    case ElementStorage::int8_values:
      fn([v = op.integers](std::int64_t at) { return static_cast<float>(v[at]); });
      break;
  }
}

}  // namespace

std::vector<RowUnit> row_units(const GemmProblem& p, GemmFault fault) {
  std::vector<RowUnit> units;
  for (const GemmRowUnit& u : gemm_row_units(p))
    // padding_rows_read: a masked group's padded rows are read as if valid.
    units.push_back({u.a_batch, u.b_batch, u.row_begin,
                     fault == GemmFault::padding_rows_read && p.kind == GemmKind::grouped_masked ? p.m : u.rows, 0});
  std::int64_t packed = 0;
  for (RowUnit& u : units) {
    u.packed_row = packed;
    packed += u.rows;
  }
  return units;
}

std::int64_t scale_groups(const GemmOperand& op) {
  return op.k_blocked() ? (op.k + op.scale_group_k() - 1) / op.scale_group_k() : 1;
}

const float* PackedB::panel(std::int64_t batch, std::int64_t p) const {
  return values.data() + ((batch * panels + p) * k) * L;
}

const float* PackedB::panel_scales(std::int64_t batch, std::int64_t p) const {
  return scales.data() + ((batch * panels + p) * groups) * L;
}

PackedA pack_a(const GemmOperand& a, std::span<const RowUnit> units, bool k_blocked_recipe, int threads) {
  PackedA packed;
  packed.k = a.k;
  packed.groups = scale_groups(a);
  std::int64_t total_rows = 0;
  for (const RowUnit& u : units) total_rows = std::max(total_rows, u.packed_row + u.rows);
  packed.values.resize(static_cast<std::size_t>(total_rows * a.k));
  if (k_blocked_recipe) packed.scales.resize(static_cast<std::size_t>(total_rows * packed.groups));

  struct Task { const RowUnit* unit; std::int64_t first, count; };
  std::vector<Task> tasks;
  for (const RowUnit& u : units)
    for (std::int64_t r = 0; r < u.rows; r += kRowsPerTask) tasks.push_back({&u, r, std::min(kRowsPerTask, u.rows - r)});

  const DecodeTable table = a.storage == ElementStorage::codes ? decode_table(a.code_format) : DecodeTable{};
  with_loader(a, table, [&](auto load) {
    parallel_for(static_cast<std::int64_t>(tasks.size()), threads, [&](std::int64_t item, int) {
      const Task& task = tasks[static_cast<std::size_t>(item)];
      const RowUnit& u = *task.unit;
      float* dst = packed.values.data() + (u.packed_row + task.first) * a.k;
      const std::int64_t base = a.element_offset(u.a_batch, u.row_begin + task.first, 0);
      if (a.k_major) {
        for (std::int64_t r = 0; r < task.count; ++r)
          for (std::int64_t k = 0; k < a.k; ++k) dst[r * a.k + k] = load(base + r * a.ld + k);
      } else {
        for (std::int64_t k = 0; k < a.k; ++k)
          for (std::int64_t r = 0; r < task.count; ++r) dst[r * a.k + k] = load(base + k * a.ld + r);
      }
      if (!k_blocked_recipe) return;
      for (std::int64_t r = 0; r < task.count; ++r)
        for (std::int64_t g = 0; g < packed.groups; ++g)
          packed.scales[static_cast<std::size_t>((u.packed_row + task.first + r) * packed.groups + g)] =
              a.scale_of_group(u.a_batch, u.row_begin + task.first + r, g);
    });
  });
  return packed;
}

PackedB pack_b(const GemmOperand& b, std::int64_t n, bool k_blocked_recipe, int threads) {
  PackedB packed;
  packed.k = b.k;
  packed.panels = (n + L - 1) / L;
  packed.groups = scale_groups(b);
  const std::int64_t panel_count = b.batches * packed.panels;
  packed.values.assign(static_cast<std::size_t>(panel_count * b.k * L), 0.0f);
  if (k_blocked_recipe) packed.scales.assign(static_cast<std::size_t>(panel_count * packed.groups * L), 1.0f);

  const DecodeTable table = b.storage == ElementStorage::codes ? decode_table(b.code_format) : DecodeTable{};
  with_loader(b, table, [&](auto load) {
    parallel_for(panel_count, threads, [&](std::int64_t item, int) {
      const std::int64_t batch = item / packed.panels;
      const std::int64_t p = item % packed.panels;
      const std::int64_t lanes = std::min(L, n - p * L);
      float* dst = packed.values.data() + item * b.k * L;  // item = batch * panels + p
      const std::int64_t base = b.element_offset(batch, p * L, 0);
      if (b.k_major) {
        for (std::int64_t j = 0; j < lanes; ++j)
          for (std::int64_t k = 0; k < b.k; ++k) dst[k * L + j] = load(base + j * b.ld + k);
      } else {
        for (std::int64_t k = 0; k < b.k; ++k)
          for (std::int64_t j = 0; j < lanes; ++j) dst[k * L + j] = load(base + k * b.ld + j);
      }
      if (!k_blocked_recipe) return;
      float* scales = packed.scales.data() + item * packed.groups * L;
      for (std::int64_t g = 0; g < packed.groups; ++g)
        for (std::int64_t j = 0; j < lanes; ++j) scales[g * L + j] = b.scale_of_group(batch, p * L + j, g);
    });
  });
  return packed;
}

}  // namespace fp8check::detail
