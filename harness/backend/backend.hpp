// The backend contract: what every kernel under test receives and returns, whoever wrote
// it — fp8check's CPU emulation (kernels/emulated), its CUDA kernels and cuBLASLt
// (kernels/cuda), a plug-in (harness/plugin) — so that all of them are judged by the same
// pipeline, verdicts, results files and goldens (docs/backends.md).
//
// A backend knows nothing of references, tolerances or goldens. The pipeline asks, in this
// order: why_unavailable() (the machine: no GPU), can_implement(args) (this problem: a
// layout, a format or an op the backend has no kernel for; the case is skipped with the
// reason, CUTLASS's can_implement is the model), then run_*(args).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "harness/backend/attention_arguments.hpp"
#include "harness/backend/gemm_arguments.hpp"
#include "harness/backend/quantize_arguments.hpp"

namespace fp8check {

// What a case may ask of a backend beyond the arguments. Every backend receives them; one
// that cannot honour an option says so in can_implement.
struct BackendOptions {
  // The arithmetic the kernel follows (kernels/emulated/accumulation_model.hpp names for a
  // GEMM, attention_model.hpp names for attention). The emulated backend emulates it; a
  // device backend may use it to pick a kernel variant.
  std::string kernel_model = {};
  // An injected kernel bug (kernels/emulated/*_fault.hpp): only the emulated backend has them.
  std::string fault = "none";
  int threads = 1;  // CPU worker threads a backend may use for one case
  // The case this backend instance runs (one instance per case): a backend that serves
  // outputs computed elsewhere (harness/exchange, `fp8check verify`) looks them up by it.
  std::string case_id = {};
  // FP8 fast accumulation: no promotion of the tensor-core partial sums along K (cuBLASLt's
  // CUBLASLT_MATMUL_DESC_FAST_ACCUM; the GEMM axis fast_accum).
  bool fast_accum = false;
  // Which of the library's candidate algorithms to run: an index into cuBLASLt's heuristic
  // results (the GEMM axis algorithm); 0 = the library's first choice.
  int algorithm = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // Same arguments give the same output bits on every run. Goldens then compare bit for
  // bit; otherwise by drift of the error statistics (docs/results-format.md, "Goldens").
  virtual bool deterministic() const = 0;
  // Empty when the backend can run on this machine; otherwise why not (every case skips).
  virtual std::string why_unavailable() const = 0;

  // Empty when this backend can run these arguments; otherwise the reason, one line. The
  // defaults say the backend has no kernel for the op.
  virtual std::string can_implement(const GemmArguments& args) const;
  virtual std::string can_implement(const AttentionArguments& args) const;
  virtual std::string can_implement(const QuantizeArguments& args) const;

  // Called only after can_implement accepted the arguments. `out` is prepared for the
  // problem (GemmOutput::prepare_for); rows the problem does not own must stay untouched.
  // A kernel that fails at run time throws (InputError for a bad argument, Error for a
  // device or library failure: the case becomes an error verdict with the message).
  virtual void run_gemm(const GemmArguments& args, GemmOutput& out);
  virtual void run_attention(const AttentionArguments& args, AttentionOutput& out);
  virtual QuantizedMatrix run_quantize(const QuantizeArguments& args);
};

}  // namespace fp8check
