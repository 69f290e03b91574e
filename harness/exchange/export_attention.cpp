// An attention case in cases.h5: Q, K and V as codes [batch, heads, seq, dim] with one
// dequantization scale per (batch, head), the FP64 originals, and the problem's shape,
// mask, softmax scale and P handling (docs/exchange-format.md).
#include <string>

#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/exchange/export_ops.hpp"
#include "harness/run/attention_inputs.hpp"

namespace fp8check::exchange {
namespace {

std::uint64_t u(std::int64_t v) { return static_cast<std::uint64_t>(v); }

std::vector<double> flat_heads(const references::HeadMatrices& t) {
  std::vector<const MatrixD*> heads;
  for (const MatrixD& m : t.per_head) heads.push_back(&m);
  return flat_values(heads);
}

void write_descales(H5Node& group, const std::string& name, std::span<const float> descales, std::int64_t batch,
                    std::int64_t heads, std::int64_t seq, std::int64_t dim) {
  H5Node d = group.write<float>(name, descales, {u(batch), u(heads)});
  d.set("block", std::vector<std::int64_t>{seq, dim});  // one scale covers a whole (batch, head) slice
  d.set("kind", "fp32");
}

}  // namespace

std::string export_attention(H5Node& group, const CaseInput& input, const ExportContext& ctx) {
  const AttentionCase c = AttentionCase::from_params(input.params);
  if (c.fault != AttentionFault::none) throw InputError(injected_fault_reason(attention_fault_name(c.fault)));
  const ConfigChoice<AttentionConfig> choice = choose_attention_config(c, *ctx.device);
  if (!choice.skip.empty()) return choice.skip;
  if (!choice.error.empty()) throw InputError(choice.error);
  const AttentionInputs in = prepare_attention_inputs(c, input.id, ctx.seed);
  const AttentionDesc& d = c.desc;

  group.set("batch", d.batch);
  group.set("q_heads", d.q_heads);
  group.set("kv_heads", d.kv_heads);
  group.set("seq_q", d.seq_q);
  group.set("seq_kv", d.seq_kv);
  group.set("head_dim_qk", d.head_dim_qk);
  group.set("head_dim_v", d.head_dim_v);
  group.set("causal", std::int64_t{d.causal});
  group.set("softmax_scale", d.softmax_scale);
  group.set("q_format", d.q_type.name());
  group.set("k_format", d.k_type.name());
  group.set("v_format", d.v_type.name());
  group.set("p_format", std::string(format_name(d.p.format)));
  group.set("p_scale", d.p.scale);
  group.set("output_type", std::string(output_type_name(d.o_type)));
  group.set("config", choice.config.id());

  const Shape q_shape{u(d.batch), u(d.q_heads), u(d.seq_q), u(d.head_dim_qk)};
  const Shape k_shape{u(d.batch), u(d.kv_heads), u(d.seq_kv), u(d.head_dim_qk)};
  const Shape v_shape{u(d.batch), u(d.kv_heads), u(d.seq_kv), u(d.head_dim_v)};
  if (!in.q_wide_codes.empty()) group.write<std::uint16_t>("q", in.q_wide_codes, q_shape).set("format", "bf16");
  else write_codes(group, "q", in.q_codes, d.q_type, q_shape, ctx);
  write_codes(group, "k", in.k_codes, d.k_type, k_shape, ctx);
  write_codes(group, "v", in.v_codes, d.v_type, v_shape, ctx);
  write_descales(group, "q_scale", in.q_descales, d.batch, d.q_heads, d.seq_q, d.head_dim_qk);
  write_descales(group, "k_scale", in.k_descales, d.batch, d.kv_heads, d.seq_kv, d.head_dim_qk);
  write_descales(group, "v_scale", in.v_descales, d.batch, d.kv_heads, d.seq_kv, d.head_dim_v);
  group.write<double>("q_fp64", flat_heads(in.q), q_shape);
  group.write<double>("k_fp64", flat_heads(in.k), k_shape);
  group.write<double>("v_fp64", flat_heads(in.v), v_shape);
  return "";
}

}  // namespace fp8check::exchange
