// fp8check's own quantize kernels: the three steps of kernels/cuda/index/quantize_program.hpp
// (amax, scale, encode), one thread per element or scale block. Every number comes from the
// host+device functions the CPU quantizer calls; this file only distributes the work.
#include <cuda_runtime.h>

#include <string>
#include <utility>
#include <vector>

#include "kernels/cuda/index/quantize_program.hpp"
#include "kernels/cuda/own/launch_support.hpp"
#include "kernels/cuda/own/quantize_launch.hpp"

namespace fp8check::cuda_own {
namespace {

using namespace cuda_index;

struct DeviceAtomics {
  __device__ void max(unsigned long long* at, std::uint64_t v) { atomicMax(at, static_cast<unsigned long long>(v)); }
  __device__ void set(unsigned int* at) { atomicOr(at, 1u); }
};

__global__ void quantize_amax_kernel(QuantizeKernelParams p, std::int64_t elements) {
  const std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (e >= elements) return;
  DeviceAtomics atomics;
  quantize_amax_step(p, e, atomics);
}

__global__ void quantize_scale_kernel(QuantizeKernelParams p, std::int64_t blocks) {
  const std::int64_t b = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (b < blocks) quantize_scale_step(p, b);
}

__global__ void quantize_encode_kernel(QuantizeKernelParams p, std::int64_t elements) {
  const std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (e < elements) quantize_encode_step(p, e);
}

// Device buffers of one run; the first CUDA error is kept and every later call skipped.
class Run {
 public:
  ~Run() {
    for (void* p : owned_) cudaFree(p);
  }
  template <class T>
  T* alloc(std::size_t count, const T* host = nullptr) {
    if (!error.empty() || count == 0) return nullptr;
    void* p = nullptr;
    if (!ok(cudaMalloc(&p, count * sizeof(T)))) return nullptr;
    owned_.push_back(p);
    ok(host ? cudaMemcpy(p, host, count * sizeof(T), cudaMemcpyHostToDevice) : cudaMemset(p, 0, count * sizeof(T)));
    return static_cast<T*>(p);
  }
  template <class T>
  void fetch(std::vector<T>& host, const T* device) {
    if (error.empty() && !host.empty() && device != nullptr)
      ok(cudaMemcpy(host.data(), device, host.size() * sizeof(T), cudaMemcpyDeviceToHost));
  }
  bool ok(cudaError_t err) {
    if (err != cudaSuccess && error.empty()) error = cuda_error_text(err);
    return err == cudaSuccess;
  }
  std::string error;

 private:
  std::vector<void*> owned_;
};

unsigned grid_of(std::int64_t n, unsigned threads) { return static_cast<unsigned>((n + threads - 1) / threads); }

}  // namespace

QuantizedMatrix run_own_quantize(const QuantizeArguments& args, std::string& error) {
  const QuantizePlan plan = plan_own_quantize(args);
  QuantizeKernelParams p = plan.params;
  const auto elements = static_cast<std::size_t>(plan.elements);
  const auto blocks = static_cast<std::size_t>(plan.blocks);
  const auto slots = static_cast<std::size_t>(plan.layout.storage_size());
  const bool scale_codes = plan.scale_type == ScaleType::e8m0 || plan.scale_type == ScaleType::e4m3;
  Run run;
  p.x = run.alloc(elements, plan.params.x);
  p.random_bits = plan.params.random_bits ? run.alloc(elements, plan.params.random_bits) : nullptr;
  p.block_max = run.alloc<unsigned long long>(blocks);
  p.block_nan = run.alloc<unsigned int>(blocks);
  p.tensor_max = run.alloc<unsigned long long>(1);
  p.factors = run.alloc<BlockFactor>(blocks);
  p.scale_values = run.alloc<float>(slots);
  p.scale_codes = scale_codes ? run.alloc<std::uint8_t>(slots) : nullptr;
  p.tensor_scale = run.alloc<float>(1);
  p.codes = run.alloc<std::uint8_t>(elements);
  const unsigned threads = 256;
  if (run.error.empty() && !p.delayed) {
    quantize_amax_kernel<<<grid_of(plan.elements, threads), threads>>>(p, plan.elements);
    run.ok(cudaGetLastError());
  }
  if (run.error.empty()) {
    quantize_scale_kernel<<<grid_of(plan.blocks, threads), threads>>>(p, plan.blocks);
    run.ok(cudaGetLastError());
  }
  if (run.error.empty()) {
    quantize_encode_kernel<<<grid_of(plan.elements, threads), threads>>>(p, plan.elements);
    run.ok(cudaGetLastError());
  }
  if (run.error.empty()) run.ok(cudaDeviceSynchronize());
  std::vector<std::uint8_t> codes(elements), codes_of_scales(scale_codes ? slots : 0);
  std::vector<float> values(slots), tensor(1, 0.0f);
  run.fetch(codes, p.codes);
  run.fetch(values, p.scale_values);
  run.fetch(codes_of_scales, p.scale_codes);
  run.fetch(tensor, p.tensor_scale);
  error = run.error;
  if (!error.empty()) return {};
  return assemble_quantized(args, plan, std::move(codes), std::move(values), std::move(codes_of_scales), tensor[0]);
}

}  // namespace fp8check::cuda_own
