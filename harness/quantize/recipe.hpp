// A quantization recipe: how a matrix is cut into scale blocks, the element type, and
// how each block's scale is stored. Printable, validate()-able, and named by a short
// name that parses back to the same recipe (docs/recipes.md):
//
//   tensor       one fp32 scale (cuBLASLt SCALAR_32F; TE current scaling; MLC e4m3_e4m3_f16)
//   delayed      one fp32 scale from an amax history (TE DelayedScaling): "delayed" is TE's
//                default (1024 steps, max, margin 0), else delayed_<max|recent><N>[_m<M>]
//   row, col     one fp32 scale per row / per column (cuBLASLt OUTER_VEC_32F: per-token
//                activations, per-channel weights)
//   vec<N>       1xN groups along a row, fp32 (vec128: DeepSeek-V3 activations, VEC128_32F)
//   blk<R>x<C>   RxC blocks, fp32 (blk128x128: DeepSeek-V3 weights, BLK128x128_32F)
//   mxfp8/6/4    OCP MX: 1x32 blocks, e8m0 scales (VEC32_UE8M0); elements e4m3fn|e5m2,
//                e2m3fn|e3m2fn, e2m1fn
//   nvfp4        1x16 blocks of e2m1fn, e4m3 block scales and an fp32 tensor scale (VEC16_UE4M3)
//   int8_g<N>, int4_g<N>  symmetric integer groups of N along a row, fp16 scales (MLC-LLM
//                q8f16/q4f16_1 with group_size N)
// The element type is a parameter (tensor scaling with e4m3fn, e5m2, e4m3fnuz, int8, ...).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/element_type.hpp"
#include "harness/quantize/amax_history.hpp"
#include "harness/quantize/scale_layout.hpp"
#include "harness/quantize/scale_policy.hpp"

namespace fp8check {

enum class ScalingScheme : std::uint8_t { tensor, delayed, row, col, block, mx, nvfp4, int_group };

struct Recipe {
  ScalingScheme scheme = ScalingScheme::tensor;
  ElementType element = ElementType::of(Format::e4m3fn);
  BlockShape block{};        // elements per scale; 0 = the whole extent
  DelayedScaling delayed{};  // scheme == delayed only

  ScaleType scale_type() const;  // e8m0 (mx), e4m3 (nvfp4), fp16 (int_group), else fp32
  std::string name() const;      // the short name, e.g. "vec128", "int4_g32", "delayed_recent16_m1"
  // "vec128: 1x128 blocks, e4m3fn elements, fp32 scales"
  std::string description() const;
  // Throws InputError naming the recipe, the inconsistent field and what is accepted.
  void validate() const;
  friend bool operator==(const Recipe&, const Recipe&) = default;
};

std::ostream& operator<<(std::ostream& os, const Recipe& r);  // description()

// Parses a short name. `element` (--format) and `block` (--block) override the name's
// defaults where the recipe allows it; the result is validated. InputError otherwise.
Recipe parse_recipe(std::string_view name, std::optional<ElementType> element = std::nullopt,
                    std::optional<BlockShape> block = std::nullopt);

// The accepted names, for messages and --help.
std::string recipe_name_list();

}  // namespace fp8check
