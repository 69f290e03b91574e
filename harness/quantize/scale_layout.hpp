// Where the scales of a blocked quantization live: the grid of blocks over a rows x cols
// matrix and the order the grid is stored in.
//
// Block (gi, gj) covers rows [gi*br, min((gi+1)*br, rows)) and columns
// [gj*bc, min((gj+1)*bc, cols)); edge blocks may be partial (their scale comes from
// their valid elements only). Orders:
//   row_major      scale (gi, gj) at gi*ld + gj, ld = grid_cols
//   col_major      scale (gi, gj) at gj*ld + gi, ld = grid_rows (M-major)
//   col_major_tma  as col_major with ld = grid_rows rounded up so each column starts
//                  16-byte aligned: DeepGEMM's activation scales (get_tma_aligned_size: a
//                  multiple of 4 fp32 scales, 16 one-byte scales). Padding is never read.
// The 128x4-tile swizzled layout cuBLASLt wants for MX/NVFP4 scales is not one of these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fp8check {

// Elements per scale along rows and columns; 0 = the whole extent (per-tensor {0,0},
// per-row {1,0}, per-column {0,1}, DeepSeek-V3 activations {1,128}, weights {128,128}).
struct BlockShape {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  friend bool operator==(const BlockShape&, const BlockShape&) = default;
};

// "1x128"; 0 extents print as "all" ("1xall").
std::string block_shape_name(BlockShape b);
// Parses "RxC" with R, C >= 1 (InputError otherwise).
BlockShape parse_block_shape(std::string_view text);

enum class ScaleOrder : std::uint8_t { row_major, col_major, col_major_tma };

std::string_view scale_order_name(ScaleOrder o);  // "row-major", "col-major", "col-major-tma"
ScaleOrder parse_scale_order(std::string_view name);

struct ScaleLayout {
  std::int64_t rows = 0, cols = 0;  // the quantized matrix
  BlockShape block;                 // resolved: both >= 1
  std::int64_t grid_rows = 0, grid_cols = 0;
  ScaleOrder order = ScaleOrder::row_major;
  std::int64_t ld = 0;  // storage stride between grid rows (row-major) or grid columns

  std::int64_t storage_size() const;  // slots, padding included
  std::int64_t offset(std::int64_t gi, std::int64_t gj) const;
  // The block of element (i, j).
  std::int64_t block_row(std::int64_t i) const { return i / block.rows; }
  std::int64_t block_col(std::int64_t j) const { return j / block.cols; }
  friend bool operator==(const ScaleLayout&, const ScaleLayout&) = default;
};

// rows, cols >= 1; block extents >= 0 (0 = whole extent); scale_bytes sets the TMA padding.
ScaleLayout make_scale_layout(std::int64_t rows, std::int64_t cols, BlockShape block, ScaleOrder order,
                              int scale_bytes);

// "2x3 scales (128x128 blocks of 200x300), col-major-tma, ld 4"
std::string describe(const ScaleLayout& l);

}  // namespace fp8check
