#include "harness/quantize/tiled_scale_layout.hpp"

#include "harness/core/error.hpp"

namespace fp8check {

std::string describe(const TiledScaleLayout& l) {
  return std::to_string(l.outer) + "x" + std::to_string(l.inner) + " scales in " + std::to_string(l.outer_tiles()) + "x" +
         std::to_string(l.inner_tiles()) + " tiles of 128x4 (" + std::to_string(l.size()) + " bytes)";
}

std::vector<std::uint8_t> to_tiled_scales(const std::uint8_t* row_major, std::int64_t outer, std::int64_t inner,
                                          std::int64_t ld, std::uint8_t pad) {
  if (outer < 1 || inner < 1 || ld < inner || row_major == nullptr)
    throw InputError("tiled scale layout: a " + std::to_string(outer) + "x" + std::to_string(inner) +
                     " scale grid with ld " + std::to_string(ld) + ": expected outer, inner >= 1 and ld >= inner");
  const TiledScaleLayout l{outer, inner};
  std::vector<std::uint8_t> out(static_cast<std::size_t>(l.size()), pad);
  for (std::int64_t r = 0; r < outer; ++r)
    for (std::int64_t c = 0; c < inner; ++c) out[static_cast<std::size_t>(l.offset(r, c))] = row_major[r * ld + c];
  return out;
}

std::vector<std::uint8_t> from_tiled_scales(const std::vector<std::uint8_t>& tiled, const TiledScaleLayout& l) {
  if (l.outer < 1 || l.inner < 1 || static_cast<std::int64_t>(tiled.size()) != l.size())
    throw InputError("tiled scale layout: " + std::to_string(tiled.size()) + " bytes for " + describe(l));
  std::vector<std::uint8_t> out(static_cast<std::size_t>(l.outer * l.inner));
  for (std::int64_t r = 0; r < l.outer; ++r)
    for (std::int64_t c = 0; c < l.inner; ++c)
      out[static_cast<std::size_t>(r * l.inner + c)] = tiled[static_cast<std::size_t>(l.offset(r, c))];
  return out;
}

}  // namespace fp8check
