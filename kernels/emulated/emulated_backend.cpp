#include "kernels/emulated/emulated_backend.hpp"

#include <algorithm>
#include <optional>

#include "harness/core/error.hpp"
#include "kernels/emulated/accumulation_model.hpp"
#include "kernels/emulated/attention_emulated.hpp"
#include "kernels/emulated/attention_fault.hpp"
#include "kernels/emulated/attention_model.hpp"
#include "kernels/emulated/gemm_emulated.hpp"
#include "kernels/emulated/gemm_fault.hpp"
#include "kernels/emulated/quantize_fault.hpp"

namespace fp8check {
namespace {

template <class Fault, std::size_t N>
bool names_one_of(std::string_view name, const Fault (&all)[N], std::string_view (*fault_name)(Fault)) {
  return std::any_of(std::begin(all), std::end(all), [&](Fault f) { return fault_name(f) == name; });
}

// One kernel-model name serves both ops: a GEMM accumulation model (accumulation_model.hpp)
// and/or an attention kernel model (attention_model.hpp). The error of the op that does not
// know it is kept for that op's can_implement; a name neither knows is a bad input.
template <typename Model, typename Parse>
std::optional<Model> parse_model(const std::string& name, Parse parse, std::string& error) {
  if (name.empty()) return Model{};
  try {
    return parse(name);
  } catch (const InputError& e) {
    error = e.what();
    return std::nullopt;
  }
}

class EmulatedBackend final : public Backend {
 public:
  explicit EmulatedBackend(const BackendOptions& o)
      : model_(parse_model<AccumulationModel>(o.kernel_model, parse_accumulation_model, gemm_model_error_)),
        attention_model_(parse_model<AttentionKernelModel>(o.kernel_model, parse_attention_kernel_model,
                                                           attention_model_error_)),
        fault_(o.fault.empty() ? "none" : o.fault),
        threads_(o.threads),
        fast_accum_(o.fast_accum),
        algorithm_(o.algorithm) {
    if (!model_ && !attention_model_)
      throw InputError(gemm_model_error_ + "; as an attention kernel model: " + attention_model_error_);
    if (threads_ < 0) throw InputError("emulated backend: threads = " + std::to_string(threads_) + ", expected >= 0");
    if (!is_gemm_fault() && !is_attention_fault() && !is_quantize_fault())
      throw InputError("emulated backend: unknown fault '" + fault_ + "' (GEMM faults: " + gemm_fault_names() +
                       "; attention faults: " + attention_fault_names() + "; quantize faults: " +
                       quantize_fault_names() + ")");
  }

  std::string_view name() const override { return "emulated"; }
  bool deterministic() const override { return true; }
  std::string why_unavailable() const override { return ""; }

  std::string can_implement(const GemmArguments&) const override {
    if (fault_ != "none" && !is_gemm_fault()) return "fault " + fault_ + " is not a GEMM kernel fault";
    if (!model_) return "the emulated GEMM has no such accumulation model: " + gemm_model_error_;
    if (fast_accum_)
      return "the emulated backend accumulates as the accumulation axis says (a kernel model without .pN: no "
             "promotion); fast_accum is a device library's switch";
    if (algorithm_ != 0) return "the emulated backend has one algorithm (0); algorithm " + std::to_string(algorithm_) + " is a device library's";
    return "";
  }
  std::string can_implement(const AttentionArguments& args) const override {
    if (fault_ != "none" && !is_attention_fault()) return "fault " + fault_ + " is not an attention kernel fault";
    if (!attention_model_) return "the emulated attention has no such kernel model: " + attention_model_error_;
    return attention_model_->why_unsupported(args.desc, args.config);
  }
  std::string can_implement(const QuantizeArguments&) const override {
    if (fault_ != "none" && !is_quantize_fault()) return "fault " + fault_ + " is not a quantize kernel fault";
    return "";
  }

  void run_gemm(const GemmArguments& args, GemmOutput& out) override {
    const GemmFault fault = fault_ == "none" ? GemmFault::none : parse_gemm_fault(fault_);
    if (!model_) throw InputError(gemm_model_error_);
    gemm_emulated(args.problem, args.a, args.b, args.config, *model_, out, threads_, fault);
  }
  void run_attention(const AttentionArguments& args, AttentionOutput& out) override {
    const AttentionFault fault = fault_ == "none" ? AttentionFault::none : parse_attention_fault(fault_);
    if (!attention_model_) throw InputError(attention_model_error_);
    attention_emulated(args.desc, args.q, args.k, args.v, args.config, out, threads_, fault, *attention_model_);
  }
  // The emulated quantize kernel is the reference quantizer itself: quantize cases on this
  // backend measure the recipe (error statistics, bound); exact agreement of codes and
  // scales is a real check for device, plug-in and external quantize kernels, and for the
  // injected faults (quantize_fault.hpp).
  QuantizedMatrix run_quantize(const QuantizeArguments& args) override {
    const QuantizeFault fault = fault_ == "none" ? QuantizeFault::none : parse_quantize_fault(fault_);
    return quantize_with_fault(*args.x, args.recipe, args.options, fault);
  }

 private:
  bool is_gemm_fault() const { return names_one_of(fault_, kAllGemmFaults, gemm_fault_name); }
  bool is_attention_fault() const { return names_one_of(fault_, kAllAttentionFaults, attention_fault_name); }
  bool is_quantize_fault() const { return names_one_of(fault_, kAllQuantizeFaults, quantize_fault_name); }
  static std::string gemm_fault_names() { return join_names(kAllGemmFaults, gemm_fault_name); }
  static std::string attention_fault_names() { return join_names(kAllAttentionFaults, attention_fault_name); }
  static std::string quantize_fault_names() { return join_names(kAllQuantizeFaults, quantize_fault_name); }
  template <class Fault, std::size_t N>
  static std::string join_names(const Fault (&all)[N], std::string_view (*fault_name)(Fault)) {
    std::string s;
    for (Fault f : all) s += (s.empty() ? "" : ", ") + std::string(fault_name(f));
    return s;
  }

  std::string gemm_model_error_, attention_model_error_;  // why a model is absent
  std::optional<AccumulationModel> model_;
  std::optional<AttentionKernelModel> attention_model_;
  std::string fault_;
  int threads_;
  bool fast_accum_;
  int algorithm_;
};

}  // namespace

std::unique_ptr<Backend> make_emulated_backend(const BackendOptions& options) {
  return std::make_unique<EmulatedBackend>(options);
}

std::vector<InjectableFault> injectable_faults() {
  std::vector<InjectableFault> out;
  for (GemmFault f : kAllGemmFaults)
    if (f != GemmFault::none) out.push_back({"gemm", gemm_fault_name(f)});
  for (AttentionFault f : kAllAttentionFaults)
    if (f != AttentionFault::none) out.push_back({"attention", attention_fault_name(f)});
  for (QuantizeFault f : kAllQuantizeFaults)
    if (f != QuantizeFault::none) out.push_back({"quantize", quantize_fault_name(f)});
  return out;
}

}  // namespace fp8check
