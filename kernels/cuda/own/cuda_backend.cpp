#include "kernels/cuda/own/cuda_backend.hpp"

#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "harness/core/error.hpp"
#include "kernels/cuda/index/attention_plan.hpp"
#include "kernels/cuda/index/gemm_plan.hpp"
#include "kernels/cuda/own/attention_launch.hpp"
#include "kernels/cuda/own/gemm_launch.hpp"
#include "kernels/cuda/own/launch_support.hpp"
#include "kernels/cuda/own/quantize_launch.hpp"

namespace fp8check::cuda_own {
namespace {

using namespace cuda_index;

// A CUDA failure inside a run: the case's error verdict, with the error's name.
[[noreturn]] void fail(const std::string& what, const std::string& cuda) {
  throw Error("cuda backend: " + what + ": " + cuda, SourceLocation::current());
}
void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) fail(what, cuda_error_text(err));
}

// Device memory for one run, freed on every path.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes) {
    if (bytes > 0) check(cudaMalloc(&ptr_, bytes), "cudaMalloc");
  }
  DeviceBuffer(const void* host, std::size_t bytes) : DeviceBuffer(bytes) {
    if (bytes > 0) check(cudaMemcpy(ptr_, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy to the device");
  }
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    return *this;
  }
  ~DeviceBuffer() {
    if (ptr_ != nullptr) cudaFree(ptr_);
  }
  template <class T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  // The first `count` elements, copied to the host; `what` names them in an error.
  template <class T>
  std::vector<T> download(std::int64_t count, const char* what) const {
    std::vector<T> host(static_cast<std::size_t>(count));
    if (!host.empty()) check(cudaMemcpy(host.data(), ptr_, host.size() * sizeof(T), cudaMemcpyDeviceToHost), what);
    return host;
  }

 private:
  void* ptr_ = nullptr;
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const BackendOptions& options) : options_(options), device_(current_cuda_device()) {}

  std::string_view name() const override { return "cuda"; }
  // Fixed accumulation order in every kernel; amax_D by an order-free maximum.
  bool deterministic() const override { return true; }

  std::string why_unavailable() const override {
    if (!device_.why.empty()) return device_.why;
    if (device_.sm < 80)
      return "fp8check's own CUDA kernels need sm_80 or newer; this device is " + device_.name;
    if (std::string why = loadable(); !why.empty())
      return "fp8check's own CUDA kernels have no code for " + device_.name + " in this build (" + why +
             "): rebuild with FP8CHECK_CUDA_ARCHITECTURES including it";
    return "";
  }

  std::string can_implement(const GemmArguments& args) const override {
    if (std::string why = options_reason(); !why.empty()) return why;
    if (std::string why = why_no_own_gemm(args, smem_family_for_sm(device_.sm), gemm_path_for_sm(device_.sm)); !why.empty())
      return "cuda on " + device_.name + ": " + why;
    return "";
  }
  std::string can_implement(const AttentionArguments& args) const override {
    if (std::string why = options_reason(); !why.empty()) return why;
    if (std::string why = why_no_own_attention(args, device_.sm); !why.empty()) return "cuda on " + device_.name + ": " + why;
    return "";
  }
  std::string can_implement(const QuantizeArguments& args) const override {
    if (std::string why = options_reason(); !why.empty()) return why;
    return why_no_own_quantize(args);
  }

  void run_gemm(const GemmArguments& args, GemmOutput& out) override {
    const GemmPlan plan = plan_own_gemm(args, smem_family_for_sm(device_.sm), gemm_path_for_sm(device_.sm));
    const GemmExtents e = gemm_extents(args);
    const DeviceBuffer a(args.a.codes, static_cast<std::size_t>(e.a_codes));
    const DeviceBuffer b(args.b.codes, static_cast<std::size_t>(e.b_codes));
    const DeviceBuffer sa(args.a.scales.data, static_cast<std::size_t>(e.a_scales) * sizeof(float));
    const DeviceBuffer sb(args.b.scales.data, static_cast<std::size_t>(e.b_scales) * sizeof(float));
    const DeviceBuffer c(args.problem.c, static_cast<std::size_t>(e.c) * sizeof(float));
    const DeviceBuffer bias(args.problem.bias, static_cast<std::size_t>(e.bias) * sizeof(float));
    const DeviceBuffer rows(plan.tile_rows.data(), plan.tile_rows.size() * sizeof(TileRow));
    const DeviceBuffer d(static_cast<std::size_t>(plan.d_bytes()));
    const DeviceBuffer workspace(static_cast<std::size_t>(plan.workspace_elements) * sizeof(float));
    const AmaxSlot zero{};
    const DeviceBuffer amax(&zero, sizeof zero);

    GemmKernelParams p = plan.params;
    p.a.codes = a.as<std::uint8_t>();
    p.b.codes = b.as<std::uint8_t>();
    p.a.scales.data = p.a.scales.data ? sa.as<float>() : nullptr;
    p.b.scales.data = p.b.scales.data ? sb.as<float>() : nullptr;
    p.epilogue.c = p.epilogue.c ? c.as<float>() : nullptr;
    p.epilogue.bias = p.epilogue.bias ? bias.as<float>() : nullptr;
    p.tile_rows = rows.as<TileRow>();
    p.d = d.as<void>();
    p.workspace = workspace.as<float>();
    p.amax = amax.as<AmaxSlot>();
    if (std::string err = launch_own_gemm(plan.kernel, p, plan.grid_x, plan.grid_y, plan.grid_z); !err.empty())
      fail("kernel " + plan.kernel.symbol(), err);

    const std::vector<std::uint8_t> host_d = d.download<std::uint8_t>(plan.d_bytes(), "cudaMemcpy of D");
    const AmaxSlot host_amax = amax.download<AmaxSlot>(1, "cudaMemcpy of amax_D")[0];
    out.prepare_for(args.problem);
    unpack_output(plan, host_d.data(), host_amax, out);
  }

  void run_attention(const AttentionArguments& args, AttentionOutput& out) override {
    const AttentionPlan plan = plan_own_attention(args, device_.sm);
    const auto bytes = [](std::int64_t n, std::size_t size) { return static_cast<std::size_t>(n) * size; };
    const DeviceBuffer q(args.q.codes, bytes(plan.q_codes, 1));
    const DeviceBuffer k(args.k.codes, bytes(plan.kv_codes, 1));
    const DeviceBuffer v(args.v.codes, bytes(plan.kv_codes, 1));
    const DeviceBuffer qd(args.q.descales.data(), bytes(plan.q_descales, sizeof(float)));
    const DeviceBuffer kd(args.k.descales.data(), bytes(plan.kv_descales, sizeof(float)));
    const DeviceBuffer vd(args.v.descales.data(), bytes(plan.kv_descales, sizeof(float)));
    const DeviceBuffer o(bytes(plan.o_elements, sizeof(std::uint32_t)));
    const DeviceBuffer lse(bytes(plan.rows, sizeof(float)));
    const DeviceBuffer stats(bytes(plan.stats_words(), sizeof(std::uint32_t)));
    const DeviceBuffer workspace(bytes(plan.workspace_elements, sizeof(float)));

    AttentionKernelParams p = plan.params;
    p.q = q.as<std::uint8_t>();
    p.k = k.as<std::uint8_t>();
    p.v = v.as<std::uint8_t>();
    p.q_descale = qd.as<float>();
    p.k_descale = kd.as<float>();
    p.v_descale = vd.as<float>();
    p.o = o.as<std::uint32_t>();
    p.lse = lse.as<float>();
    p.block_stats = stats.as<std::uint32_t>();
    p.workspace = workspace.as<float>();
    if (std::string err = launch_own_attention(plan.kernel, p, plan.grid_x, plan.grid_y, plan.grid_z, plan.combine_blocks);
        !err.empty())
      fail("kernel " + plan.kernel.symbol(), err);

    const std::vector<std::uint32_t> host_o = o.download<std::uint32_t>(plan.o_elements, "cudaMemcpy of O");
    const std::vector<float> host_lse = lse.download<float>(plan.rows, "cudaMemcpy of the LSE");
    const std::vector<std::uint32_t> host_stats =
        stats.download<std::uint32_t>(plan.stats_words(), "cudaMemcpy of the P statistics");
    unpack_attention_output(plan, host_o.data(), host_lse.data(), host_stats.data(), out);
  }

  QuantizedMatrix run_quantize(const QuantizeArguments& args) override {
    std::string err;
    QuantizedMatrix q = run_own_quantize(args, err);
    if (!err.empty()) fail("quantize kernel", err);
    return q;
  }

 private:
  // Options only the emulated backend has.
  std::string options_reason() const {
    if (options_.fault != "none" && !options_.fault.empty())
      return "cuda: injected faults (" + options_.fault + ") exist only in the emulated backend";
    return "";
  }
  // "" when the build has code for this device (a kernel of the device's path and model).
  std::string loadable() const {
    for (const OwnGemmKernel& k : own_gemm_kernels())
      if (k.path == gemm_path_for_sm(device_.sm) && k.family == smem_family_for_sm(device_.sm))
        return own_gemm_kernel_loadable(k);
    return "no kernel of its path";
  }

  BackendOptions options_;
  CudaDevice device_;
};

}  // namespace

CudaDevice current_cuda_device() {
  CudaDevice d;
  int count = 0;
  if (cudaError_t err = cudaGetDeviceCount(&count); err != cudaSuccess) {
    d.why = "no CUDA device: " + cuda_error_text(err);
    cudaGetLastError();  // clear the sticky error of a machine without a driver
    return d;
  }
  if (count == 0) {
    d.why = "no CUDA device: cudaGetDeviceCount found none";
    return d;
  }
  cudaDeviceProp prop{};
  if (cudaError_t err = cudaGetDeviceProperties(&prop, 0); err != cudaSuccess) {
    d.why = "no CUDA device: " + cuda_error_text(err);
    return d;
  }
  d.sm = prop.major * 10 + prop.minor;
  d.name = std::string(prop.name) + " (sm_" + std::to_string(d.sm) + ")";
  return d;
}

std::unique_ptr<Backend> make_cuda_backend(const BackendOptions& options) { return std::make_unique<CudaBackend>(options); }

}  // namespace fp8check::cuda_own
