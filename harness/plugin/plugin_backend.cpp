#include "harness/plugin/plugin_backend.hpp"

#include <array>
#include <cmath>
#include <limits>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/plugin/plugin_arguments.hpp"

namespace fp8check::plugin {
namespace {

// What one call into the plug-in returned: its status and its message, one line.
struct Answer {
  int status = FP8CHECK_PLUGIN_OK;
  std::string message;
};


class PluginBackend final : public Backend {
 public:
  PluginBackend(std::shared_ptr<LoadedPlugin> p, BackendOptions o) : plugin_(std::move(p)), options_(std::move(o)) {}

  std::string_view name() const override { return plugin_->name; }
  bool deterministic() const override { return plugin_->table->deterministic != 0; }

  std::string why_unavailable() const override {
    const auto fn = plugin_->table->why_unavailable;
    if (fn == nullptr) return "";
    const Answer a = call([&](char* m, std::size_t n) { return fn(m, n); });
    if (a.status == FP8CHECK_PLUGIN_OK) return "";
    return who() + " is unavailable: " + or_default(a.message, "no reason given");
  }

  std::string can_implement(const GemmArguments& g) const override {
    if (std::string why = refuse_options(); !why.empty()) return why;
    const auto fn = plugin_->table->can_implement_gemm;
    if (fn == nullptr) return who() + " has no GEMM kernel";
    const GemmCall c(g, options_);
    return reason(call([&](char* m, std::size_t n) { return fn(&c.args, m, n); }), "can_implement_gemm");
  }
  std::string can_implement(const AttentionArguments& a) const override {
    if (std::string why = refuse_options(); !why.empty()) return why;
    const auto fn = plugin_->table->can_implement_attention;
    if (fn == nullptr) return who() + " has no attention kernel";
    const AttentionCall c(a, options_);
    return reason(call([&](char* m, std::size_t n) { return fn(&c.args, m, n); }), "can_implement_attention");
  }
  std::string can_implement(const QuantizeArguments& q) const override {
    if (std::string why = refuse_options(); !why.empty()) return why;
    const auto fn = plugin_->table->can_implement_quantize;
    if (fn == nullptr) return who() + " has no quantize kernel";
    // ABI v1 carries the recipe and the scale order, not the rest of QuantizeOptions.
    const QuantizeOptions plain;
    const QuantizeOptions& o = q.options;
    if (o.history != nullptr || !o.random_bits.empty() || describe(o.scale) != describe(plain.scale) ||
        o.nan != plain.nan || o.require_full_blocks)
      return who() + ": plug-in ABI v1 quantizes with the default scale policy only (no amax history, random "
                     "bits, NaN rejection or non-default policy)";
    const QuantizeCall c(q, layout_of(q), options_);
    return reason(call([&](char* m, std::size_t n) { return fn(&c.args, m, n); }), "can_implement_quantize");
  }

  void run_gemm(const GemmArguments& g, GemmOutput& out) override {
    const GemmCall c(g, options_);
    fp8check_gemm_output o{out.bits.data(), out.batches, out.rows, out.cols, 0.0};
    succeed(call([&](char* m, std::size_t n) { return plugin_->table->run_gemm(&c.args, &o, m, n); }), "run_gemm");
    out.amax = o.amax;
  }

  void run_attention(const AttentionArguments& a, AttentionOutput& out) override {
    const AttentionDesc& d = a.desc;
    out.type = d.o_type;
    out.batch = d.batch;
    out.heads = d.q_heads;
    out.rows = d.seq_q;
    out.cols = d.head_dim_v;
    out.bits.assign(static_cast<std::size_t>(d.batch * d.q_heads * d.seq_q * d.head_dim_v), unwritten_output_code(d.o_type));
    out.lse.assign(static_cast<std::size_t>(d.batch * d.q_heads * d.seq_q), std::numeric_limits<float>::quiet_NaN());
    const AttentionCall c(a, options_);
    fp8check_attention_output o{out.bits.data(), out.lse.data(), 0.0f, 0};
    succeed(call([&](char* m, std::size_t n) { return plugin_->table->run_attention(&c.args, &o, m, n); }),
            "run_attention");
    out.p_max = o.p_max;
    out.p_saturated = o.p_saturated;
  }

