// Whole-tensor conversion: the fast path behind quantize/dequantize.
// The scalar codec (convert.hpp) defines the bits; this layer only makes them fast.
// Every path here is bit-identical to encode<F> / decode<F> (tests/convert_bulk_test.cpp,
// and over all 2^32 floats in tests/convert_bulk_exhaustive_test.cpp).
//
// Paths. `scalar` runs everywhere: encode<F> per element, decode through a 256-entry table
// built from decode<F>, float <-> double on the integer unit, so it is exact under any
// MXCSR. `avx2` (AVX2 + F16C, convert_bulk_avx2.cpp) is chosen at run time when the CPU
// has it; FP8CHECK_SIMD=scalar|avx2|auto (unset or empty: auto) overrides the choice.
// Work the avx2 kernels do not cover takes the scalar path:
//   encode (float input): e4m3fn, e5m2, e4m3fnuz, e5m2fnuz with Rounding::nearest_even,
//                         any saturate_finite / clamp_inf;
//   decode: every 8-bit format.
// The avx2 kernels use the SSE unit's rounding (a float add in encode, exact float
// products and F16C conversions in decode), so they run only under the default MXCSR
// (round to nearest, no FTZ/DAZ); under any other setting a call takes the scalar path.
//
// Storage: one code per byte. 4- and 6-bit formats use the low bits; decode ignores
// the bits above the format's width, as decode<F> does. bf16/fp16 need 16-bit storage
// and are rejected here (InputError).
//
// NaN: decode writes the canonical float NaN 0x7FC00000 for every NaN code, whatever
// the code's sign (NaN sign and payload are not portable, docs/formats.md).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "harness/core/convert.hpp"
#include "harness/core/format_spec.hpp"

// The avx2 kernels are built on x86-64 only (harness/CMakeLists.txt).
#if defined(__x86_64__)
#define FP8C_HAVE_AVX2_KERNELS 1
#else
#define FP8C_HAVE_AVX2_KERNELS 0
#endif

namespace fp8check {

enum class SimdPath : std::uint8_t { scalar, avx2 };

std::string_view simd_path_name(SimdPath p);  // "scalar", "avx2"

// The path this process uses: FP8CHECK_SIMD if set, else the best the CPU supports.
// Decided on first use. Throws InputError for an unknown FP8CHECK_SIMD value, or
// FP8CHECK_SIMD=avx2 on a CPU without AVX2 and F16C.
SimdPath active_simd_path();

// The selection rule behind active_simd_path(), given FP8CHECK_SIMD's value
// (nullptr when unset) and whether the CPU has AVX2 and F16C.
SimdPath select_simd_path(const char* env_value, bool cpu_has_avx2);

// True when this CPU (and OS) supports the avx2 kernels.
bool cpu_has_avx2();

// out[i] = encode(f, in[i], opt, random_bits[i]). `random_bits` must hold one value per
// element for Rounding::stochastic and be empty otherwise. Throws InputError when
// sizes differ or f needs more than 8 bits.
void encode_array(Format f, std::span<const float> in, std::span<std::uint8_t> out,
                  EncodeOptions opt, std::span<const std::uint32_t> random_bits = {});
void encode_array(Format f, std::span<const double> in, std::span<std::uint8_t> out,
                  EncodeOptions opt, std::span<const std::uint32_t> random_bits = {});

// out[i] = decode(f, in[i]) as float (exact: every value of these formats is a float).
// Throws InputError when sizes differ or f needs more than 8 bits.
void decode_array(Format f, std::span<const std::uint8_t> in, std::span<float> out);

namespace detail {

// The same operations on an explicit path (tests and benchmarks compare paths in one
// process). Throws InputError when `path` is avx2 and the CPU lacks it.
void encode_array_on(SimdPath path, Format f, std::span<const float> in, std::span<std::uint8_t> out,
                     EncodeOptions opt, std::span<const std::uint32_t> random_bits = {});
void decode_array_on(SimdPath path, Format f, std::span<const std::uint8_t> in, std::span<float> out);

#if FP8C_HAVE_AVX2_KERNELS
// The avx2 kernels (convert_bulk_avx2.cpp). They take raw pointers so that
// the AVX2 translation unit instantiates no inline function shared with other units
// (the linker could otherwise keep its AVX2 copy for everyone).
// The kernels return false, writing nothing, for work they do not cover.
bool avx2_encode_covers(Format f, EncodeOptions opt);
bool avx2_fp_environment_is_default();  // MXCSR: round to nearest, no FTZ, no DAZ
bool avx2_encode_f32(Format f, EncodeOptions opt, const float* in, std::uint8_t* out, std::size_t n);
bool avx2_decode(Format f, const std::uint8_t* in, float* out, std::size_t n);  // 8-bit formats
#endif

}  // namespace detail
}  // namespace fp8check
