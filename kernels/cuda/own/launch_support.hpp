// Host-side pieces every launcher of fp8check's own kernels shares: a CUDA error as text, the
// table from an extern "C" symbol to its kernel, whether a kernel loads, CUDA's grid limits.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace fp8check::cuda_own {

// "cudaErrorInvalidValue: invalid argument".
inline std::string cuda_error_text(cudaError_t err) {
  return std::string(cudaGetErrorName(err)) + ": " + cudaGetErrorString(err);
}

struct KernelEntry {
  const char* symbol;
  const void* function;
};

// The kernel compiled for `symbol`, or nullptr.
inline const void* find_kernel_symbol(std::span<const KernelEntry> table, std::string_view symbol) {
  for (const KernelEntry& e : table)
    if (symbol == e.symbol) return e.function;
  return nullptr;
}

inline std::string not_compiled_text(const std::string& symbol) {
  return "kernel " + symbol + " is not compiled into this build";
}

// "" when `function` (find_kernel_symbol's answer for `symbol`) exists and loads on the
// current device, else why not.
inline std::string kernel_loadable(const void* function, const std::string& symbol) {
  if (function == nullptr) return not_compiled_text(symbol);
  cudaFuncAttributes attributes{};
  const cudaError_t err = cudaFuncGetAttributes(&attributes, function);
  return err == cudaSuccess ? "" : cuda_error_text(err);
}

// "" when a grid fits CUDA's limits (x below 2^31, y and z at most 65535), else the line.
inline std::string grid_beyond_limits(std::int64_t x, std::int64_t y, std::int64_t z) {
  if (x <= 0x7FFFFFFF && y <= 65535 && z <= 65535) return "";
  return "grid " + std::to_string(x) + " x " + std::to_string(y) + " x " + std::to_string(z) +
         " exceeds CUDA's limits (2^31 - 1, 65535, 65535)";
}

}  // namespace fp8check::cuda_own
