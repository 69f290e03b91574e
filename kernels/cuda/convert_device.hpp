// Element-wise FP8 conversion on a CUDA device, callable from plain C++ (no CUDA
// types here, so .cpp files can use it). Two paths per conversion:
// - emulated: fp8check's own codec (harness/core/convert.hpp) running on the GPU;
// - native: the CUDA toolkit's __nv_cvt_* intrinsics, which on sm_89+ compile to
//   the hardware cvt.rn.satfinite instruction.
// Comparing them on every float bit pattern checks the hardware against the
// emulation the CPU backends use (tests/gpu/convert_gpu_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "harness/core/convert.hpp"

namespace fp8check::cuda {

// Number of usable CUDA devices; 0 when there is no driver or no GPU (never throws).
int device_count();
// "NVIDIA H100 80GB HBM3 (sm_90)" or the reason there is none.
std::string device_description();

enum class ConvertPath { emulated, native };

// Encodes the float32 values whose bit patterns are first, first+1, ..., first+n-1
// (host memory out, n bytes). Native supports e4m3fn and e5m2 only.
void encode_bit_range(Format f, EncodeOptions opt, ConvertPath path, std::uint64_t first, std::size_t n,
                      std::uint8_t* out);

}  // namespace fp8check::cuda
