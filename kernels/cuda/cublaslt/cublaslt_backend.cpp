#include "kernels/cuda/cublaslt/cublaslt_backend.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/run/backend_registry.hpp"
#include "kernels/cuda/cublaslt/cublaslt_descriptors.hpp"
#include "kernels/cuda/cublaslt/cublaslt_library.hpp"
#include "kernels/cuda/cublaslt/cublaslt_operands.hpp"
#include "kernels/cuda/cublaslt/cublaslt_plan.hpp"
#include "kernels/cuda/device_query.hpp"
#include "kernels/emulated/accumulation_model.hpp"

namespace fp8check::cublaslt {
namespace {

// A CUDA runtime failure: the case's error verdict, naming the call and the error.
void check_cuda(cudaError_t err, const char* what, SourceLocation where = SourceLocation::current()) {
  if (err != cudaSuccess)
    throw Error(std::string(what) + ": " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")", where);
}

// One device allocation, freed on every path out of the launch.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
    if (bytes_ > 0) check_cuda(cudaMalloc(&ptr_, bytes_), "cudaMalloc");
  }
  DeviceBuffer(const std::vector<std::uint8_t>& host) : DeviceBuffer(host.size()) {
    if (bytes_ > 0) check_cuda(cudaMemcpy(ptr_, host.data(), bytes_, cudaMemcpyHostToDevice), "cudaMemcpy to the device");
  }
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return ptr_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

class Event {
 public:
  Event() { check_cuda(cudaEventCreate(&event_), "cudaEventCreate"); }
  ~Event() { cudaEventDestroy(event_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

class Handle {
 public:
  Handle() { check_status(library().create(&handle_), "cublasLtCreate"); }
  ~Handle() { library().destroy(handle_); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  cublasLtHandle_t get() const { return handle_; }

 private:
  cublasLtHandle_t handle_ = nullptr;
};

// Cases run in parallel on the CPU (--jobs) but one at a time on the GPU, so that a timed
// launch does not share the device with another case's.
std::mutex& gpu_mutex() {
  static std::mutex m;
  return m;
}

// The device and the library, asked once per process: whether there is a GPU does not change
// while it runs.
struct Machine {
  std::optional<cuda::CudaDevice> device;
  std::string why_unavailable;
};

const Machine& machine() {
  static const Machine m = [] {
    Machine out;
    std::string why;
    out.device = cuda::query_cuda_device(&why);
    if (!out.device) {
      out.why_unavailable = why;
      return out;
    }
    if (!library_unavailable().empty()) {
      out.why_unavailable = library_unavailable();
      out.device.reset();
      return out;
    }
    cublasLtHandle_t h = nullptr;
    if (const cublasStatus_t s = library().create(&h); s != CUBLAS_STATUS_SUCCESS) {
      out.why_unavailable = "cublasLtCreate on " + out.device->name + ": " + status_text(s);
      out.device.reset();
      return out;
    }
    library().destroy(h);
    return out;
  }();
  return m;
}

class CublasLtBackend final : public Backend {
 public:
  explicit CublasLtBackend(const BackendOptions& o)
      : model_(o.kernel_model.empty() ? AccumulationModel{} : parse_accumulation_model(o.kernel_model)),
        fault_(o.fault.empty() ? "none" : o.fault) {
    options_.fast_accum = o.fast_accum;
    options_.algorithm = o.algorithm;
  }

  std::string_view name() const override { return "cublaslt"; }
  // cuBLASLt promises run-to-run reproducibility only for a fixed algorithm and
  // configuration; goldens compare its cases by statistics drift.
  bool deterministic() const override { return false; }
  std::string why_unavailable() const override { return machine().why_unavailable; }

  std::string can_implement(const GemmArguments& args) const override {
    if (fault_ != "none") return "cublaslt has no injected faults (fault " + fault_ + " is the emulated backend's)";
    if (model_.kind == AccumulationModel::Kind::exact)
      return "accumulation exact: cuBLASLt accumulates in FP32 at best; the exact model is the emulated backend's";
    if (!machine().device) return machine().why_unavailable;
    return why_cublaslt_cannot(args, machine().device->capability, options_);
  }

  void run_gemm(const GemmArguments& args, GemmOutput& out) override;

 private:
  AccumulationModel model_;
  std::string fault_;
  PlanOptions options_;
};

void CublasLtBackend::run_gemm(const GemmArguments& args, GemmOutput& out) {
  const cuda::CudaDevice& device = *machine().device;
  const Plan plan = make_plan(args, options_);
  const HostBuffers host = pack_operands(plan, args);
  std::lock_guard gpu(gpu_mutex());

  Handle handle;
  Descriptors desc(plan);
  DeviceBuffer a(host.a), b(host.b), c(host.c), a_scale(host.a_scale), b_scale(host.b_scale), bias(host.bias);
  DeviceBuffer d(plan.d.bytes());
  DeviceBuffer d_scale(std::vector<std::uint8_t>(reinterpret_cast<const std::uint8_t*>(&host.d_scale),
                                                 reinterpret_cast<const std::uint8_t*>(&host.d_scale) + sizeof(float)));
  DeviceBuffer amax(sizeof(float));
  desc.bind({a_scale.get(), b_scale.get(), d_scale.get(), amax.get(), bias.get()});

  // The heuristic's answers, best first; the case's `algorithm` picks one.
  const int wanted = std::max(8, plan.algorithm + 1);
  // (not a std::vector: nvcc 13's front end crashes on one of this type, ci/cuda-static-cublaslt)
  const std::unique_ptr<cublasLtMatmulHeuristicResult_t[]> results(new cublasLtMatmulHeuristicResult_t[wanted]());
  int returned = 0;
  check_status(library().matmul_algo_get_heuristic(handle.get(), desc.matmul(), desc.a(), desc.b(), desc.c(), desc.d(),
                                                   desc.preference(), wanted, results.get(), &returned),
               "cublasLtMatmulAlgoGetHeuristic");
  if (returned <= plan.algorithm)
    throw Error("cublasLtMatmulAlgoGetHeuristic returned " + std::to_string(returned) +
                    " algorithm(s) for this plan; the case asks for index " + std::to_string(plan.algorithm),
                SourceLocation::current());
  const cublasLtMatmulHeuristicResult_t& chosen = results[plan.algorithm];
  check_status(chosen.state, "cublasLtMatmulAlgoGetHeuristic (chosen algorithm's state)");
  DeviceBuffer workspace(chosen.workspaceSize);

  auto launch = [&] {
    check_status(library().matmul(handle.get(), desc.matmul(), &plan.alpha, a.get(), desc.a(), b.get(), desc.b(),
                                  &plan.beta, c.get(), desc.c(), d.get(), desc.d(), &chosen.algo, workspace.get(),
                                  workspace.bytes(), nullptr),
                 "cublasLtMatmul");
  };
  // The result: one launch with AMAX_D cleared first, read back before any timing run.
  check_cuda(cudaMemset(amax.get(), 0, sizeof(float)), "cudaMemset");
  launch();
  check_cuda(cudaDeviceSynchronize(), "cublasLtMatmul (synchronize)");
  std::vector<std::uint8_t> d_host(plan.d.bytes());
  check_cuda(cudaMemcpy(d_host.data(), d.get(), d_host.size(), cudaMemcpyDeviceToHost), "cudaMemcpy of D");
  float amax_d = 0;
  check_cuda(cudaMemcpy(&amax_d, amax.get(), sizeof amax_d, cudaMemcpyDeviceToHost), "cudaMemcpy of AMAX_D");
  unpack_output(plan, args, d_host, amax_d, out);

  // Timing: warm-up, then the median of repeats, each between its own CUDA events; enough
  // repeats to cover about 50 ms (5 at least, 100 at most).
  Event start, stop;
  auto timed_ms = [&] {
    check_cuda(cudaEventRecord(start.get()), "cudaEventRecord");
    launch();
    check_cuda(cudaEventRecord(stop.get()), "cudaEventRecord");
    check_cuda(cudaEventSynchronize(stop.get()), "cudaEventSynchronize");
    float ms = 0;
    check_cuda(cudaEventElapsedTime(&ms, start.get(), stop.get()), "cudaEventElapsedTime");
    return static_cast<double>(ms);
  };
  double first = 0;
  for (int i = 0; i < 3; ++i) first = timed_ms();
  const int repeats = std::clamp(static_cast<int>(50.0 / std::max(first, 1e-3)), 5, 100);
  std::vector<double> ms(static_cast<std::size_t>(repeats));
  for (double& t : ms) t = timed_ms();
  std::nth_element(ms.begin(), ms.begin() + repeats / 2, ms.end());
  const double median_ms = ms[static_cast<std::size_t>(repeats / 2)];
  const double flops = 2.0 * static_cast<double>(plan.m) * static_cast<double>(plan.n) * static_cast<double>(plan.k) *
                       plan.d.batch_count;
  const double tflops = flops / (median_ms * 1e-3) / 1e12;
  out.metrics["kernel_ms"] = median_ms;
  out.metrics["tflops"] = tflops;
  out.metrics["timed_repeats"] = repeats;
  out.metrics["heuristic_algorithms"] = returned;
  out.metrics["fast_accum"] = plan.fast_accum;
  if (const double peak = device.profile->peak_tflops(args.desc.a_type, args.desc.b_type); peak > 0) {
    out.metrics["peak_tflops"] = peak;
    out.metrics["peak_fraction"] = tflops / peak;
  }
}

}  // namespace

std::unique_ptr<Backend> make_cublaslt_backend(const BackendOptions& options) {
  return std::make_unique<CublasLtBackend>(options);
}

void register_cublaslt_backend() { register_backend("cublaslt", make_cublaslt_backend); }

std::string declared_kernel_model(bool fast_accum, ComputeCapability cc) {
  if (!fast_accum) return "";
  if (cc == ComputeCapability{8, 9}) return "sm89-mma";
  if (cc.major == 9) return "sm90-wgmma";
  if (cc.major == 10) return "sm100-tcgen05";
  return "";
}

}  // namespace fp8check::cublaslt
