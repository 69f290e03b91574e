// The layout cuBLASLt reads MX and NVFP4 block scales in (VEC32_UE8M0, VEC16_UE4M3; cuBLAS
// documentation, "1D Block Scaling Factors Layout"), as an index function for host and
// device code. The scale grid of an operand has `outer` rows (one per row of A, or per
// column of B: the M or N index) and `inner` columns (one per scale block along K). It is
// cut into tiles of 128 outer x 4 inner scales; a tile is 512 contiguous bytes, and tiles
// follow each other inner tile first (all K tiles of rows 0..127, then rows 128..255).
// Inside a tile, the scale at (r, c), r < 128, c < 4, sits at byte
//     (r % 32) * 16 + (r / 32) * 4 + c
// i.e. rows r, r + 32, r + 64, r + 96 share one 16-byte line, four K blocks each. A grid
// that is not a multiple of 128 x 4 is padded to whole tiles; padding is never read for
// elements that exist. The harness's other scale layouts (row-major, column-major, DeepGEMM's
// TMA-aligned column-major) are strided and live in scale_layout.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/host_device.hpp"

namespace fp8check {

struct TiledScaleLayout {
  static constexpr std::int64_t kTileOuter = 128;
  static constexpr std::int64_t kTileInner = 4;
  static constexpr std::int64_t kTileBytes = kTileOuter * kTileInner;  // one byte per scale

  std::int64_t outer = 0;  // rows of the scale grid (M or N)
  std::int64_t inner = 0;  // scale blocks along K

  FP8C_HD std::int64_t outer_tiles() const { return (outer + kTileOuter - 1) / kTileOuter; }
  FP8C_HD std::int64_t inner_tiles() const { return (inner + kTileInner - 1) / kTileInner; }
  // Bytes of the whole tensor, padding included.
  FP8C_HD std::int64_t size() const { return outer_tiles() * inner_tiles() * kTileBytes; }
  // Byte offset of the scale of grid row `r`, K block `c` (r < outer, c < inner).
  FP8C_HD std::int64_t offset(std::int64_t r, std::int64_t c) const {
    const std::int64_t tile = (r / kTileOuter) * inner_tiles() + c / kTileInner;
    const std::int64_t in_tile_r = r % kTileOuter;
    return tile * kTileBytes + (in_tile_r % 32) * 16 + (in_tile_r / 32) * 4 + c % kTileInner;
  }
};

// "130x5 scales in 2x2 tiles of 128x4 (2048 bytes)".
std::string describe(const TiledScaleLayout& l);

// Rearranges a row-major grid (scale (r, c) at r * ld + c, ld >= inner) into the tiled
// layout; padding bytes get `pad`. InputError when the extents or ld are inconsistent.
std::vector<std::uint8_t> to_tiled_scales(const std::uint8_t* row_major, std::int64_t outer, std::int64_t inner,
                                          std::int64_t ld, std::uint8_t pad = 0);
// The inverse: the row-major grid (ld = inner) of a tiled tensor of l.size() bytes.
std::vector<std::uint8_t> from_tiled_scales(const std::vector<std::uint8_t>& tiled, const TiledScaleLayout& l);

}  // namespace fp8check
