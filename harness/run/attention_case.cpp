#include "harness/run/attention_case.hpp"

#include <charconv>
#include <cmath>
#include <tuple>
#include <utility>
#include <vector>

#include "harness/configs/attention_config.hpp"
#include "harness/core/error.hpp"
#include "harness/run/param_text.hpp"

namespace fp8check {
namespace {

std::pair<ElementType, ElementType> parse_formats(const std::string& v) {
  const auto parts = split_fields(v, '.');
  if (parts.size() != 2)
    throw InputError("formats '" + v + "': expected Q.KV, e.g. e4m3fn.e4m3fn, e5m2.e5m2 or bf16.e4m3fn");
  return {parse_element_type(parts[0]), parse_element_type(parts[1])};
}

// Fills the shape fields of `d` (everything shape_id() prints).
void parse_shape(const std::string& v, AttentionDesc& d) {
  const std::string what = "shape '" + v + "'";
  d.head_dim_v = 0;
  std::vector<std::string> seen;
  for (const std::string& part : split_fields(v, '.')) {
    auto field = [&](std::string_view prefix) {
      const bool is = part.size() > prefix.size() && part.starts_with(prefix);
      if (is) require_once(seen, std::string(prefix), what);
      return is;
    };
    if (part == "causal") require_once(seen, part, what), d.causal = true;
    else if (field("skv")) d.seq_kv = parse_count(part.substr(3), what, 1);
    else if (field("sq")) d.seq_q = parse_count(part.substr(2), what, 1);
    else if (field("kv")) d.kv_heads = parse_count(part.substr(2), what, 1);
    else if (field("dv")) d.head_dim_v = parse_count(part.substr(2), what, 1);
    else if (field("d")) d.head_dim_qk = parse_count(part.substr(1), what, 1);
    else if (field("h")) d.q_heads = parse_count(part.substr(1), what, 1);
    else if (field("b")) d.batch = parse_count(part.substr(1), what, 1);
    else
      throw InputError(what + ": unknown field '" + part +
                       "' (expected bB.hH.kvK.sqS.skvS.dD[.dvD][.causal], e.g. b1.h8.kv2.sq128.skv1024.d128)");
  }
  if (d.seq_q < 1 || d.seq_kv < 1 || d.head_dim_qk < 1)
    throw InputError(what + ": sq, skv and d must be given (e.g. b1.h8.kv8.sq128.skv128.d128)");
  if (d.head_dim_v == 0) d.head_dim_v = d.head_dim_qk;
  if (d.q_heads % d.kv_heads != 0)
    throw InputError(what + ": kv heads " + std::to_string(d.kv_heads) + " must divide heads " +
                     std::to_string(d.q_heads) + " (GQA groups)");
}

double parse_logit_scale(const std::string& v) {
  double x = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(x) || x <= 0)
    throw InputError("logit_scale '" + v + "': expected a number > 0 (a multiplier on 1/sqrt(head_dim_qk), e.g. 1, 4, 16)");
  return x;
}

AttentionScaling parse_scaling(const std::string& v) {
  if (v == "tensor") return AttentionScaling::tensor;
  if (v == "head") return AttentionScaling::head;
  throw InputError("scaling '" + v + "': expected tensor (one descale per tensor) or head (one per batch x head)");
}

OutputType parse_attention_output(const std::string& v) {
  const OutputType t = parse_output_type(v);
  if (t == OutputType::e4m3fn) throw InputError("output '" + v + "': attention outputs bf16, fp16 or fp32");
  return t;
}

void validate_formats(const std::string& v) {
  AttentionDesc d;
  std::tie(d.q_type, d.k_type) = parse_formats(v);
  d.v_type = d.k_type;
  d.seq_q = d.seq_kv = d.head_dim_qk = d.head_dim_v = 1;
  d.softmax_scale = 1;
  d.validate();
}
void validate_shape(const std::string& v) {
  AttentionDesc d;
  parse_shape(v, d);
}
void validate_config(const std::string& v) {
  if (v != "auto" && v != "all") parse_attention_config(v);
}

const CaseAxis kAttentionAxes[] = {
    {"formats", "e4m3fn.e4m3fn", validate_formats,
     "element types of Q and of the KV cache (K and V); Q may be bf16: e4m3fn.e4m3fn, bf16.e4m3fn"},
    {"shape", nullptr, validate_shape, "b1.h8.kv2.sq128.skv1024.d128 (+ .dvN for another V/O head dim, + .causal)"},
    {"p", "e4m3", [](const std::string& v) { parse_p_handling(v); },
     "P handling: e4m3, e5m2 or bf16, optionally .sN (P scale 2^N)", "p:"},
    {"scaling", "tensor", [](const std::string& v) { parse_scaling(v); },
     "tensor (one descale per tensor) or head (one per batch x head)"},
    {"logit_scale", "1", [](const std::string& v) { parse_logit_scale(v); },
     "multiplier on the default softmax scale 1/sqrt(head_dim_qk)", "ls:"},
    {"output", "bf16", [](const std::string& v) { parse_attention_output(v); }, "bf16, fp16 or fp32"},
    {"distribution", "normal", [](const std::string& v) { parse_distribution(v); }, "inputs of Q, K and V (docs/inputs.md)"},
    // Added after the goldens: left out of the id at "fp32", so existing ids are unchanged.
    {"accumulation", "fp32", [](const std::string& v) { parse_attention_kernel_model(v); },
     "how Q K^T and P V are computed: fp32, sm90-wgmma[.fN] (Hopper's wgmma in FlashAttention-3's order) or "
     "sm89-mma[.fN] (Ada's mma.sync in the same order)", "acc:",
     true},
    {"fault", "none", [](const std::string& v) { parse_attention_fault(v); },
     "an injected kernel bug of the emulated backend (kernels/emulated/attention_fault.hpp)"},
    {"config", "auto", validate_config,
     "auto (the selector's first choice), all (every config the selector keeps) or a config id (bq128.bkv128.s2.sp2)",
     "cfg:"},
    {"device", "suite", validate_device_name, "the device profile configs are chosen for: suite (the run's) or a name",
     "dev:"},
    {"backend", "emulated", validate_backend_name, "the backend that runs the kernel"},
};

}  // namespace

std::span<const CaseAxis> attention_axes() { return kAttentionAxes; }

AttentionCase AttentionCase::from_params(const CaseParams& params) {
  AttentionCase c;
  const AxisValues v(kAttentionAxes, params, "attention");
  c.config = v["config"];
  c.device = v["device"];
  c.backend = v["backend"];
  AttentionDesc& d = c.desc;
  parse_shape(v["shape"], d);
  std::tie(d.q_type, d.k_type) = parse_formats(v["formats"]);
  d.v_type = d.k_type;
  d.o_type = parse_attention_output(v["output"]);
  d.p = parse_p_handling(v["p"]);
  c.logit_scale = parse_logit_scale(v["logit_scale"]);
  // The kernel takes s as a float; the reference gets the same float value.
  d.softmax_scale = static_cast<float>(c.logit_scale / std::sqrt(static_cast<double>(d.head_dim_qk)));
  d.validate();
  c.scaling = parse_scaling(v["scaling"]);
  c.distribution = parse_distribution(v["distribution"]);
  c.fault = parse_attention_fault(v["fault"]);
  c.model = parse_attention_kernel_model(v["accumulation"]);
  return c;
}

}  // namespace fp8check
