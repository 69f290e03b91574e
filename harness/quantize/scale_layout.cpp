#include "harness/quantize/scale_layout.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

constexpr std::array<std::pair<std::string_view, ScaleOrder>, 3> kOrders{{
    {"row-major", ScaleOrder::row_major},
    {"col-major", ScaleOrder::col_major},
    {"col-major-tma", ScaleOrder::col_major_tma},
}};

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

std::string extent_name(std::int64_t e) { return e == 0 ? "all" : std::to_string(e); }

}  // namespace

std::string block_shape_name(BlockShape b) { return extent_name(b.rows) + "x" + extent_name(b.cols); }

BlockShape parse_block_shape(std::string_view text) {
  const auto fail = [&] {
    throw InputError("block shape '" + std::string(text) + "' is not valid: expected RxC with R, C >= 1 (e.g. 1x128)");
  };
  const std::size_t x = text.find('x');
  if (x == std::string_view::npos) fail();
  BlockShape b;
  for (auto [part, out] : {std::pair{text.substr(0, x), &b.rows}, std::pair{text.substr(x + 1), &b.cols}}) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), *out);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() || *out < 1 || *out > (1 << 30)) fail();
  }
  return b;
}

std::string_view scale_order_name(ScaleOrder o) {
  for (const auto& [n, v] : kOrders)
    if (v == o) return n;
  return "?";
}

ScaleOrder parse_scale_order(std::string_view name) {
  for (const auto& [n, v] : kOrders)
    if (n == name) return v;
  throw InputError("unknown scale order '" + std::string(name) + "': expected row-major, col-major or col-major-tma");
}

std::int64_t ScaleLayout::storage_size() const {
  return order == ScaleOrder::row_major ? grid_rows * ld : grid_cols * ld;
}

std::int64_t ScaleLayout::offset(std::int64_t gi, std::int64_t gj) const {
  return order == ScaleOrder::row_major ? gi * ld + gj : gj * ld + gi;
}

ScaleLayout make_scale_layout(std::int64_t rows, std::int64_t cols, BlockShape block, ScaleOrder order,
                              int scale_bytes) {
  if (rows < 1 || cols < 1)
    throw InputError("cannot lay out scales of a " + std::to_string(rows) + "x" + std::to_string(cols) +
                     " matrix: expected rows, cols >= 1");
  if (block.rows < 0 || block.cols < 0 || scale_bytes < 1 || 16 % scale_bytes != 0)
    throw InternalError("bad block " + block_shape_name(block) + " or scale width " + std::to_string(scale_bytes));
  ScaleLayout l;
  l.rows = rows;
  l.cols = cols;
  l.block = {block.rows == 0 ? rows : block.rows, block.cols == 0 ? cols : block.cols};
  l.grid_rows = ceil_div(rows, l.block.rows);
  l.grid_cols = ceil_div(cols, l.block.cols);
  l.order = order;
  switch (order) {
    case ScaleOrder::row_major:
      l.ld = l.grid_cols;
      break;
    case ScaleOrder::col_major:
      l.ld = l.grid_rows;
      break;
    case ScaleOrder::col_major_tma: {
      const std::int64_t align = 16 / scale_bytes;  // DeepGEMM: get_tma_aligned_size(x, element_size)
      l.ld = ceil_div(l.grid_rows, align) * align;
      break;
    }
  }
  return l;
}

std::string describe(const ScaleLayout& l) {
  return std::to_string(l.grid_rows) + "x" + std::to_string(l.grid_cols) + " scales (" + block_shape_name(l.block) +
         " blocks of " + std::to_string(l.rows) + "x" + std::to_string(l.cols) + "), " +
         std::string(scale_order_name(l.order)) + ", ld " + std::to_string(l.ld);
}

}  // namespace fp8check
