// A backend runs kernels under test: the emulated CPU models, and (in CUDA builds)
// CUDA kernels or cuBLASLt; external kernels plug in the same way. The pipeline
// (run_gemm_case.cpp) hands a backend quantized operands and a config, and judges
// what comes back; a backend never sees references or tolerances.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/configs/device_profile.hpp"
#include "harness/configs/gemm_config.hpp"
#include "harness/quantize/quantize.hpp"
#include "kernels/emulated/accumulation_model.hpp"
#include "kernels/emulated/gemm_fault.hpp"
#include "kernels/emulated/gemm_operand.hpp"
#include "kernels/emulated/gemm_problem.hpp"

namespace fp8check {

// Everything one GEMM launch needs.
struct GemmLaunch {
  GemmProblem problem;
  GemmOperand a, b;
  GemmConfig config;
  AccumulationModel model;  // what an emulated backend models; device backends ignore it
  GemmFault fault = GemmFault::none;
  int threads = 1;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // Same inputs give the same bits on every run: goldens compare bit for bit.
  virtual bool deterministic() const = 0;
  // Empty when the backend can run on this machine; otherwise why not (the case is skipped).
  virtual std::string why_unavailable() const = 0;
  // Runs the GEMM; InputError when the backend cannot run this problem or config.
  virtual void run_gemm(const GemmLaunch& launch, GemmOutput& out) = 0;
  // Runs a quantize kernel: codes and scales as the recipe declares them. The default
  // says this backend has none (the case becomes an error with that reason).
  virtual QuantizedMatrix run_quantize(const MatrixD& x, const Recipe& recipe, const QuantizeOptions& options);
};

using BackendFactory = std::function<std::unique_ptr<Backend>()>;

// Name -> factory. The built-in backends register in backend_registry.cpp; a plug-in
// (examples/) calls register_backend before running.
void register_backend(std::string name, BackendFactory factory);
std::unique_ptr<Backend> make_backend(std::string_view name);  // InputError listing the names
std::vector<std::string> backend_names();

}  // namespace fp8check
