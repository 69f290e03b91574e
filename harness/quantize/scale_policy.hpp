// How a recipe turns a block's amax into a stored scale: the options every scaled
// quantizer has to decide, each with a documented default (docs/recipes.md).
//
// Meaning of the stored scale. With the default ScaleMeaning::dequant the scale tensor
// holds s = amax / format_max and x ~= decode(code) * s: the cuBLASLt convention
// (A_SCALE_POINTER is the dequantization multiplier), DeepGEMM's and the OCP MX X.
// ScaleMeaning::quant stores q = format_max / amax and code = encode(x * q): Transformer
// Engine's `scale` (its `scale_inv` is the cuBLASLt operand).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/convert.hpp"
#include "harness/quantize/quant_convention.hpp"

namespace fp8check {

enum class ScaleMeaning : std::uint8_t {
  dequant,  // stored s: x ~= decode(code) * s (default; cuBLASLt, DeepGEMM, OCP MX)
  quant,    // stored q: code = encode(x * q), x ~= decode(code) / q (TE's `scale`)
};

enum class Pow2Scale : std::uint8_t {
  none,      // the scale is amax / format_max rounded to its storage type (default)
  round_up,  // 2^ceil(log2(amax / format_max)): exact, and no element overflows (UE8M0 style)
};

// The scale of a block with no nonzero (non-NaN) element, where amax / format_max = 0
// would give a 0 scale and 0/0 codes. Codes are 0 either way; the choice is visible only
// in the scale tensor (and in what a kernel under test must match).
enum class ZeroBlockScale : std::uint8_t {
  one,       // s = 1 (default): TE's initial scale, torchao, MLC; MX code 127
  smallest,  // the smallest scale the storage type allows (see below); MX code 0 (2^-127)
};

// The MX shared exponent (OCP Microscaling Formats v1.0, section 6.3).
enum class MxScaleRule : std::uint8_t {
  ocp_floor,  // X = 2^(floor(log2(amax)) - emax_elem) (default, the spec); values in
              // (format_max, 2^(emax_elem+1)) saturate
  round_up,   // X = 2^ceil(log2(amax / format_max)): no element saturates (TE's MXFP8 cast)
};

struct ScalePolicy {
  ScaleMeaning meaning = ScaleMeaning::dequant;
  Pow2Scale pow2 = Pow2Scale::none;
  ZeroBlockScale zero_block = ZeroBlockScale::one;
  MxScaleRule mx_rule = MxScaleRule::ocp_floor;
  // The element maximum in amax / format_max (and emax_elem = floor(log2(format_max)) for
  // MX). nullopt: the element type's largest finite value (448 e4m3fn, 240 e4m3fnuz,
  // 57344 e5m2, 6 e2m1fn, 127 int8, 7 int4). Must be finite and > 0.
  std::optional<double> format_max;
  // NVFP4's per-tensor scale is amax / (nvfp4_scale_max * 6): 448 uses the whole E4M3
  // range of the block scales (TE's default); TE's "4over6" tensors use 256.
  double nvfp4_scale_max = 448;
  // How scaled elements become codes: satfinite round-to-nearest-even by default (CUDA's
  // cvt.rn.satfinite). For INT8/INT4 only `rounding` applies: integers always saturate.
  EncodeOptions element_encode{};
  // The arithmetic of fp32 scales and of the elements they scale (quant_convention.hpp):
  // exact (default, fp8check's one-rounding reference) or a library's fp32 arithmetic.
  QuantConvention convention{};
};

// Storage type of a scale tensor. Every scale is stored clamped to
// [smallest, largest finite] of its type: smallest = the smallest *normal* for fp32
// (2^-126) and fp16 (2^-14), so that a reciprocal is finite too; the smallest positive
// code for e4m3 (2^-9, NVFP4 scales use subnormals) and e8m0 (2^-127).
enum class ScaleType : std::uint8_t { fp32, fp16, e8m0, e4m3 };

int scale_type_bytes(ScaleType t);  // 4, 2, 1, 1
double smallest_scale(ScaleType t);
double largest_scale(ScaleType t);

std::string_view scale_type_name(ScaleType t);             // "fp32", "fp16", "e8m0", "e4m3"
std::string_view scale_meaning_name(ScaleMeaning m);       // "dequant", "quant"
std::string_view pow2_scale_name(Pow2Scale p);             // "none", "round-up"
std::string_view zero_block_scale_name(ZeroBlockScale z);  // "one", "smallest"
std::string_view mx_scale_rule_name(MxScaleRule r);        // "ocp-floor", "round-up"

// Parsers accept the names above; InputError lists them otherwise.
ScaleMeaning parse_scale_meaning(std::string_view name);
ZeroBlockScale parse_zero_block_scale(std::string_view name);
MxScaleRule parse_mx_scale_rule(std::string_view name);

// "meaning dequant, pow2 none, zero-block one, mx ocp-floor, format-max default, rne satfinite,
//  convention exact"
std::string describe(const ScalePolicy& p);

}  // namespace fp8check
