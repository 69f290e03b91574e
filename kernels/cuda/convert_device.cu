#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <string>

#include "harness/core/error.hpp"
#include "kernels/cuda/convert_device.hpp"

namespace fp8check::cuda {
namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw InternalError(std::string(what) + ": " + cudaGetErrorString(err));
}

template <Format F>
__global__ void encode_emulated_kernel(EncodeOptions opt, std::uint64_t first, std::size_t n, std::uint8_t* out) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float x = __uint_as_float(static_cast<unsigned>(first + i));
  out[i] = static_cast<std::uint8_t>(encode<F>(x, opt));
}

__global__ void encode_native_kernel(__nv_fp8_interpretation_t kind, __nv_saturation_t sat, std::uint64_t first,
                                     std::size_t n, std::uint8_t* out) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  out[i] = __nv_cvt_float_to_fp8(__uint_as_float(static_cast<unsigned>(first + i)), sat, kind);
}

}  // namespace

int device_count() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

std::string device_description() {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) return std::string("no CUDA device (") + cudaGetErrorString(err) + ")";
  if (n == 0) return "no CUDA device";
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major * 10 + prop.minor) + ")";
}

void encode_bit_range(Format f, EncodeOptions opt, ConvertPath path, std::uint64_t first, std::size_t n,
                      std::uint8_t* out) {
  std::uint8_t* d_out = nullptr;
  check(cudaMalloc(&d_out, n), "cudaMalloc");
  const unsigned threads = 256;
  const unsigned blocks = static_cast<unsigned>((n + threads - 1) / threads);
  if (path == ConvertPath::native) {
    if (f != Format::e4m3fn && f != Format::e5m2) throw InputError("native CUDA conversion covers e4m3fn and e5m2 only");
    if (opt.rounding != Rounding::nearest_even || opt.saturate_finite != opt.clamp_inf)
      throw InputError("native CUDA fp8 conversion is cvt.rn with satfinite (both settings on) or none (both off)");
    encode_native_kernel<<<blocks, threads>>>(f == Format::e4m3fn ? __NV_E4M3 : __NV_E5M2,
                                              opt.saturate_finite ? __NV_SATFINITE : __NV_NOSAT, first, n, d_out);
  } else {
    switch (f) {
      case Format::e4m3fn: encode_emulated_kernel<Format::e4m3fn><<<blocks, threads>>>(opt, first, n, d_out); break;
      case Format::e5m2: encode_emulated_kernel<Format::e5m2><<<blocks, threads>>>(opt, first, n, d_out); break;
      default: throw InputError("the emulated CUDA conversion kernel is instantiated for e4m3fn and e5m2");
    }
  }
  check(cudaGetLastError(), "kernel launch");
  check(cudaMemcpy(out, d_out, n, cudaMemcpyDeviceToHost), "cudaMemcpy");
  check(cudaFree(d_out), "cudaFree");
}

}  // namespace fp8check::cuda
