// cuBLAS's tiled layout of MX/NVFP4 block scales (cuBLAS documentation, "1D Block Scaling
// Factors Layout"): offsets written out by hand from the documented rule (tiles of 128 x 4
// scales, 512 bytes each, K tiles fastest; inside a tile (r, c) at (r % 32) * 16 +
// (r / 32) * 4 + c), then every offset distinct, padding, and round trips.
#include <gtest/gtest.h>

#include <set>

#include "harness/core/error.hpp"
#include "harness/quantize/tiled_scale_layout.hpp"

namespace fp8check {
namespace {

struct Entry {
  std::int64_t r, c, offset;
};

TEST(TiledScaleLayout, OffsetsWrittenOutByHand) {
  // 256 rows x 8 K blocks: 2 x 2 tiles; tile (i, j) starts at (2 i + j) * 512.
  const TiledScaleLayout l{256, 8};
  EXPECT_EQ(l.size(), 2048);
  const Entry table[] = {
      {0, 0, 0},        {0, 1, 1},        {0, 3, 3},        {1, 0, 16},       {1, 2, 18},       {2, 1, 33},
      {31, 3, 499},     {32, 0, 4},       {33, 1, 21},      {63, 2, 502},     {64, 0, 8},       {65, 3, 27},
      {96, 0, 12},      {100, 2, 78},     {127, 0, 508},    {127, 3, 511},    {0, 4, 512},      {0, 7, 515},
      {5, 6, 594},      {45, 5, 725},     {127, 7, 1023},   {128, 0, 1024},   {129, 1, 1041},   {160, 0, 1028},
      {200, 3, 1163},   {130, 5, 1569},   {224, 4, 1548},   {255, 3, 1535},   {255, 4, 2044},   {255, 7, 2047},
  };
  for (const Entry& e : table) EXPECT_EQ(l.offset(e.r, e.c), e.offset) << "(" << e.r << ", " << e.c << ")";
}

TEST(TiledScaleLayout, PartialTilesArePadded) {
  // 130 rows x 5 blocks (e.g. MXFP8 A of M = 130, K = 160): still 2 x 2 whole tiles.
  const TiledScaleLayout l{130, 5};
  EXPECT_EQ(l.outer_tiles(), 2);
  EXPECT_EQ(l.inner_tiles(), 2);
  EXPECT_EQ(l.size(), 2048);
  const Entry table[] = {{0, 4, 512}, {128, 0, 1024}, {129, 4, 1552}, {129, 3, 1043}, {64, 4, 520}};
  for (const Entry& e : table) EXPECT_EQ(l.offset(e.r, e.c), e.offset) << "(" << e.r << ", " << e.c << ")";
  // NVFP4 A of M = 64, K = 64: 64 x 4 scales, one tile.
  const TiledScaleLayout nv{64, 4};
  EXPECT_EQ(nv.size(), 512);
  EXPECT_EQ(nv.offset(63, 3), 503);
  EXPECT_EQ(nv.offset(40, 1), 133);
  EXPECT_EQ(describe(l), "130x5 scales in 2x2 tiles of 128x4 (2048 bytes)");
}

TEST(TiledScaleLayout, EveryScaleHasItsOwnByte) {
  for (const TiledScaleLayout l : {TiledScaleLayout{256, 8}, TiledScaleLayout{130, 5}, TiledScaleLayout{1, 1},
                                   TiledScaleLayout{385, 13}}) {
    std::set<std::int64_t> seen;
    for (std::int64_t r = 0; r < l.outer; ++r)
      for (std::int64_t c = 0; c < l.inner; ++c) {
        const std::int64_t at = l.offset(r, c);
        ASSERT_GE(at, 0);
        ASSERT_LT(at, l.size());
        ASSERT_TRUE(seen.insert(at).second) << describe(l) << ": (" << r << ", " << c << ") reuses byte " << at;
      }
    if (l.outer % 128 == 0 && l.inner % 4 == 0) EXPECT_EQ(static_cast<std::int64_t>(seen.size()), l.size());
  }
}

TEST(TiledScaleLayout, RoundTripsAndPadding) {
  const std::int64_t outer = 200, inner = 7, ld = 9;
  std::vector<std::uint8_t> grid(static_cast<std::size_t>(outer * ld), 0xEE);  // ld padding never read
  for (std::int64_t r = 0; r < outer; ++r)
    for (std::int64_t c = 0; c < inner; ++c) grid[static_cast<std::size_t>(r * ld + c)] = static_cast<std::uint8_t>(r * 31 + c * 7);
  const std::vector<std::uint8_t> tiled = to_tiled_scales(grid.data(), outer, inner, ld, 0x5A);
  const TiledScaleLayout l{outer, inner};
  ASSERT_EQ(static_cast<std::int64_t>(tiled.size()), l.size());
  std::int64_t padding = 0;
  for (std::uint8_t b : tiled) padding += b == 0x5A;
  EXPECT_GE(padding, l.size() - outer * inner);  // every byte no scale maps to holds the pad
  const std::vector<std::uint8_t> back = from_tiled_scales(tiled, l);
  for (std::int64_t r = 0; r < outer; ++r)
    for (std::int64_t c = 0; c < inner; ++c)
      ASSERT_EQ(back[static_cast<std::size_t>(r * inner + c)], grid[static_cast<std::size_t>(r * ld + c)]) << r << "," << c;
  EXPECT_THROW(to_tiled_scales(grid.data(), outer, inner, inner - 1), InputError);
  EXPECT_THROW(from_tiled_scales(std::vector<std::uint8_t>(100), l), InputError);
}

}  // namespace
}  // namespace fp8check
