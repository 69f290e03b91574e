#include "harness/run/attention_inputs.hpp"

#include "harness/core/convert.hpp"
#include "harness/generate/seed.hpp"
#include "harness/quantize/quantize.hpp"

namespace fp8check {
namespace {

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

// A [batch, heads, seq, dim] tensor: element ((b·heads + h)·seq + s)·dim + d of the keyed stream.
references::HeadMatrices generate_heads(const Distribution& dist, std::uint64_t key, std::int64_t batch,
                                        std::int64_t heads, std::int64_t seq, std::int64_t dim) {
  Distribution d = dist;
  if (d.kind == DistributionKind::llm_activation) d.columns = static_cast<std::uint64_t>(dim);  // outlier channels
  references::HeadMatrices t(batch, heads, seq, dim);
  for (std::int64_t pair = 0; pair < batch * heads; ++pair) {
    MatrixD& m = t.per_head[at(pair)];
    generate(d, key, std::span<double>(m.data(), at(m.size())), at(pair * seq * dim));
  }
  return t;
}

// Stacks the heads (b, h) in [first, last) into one matrix, row-major.
MatrixD stack(const references::HeadMatrices& t, std::int64_t first, std::int64_t last) {
  const MatrixD& head = t.per_head.front();
  MatrixD all((last - first) * head.rows(), head.cols());
  for (std::int64_t pair = first; pair < last; ++pair)
    all.middleRows((pair - first) * head.rows(), head.rows()) = t.per_head[at(pair)];
  return all;
}

struct Quantized {
  std::vector<std::uint8_t> codes;
  std::vector<float> descales;  // one per (b, h)
  references::HeadMatrices dequantized;
};

// The tensor recipe over the whole tensor (one descale repeated) or over each head.
Quantized quantize_heads(const references::HeadMatrices& t, ElementType type, AttentionScaling scaling) {
  const Recipe recipe = parse_recipe("tensor", type);
  const std::int64_t pairs = t.batch * t.heads, rows = t.per_head.front().rows();
  Quantized out;
  out.dequantized = t;
  const std::int64_t group = scaling == AttentionScaling::tensor ? pairs : 1;
  for (std::int64_t first = 0; first < pairs; first += group) {
    const QuantizedMatrix q = quantize(stack(t, first, first + group), recipe);
    const MatrixD deq = dequantize(q);
    out.codes.insert(out.codes.end(), q.codes.codes.begin(), q.codes.codes.end());
    for (std::int64_t pair = first; pair < first + group; ++pair) {
      out.descales.push_back(q.scales.value(0, 0));
      out.dequantized.per_head[at(pair)] = deq.middleRows((pair - first) * rows, rows);
    }
  }
  return out;
}

}  // namespace

references::AttentionProblem reference_problem(const AttentionDesc& d) {
  references::AttentionProblem p;
  p.batch = d.batch;
  p.q_heads = d.q_heads;
  p.kv_heads = d.kv_heads;
  p.q_len = d.seq_q;
  p.kv_len = d.seq_kv;
  p.qk_dim = d.head_dim_qk;
  p.v_dim = d.head_dim_v;
  p.softmax_scale = d.softmax_scale;
  p.causal = d.causal;
  return p;
}

AttentionInputs prepare_attention_inputs(const AttentionCase& c, const std::string& case_id, std::uint64_t seed,
                                         StageTimer* timer) {
  const AttentionDesc& d = c.desc;
  AttentionInputs in;
  const std::uint64_t kq = tensor_key(seed, case_id, "Q"), kk = tensor_key(seed, case_id, "K"),
                      kv = tensor_key(seed, case_id, "V");
  in.key_q = format_key(kq);
  in.key_k = format_key(kk);
  in.key_v = format_key(kv);
  in.q = generate_heads(c.distribution, kq, d.batch, d.q_heads, d.seq_q, d.head_dim_qk);
  in.k = generate_heads(c.distribution, kk, d.batch, d.kv_heads, d.seq_kv, d.head_dim_qk);
  in.v = generate_heads(c.distribution, kv, d.batch, d.kv_heads, d.seq_kv, d.head_dim_v);
  if (timer) timer->lap("inputs");

  if (d.q_type == ElementType::of(Format::bf16)) {
    in.q_hat = in.q;
    for (MatrixD& m : in.q_hat.per_head)
      for (std::int64_t i = 0; i < m.size(); ++i) {
        const auto code = static_cast<std::uint16_t>(encode(Format::bf16, m.data()[i]));
        in.q_wide_codes.push_back(code);
        m.data()[i] = decode(Format::bf16, code);
      }
    in.q_descales.assign(at(d.batch * d.q_heads), 1.0f);
  } else {
    Quantized q = quantize_heads(in.q, d.q_type, c.scaling);
    in.q_codes = std::move(q.codes);
    in.q_descales = std::move(q.descales);
    in.q_hat = std::move(q.dequantized);
  }
  Quantized k = quantize_heads(in.k, d.k_type, c.scaling), v = quantize_heads(in.v, d.v_type, c.scaling);
  in.k_codes = std::move(k.codes);
  in.k_descales = std::move(k.descales);
  in.k_hat = std::move(k.dequantized);
  in.v_codes = std::move(v.codes);
  in.v_descales = std::move(v.descales);
  in.v_hat = std::move(v.dequantized);

  in.q_operand = {in.q_codes.empty() ? nullptr : in.q_codes.data(),
                  in.q_wide_codes.empty() ? nullptr : in.q_wide_codes.data(), in.q_descales};
  in.k_operand = {in.k_codes.data(), nullptr, in.k_descales};
  in.v_operand = {in.v_codes.data(), nullptr, in.v_descales};
  if (timer) timer->lap("quantize");
  return in;
}

}  // namespace fp8check