  QuantizedMatrix run_quantize(const QuantizeArguments& q) override {
    const ScaleLayout layout = layout_of(q);
    const ScaleType type = q.recipe.scale_type();
    QuantizedMatrix out{q.recipe, CodeMatrix(q.x->rows(), q.x->cols()),
                        ScaleTensor::zeros(layout, type, q.options.scale.meaning), {}};
    // Unwritten scales read as NaN (fp32/fp16) or the NaN code 0xFF (e8m0; e4m3's NaN is 0x7F).
    std::fill(out.scales.values.begin(), out.scales.values.end(), std::numeric_limits<float>::quiet_NaN());
    std::fill(out.scales.codes.begin(), out.scales.codes.end(), type == ScaleType::e4m3 ? 0x7F : 0xFF);
    const QuantizeCall c(q, layout, options_);
    fp8check_quantize_output o{out.codes.codes.data(), out.scales.values.data(),
                               out.scales.has_codes() ? out.scales.codes.data() : nullptr,
                               std::numeric_limits<float>::quiet_NaN()};
    succeed(call([&](char* m, std::size_t n) { return plugin_->table->run_quantize(&c.args, &o, m, n); }),
            "run_quantize");
    if (out.scales.has_codes()) {
      const Format f = type == ScaleType::e8m0 ? Format::e8m0fnu : Format::e4m3fn;
      for (std::size_t i = 0; i < out.scales.codes.size(); ++i)
        out.scales.values[i] = decode_f32(f, out.scales.codes[i]);
    }
    if (q.recipe.scheme == ScalingScheme::nvfp4) out.tensor_scale = o.tensor_scale;
    return out;
  }

 private:
  static ScaleLayout layout_of(const QuantizeArguments& q) {
    return make_scale_layout(q.x->rows(), q.x->cols(), q.recipe.block, q.options.order,
                             scale_type_bytes(q.recipe.scale_type()));
  }
  static std::string or_default(const std::string& s, const char* fallback) { return s.empty() ? fallback : s; }

  std::string who() const { return "plug-in " + plugin_->name; }

  std::string refuse_options() const {
    if (!options_.fault.empty() && options_.fault != "none")
      return who() + " has no injected faults (fault " + options_.fault + " is the emulated backend's)";
    if (options_.fast_accum || options_.algorithm != 0)
      return who() + ": the plug-in ABI has no fast_accum or algorithm option (they are cuBLASLt's)";
    return "";
  }

  // Calls `f(message, size)` (serialised unless the plug-in is thread safe); the message is
  // cut at its first line break.
  template <class F>
  Answer call(F&& f) const {
    std::array<char, 1024> message{};
    Answer a;
    if (plugin_->table->thread_safe) {
      a.status = f(message.data(), message.size());
    } else {
      std::lock_guard lock(plugin_->calls);
      a.status = f(message.data(), message.size());
    }
    message.back() = '\0';
    a.message = message.data();
    if (const auto eol = a.message.find_first_of("\r\n"); eol != std::string::npos) a.message.resize(eol);
    return a;
  }

  // can_implement's answer as the contract's: "" or the reason.
  std::string reason(const Answer& a, const char* fn) const {
    if (a.status == FP8CHECK_PLUGIN_OK) return "";
    if (a.status == FP8CHECK_PLUGIN_DECLINED) return who() + ": " + or_default(a.message, "declined without a reason");
    throw InputError(who() + ": " + fn + " failed (status " + std::to_string(a.status) +
                     "): " + or_default(a.message, "no message"));
  }

  void succeed(const Answer& a, const char* fn) const {
    if (a.status == FP8CHECK_PLUGIN_OK) return;
    throw InputError(who() + ": " + fn + " failed (status " + std::to_string(a.status) +
                     "): " + or_default(a.message, "no message"));
  }

  std::shared_ptr<LoadedPlugin> plugin_;
  BackendOptions options_;
};

}  // namespace

std::unique_ptr<Backend> make_plugin_backend(std::shared_ptr<LoadedPlugin> plugin, const BackendOptions& options) {
  return std::make_unique<PluginBackend>(std::move(plugin), options);
}

}  // namespace fp8check::plugin
