// Quantization conventions: the arithmetic by which a scaled quantizer turns amax into a
// stored fp32 scale and each element into a code. Libraries agree on the formula
// (scale = amax / fmax) and differ in how they round it: a kernel that is exactly
// DeepGEMM's differs from fp8check's exact reference in about 1e-3 of bf16 codes, at
// rounding ties and near-ties (docs/recipes.md, "Conventions", has the measured rates).
//
//   exact                   fp8check's reference: s = RN(amax / fmax) into fp32, codes
//                           RN(x / s) of the exact quotient (one rounding)
//   mul-reciprocal-fp32     q = fl32(fmax / amax), codes cvt(fl32(x * q)), s = fl32(1 / q)
//   mul-inverse-scale-fp32  s = fl32(amax / fmax), codes cvt(fl32(x * fl32(1 / s)))
//   div-fp32                s = fl32(amax / fmax), codes cvt(fl32(x / s))
// and the libraries, each a set of the above with its amax floor and special cases
// (quant_convention.cpp cites the source file and function of each):
//   deepgemm, deepgemm-legacy, transformer-engine, vllm, vllm-triton
//
// A convention applies to fp32 scales (recipes tensor, delayed, row, col, vec<N>,
// blk<R>x<C>); MX, NVFP4 and integer-group scales have one rule each and take `exact`.
// The arithmetic itself is host+device code (convention_math.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "harness/quantize/convention_math.hpp"

namespace fp8check {

enum class ConventionId : std::uint8_t {
  exact,
  mul_reciprocal_fp32,
  mul_inverse_scale_fp32,
  div_fp32,
  deepgemm,
  deepgemm_legacy,
  transformer_engine,
  vllm,
  vllm_triton,
};

struct QuantConvention {
  ConventionId id = ConventionId::exact;
  // amax' = max(amax, floor) before the scale is computed; nullopt: the convention's own
  // (default_amax_floor). Must be finite and >= 0.
  std::optional<double> amax_floor;
  friend bool operator==(const QuantConvention&, const QuantConvention&) = default;
};

std::string_view convention_name(ConventionId id);  // "exact", "deepgemm", ...
// The library file and function a convention follows ("" for the generic ones).
std::string_view convention_source(ConventionId id);
// 0 for exact and the generic fp32 conventions; DeepGEMM's 1e-4 clamp, vLLM's 1e-10 eps.
double default_amax_floor(ConventionId id);
double amax_floor_of(const QuantConvention& c);  // the override or the default

// Every convention, in the order a diagnosis prefers when several explain a kernel
// equally well: exact, then the libraries, then the generic fp32 forms.
std::span<const ConventionId> all_conventions();

// Parses a name above (InputError listing the accepted names otherwise).
QuantConvention parse_quant_convention(std::string_view name);
std::string convention_name_list();  // "exact, mul-reciprocal-fp32, ..."

// "deepgemm (amax floor 0.0001)"; "exact".
std::string describe(const QuantConvention& c);

// The convention as plain data for convention_math.hpp (host and device).
ConventionArith convention_arith(const QuantConvention& c);

}  // namespace fp8check
