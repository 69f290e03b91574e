#include "harness/exchange/external_backend.hpp"

#include "harness/core/error.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/exchange/output_readers.hpp"
#include "harness/run/backend_registry.hpp"

namespace fp8check::exchange {
namespace {

class ExternalBackend final : public Backend {
 public:
  ExternalBackend(std::shared_ptr<const OutputsFile> outputs, bool deterministic, std::string case_id)
      : outputs_(std::move(outputs)), deterministic_(deterministic), case_id_(std::move(case_id)) {}

  std::string_view name() const override { return kExternalBackend; }
  bool deterministic() const override { return deterministic_; }
  std::string why_unavailable() const override { return ""; }

  // Every op: the kernel ran elsewhere. An entry may say the kernel has no implementation
  // for the case (attribute skipped = the reason): the case is then skipped, as a device
  // backend's can_implement refusal would skip it.
  std::string can_implement(const GemmArguments&) const override { return declared_skip(); }
  std::string can_implement(const AttentionArguments&) const override { return declared_skip(); }
  std::string can_implement(const QuantizeArguments&) const override { return declared_skip(); }

  void run_gemm(const GemmArguments& args, GemmOutput& out) override {
    outputs_->with_entry(case_id_, [&](const H5Node& entry) { read_gemm_output(entry, args, out); });
  }
  void run_attention(const AttentionArguments& args, AttentionOutput& out) override {
    outputs_->with_entry(case_id_, [&](const H5Node& entry) { read_attention_output(entry, args, out); });
  }
  QuantizedMatrix run_quantize(const QuantizeArguments& args) override {
    return outputs_->with_entry(case_id_, [&](const H5Node& entry) { return read_quantize_output(entry, args); });
  }

 private:
  std::string declared_skip() const {
    if (!outputs_->has_entry(case_id_)) return "";  // run_* then says what is missing
    return outputs_->with_entry(case_id_, [](const H5Node& entry) {
      return entry.has("skipped") ? "the external kernel has no implementation: " + entry.text("skipped") : std::string();
    });
  }

  std::shared_ptr<const OutputsFile> outputs_;
  bool deterministic_;
  std::string case_id_;
};

}  // namespace

void register_external_backend(std::shared_ptr<const OutputsFile> outputs, bool deterministic) {
  register_backend(kExternalBackend, [outputs, deterministic](const BackendOptions& options) -> std::unique_ptr<Backend> {
    if (options.fault != "none" && !options.fault.empty())
      throw InputError(injected_fault_reason(options.fault));
    return std::make_unique<ExternalBackend>(outputs, deterministic, options.case_id);
  });
}

}  // namespace fp8check::exchange
