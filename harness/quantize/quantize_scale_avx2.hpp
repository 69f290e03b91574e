// AVX2 + FMA kernels of the quantizer's bulk path (quantize.cpp): the scaled values of a
// row segment, four at a time, bit-identical to the scalar definitions they replace:
//   exact:  round_to_odd_float(divide_round_to_odd(x, s))   (round_to_odd.hpp)
//           or round_to_odd_float(multiply_round_to_odd(x, q)) under the quant meaning;
//   fp32:   scale_element() of an fp32 convention (convention_math.hpp): fl32(fl32(x) * q)
//           or fl32(fl32(x) / s), then its pre-cast clamp.
// Only quantize_scale_avx2.cpp is built with -mavx2 -mfma; quantize.cpp calls these only
// when the CPU has both and the FP environment is the default (round to nearest, no
// FTZ/DAZ: avx2_fp_environment_is_default). Declarations only: nothing inline here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fp8check::detail {

// Writes out[0..k) and returns k: every element up to the first group of four holding a
// lane the vector code leaves to the scalar definition (a quotient that is not finite,
// that underflows to zero inexactly, or whose float is out of range or zero). The caller
// computes that group in scalar code and calls again from after it.
std::size_t avx2_scale_exact(const double* x, std::size_t n, double scale, bool multiply, float* out);

// PreCastClamp as an int: 0 none, 1 fmax_fmin, 2 xorsign_abs. Writes all n values.
void avx2_scale_fp32(const double* x, std::size_t n, float factor, bool divide, int clamp, float limit, float* out);

}  // namespace fp8check::detail
