#include "tests/plugin/echo_plugin.hpp"

#include <cstdio>
#include <cstring>
#include <exception>

#include "harness/backend/backend.hpp"
#include "harness/run/backend_registry.hpp"

namespace fp8check::test {
namespace {

template <class F>
int guarded(char* message, std::size_t size, F&& f) {
  try {
    f();
    return FP8CHECK_PLUGIN_OK;
  } catch (const std::exception& e) {
    std::snprintf(message, size, "echo: %s", e.what());
    return FP8CHECK_PLUGIN_ERROR;
  }
}

GemmKind parse_kind(const char* k) {
  for (GemmKind kind : {GemmKind::dense, GemmKind::batched, GemmKind::grouped_contiguous, GemmKind::grouped_masked}) {
    const char* names[] = {"dense", "batched", "grouped_contiguous", "grouped_masked"};
    if (std::strcmp(k, names[static_cast<int>(kind)]) == 0) return kind;
  }
  throw std::runtime_error(std::string("unknown kind ") + k);
}

GemmOperand operand(const fp8check_gemm_operand& c) {
  const ElementType t = parse_element_type(c.format);
  GemmOperand op;
  if (c.codes) op = GemmOperand::of_codes(c.codes, t.format, c.mn, c.k, c.k_major != 0);
  else if (c.integers) op = GemmOperand::of_integers(c.integers, c.mn, c.k, c.k_major != 0);
  else op = GemmOperand::of_values(c.values, c.mn, c.k, c.k_major != 0);
  op.batches = c.batches;
  op.ld = c.ld;
  op.batch_stride = c.batch_stride;
  op.scales = {c.scales.data, {static_cast<int>(c.scales.block_mn), static_cast<int>(c.scales.block_k)},
               c.scales.stride_mn, c.scales.stride_k, c.scales.batch_stride};
  op.tensor_scale = c.tensor_scale;
  return op;
}

int can(const void*, char*, std::size_t) { return FP8CHECK_PLUGIN_OK; }

int run_gemm(const fp8check_gemm_args* a, fp8check_gemm_output* out, char* message, std::size_t size) {
  return guarded(message, size, [&] {
    GemmArguments g;
    const fp8check_gemm_problem& c = a->problem;
    GemmProblem& p = g.problem;
    p.kind = parse_kind(c.kind);
    p.m = c.m, p.n = c.n, p.k = c.k, p.groups = c.groups;
    if (c.group_row_offsets) p.group_row_offsets.assign(c.group_row_offsets, c.group_row_offsets + c.groups + 1);
    if (c.masked_m) p.masked_m.assign(c.masked_m, c.masked_m + c.groups);
    p.alpha = c.alpha, p.beta = c.beta, p.c = c.c, p.ldc = c.ldc, p.c_batch_stride = c.c_batch_stride;
    p.bias = c.bias;
    p.output = parse_output_type(c.output_type);
    p.d_scale = c.d_scale;
    g.a = operand(a->a);
    g.b = operand(a->b);
    g.config = parse_gemm_config(a->config.id);
    GemmOutput o;
    o.prepare_for(p);
    o.bits.assign(out->bits, out->bits + o.bits.size());  // the caller's sentinel stays where nothing is written
    make_backend("emulated", {a->kernel_model, "none", a->threads})->run_gemm(g, o);
    std::copy(o.bits.begin(), o.bits.end(), out->bits);
    out->amax = o.amax;
  });
}

AttentionOperand operand(const fp8check_attention_operand& c) {
  return {c.codes, c.wide_codes, std::span<const float>(c.descales, static_cast<std::size_t>(c.descale_count))};
}

int run_attention(const fp8check_attention_args* a, fp8check_attention_output* out, char* message, std::size_t size) {
  return guarded(message, size, [&] {
    AttentionArguments args;
    AttentionDesc& d = args.desc;
    d.batch = a->batch, d.q_heads = a->q_heads, d.kv_heads = a->kv_heads;
    d.seq_q = a->seq_q, d.seq_kv = a->seq_kv, d.head_dim_qk = a->head_dim_qk, d.head_dim_v = a->head_dim_v;
    d.causal = a->causal != 0;
    d.softmax_scale = a->softmax_scale;
    d.q_type = parse_element_type(a->q.format);
    d.k_type = parse_element_type(a->k.format);
    d.v_type = parse_element_type(a->v.format);
    d.o_type = parse_output_type(a->output_type);
    d.p = {parse_element_type(a->p_format).format, a->p_scale};
    args.q = operand(a->q);
    args.k = operand(a->k);
    args.v = operand(a->v);
    args.config = parse_attention_config(a->config_id);
    AttentionOutput o;
    make_backend("emulated", {"", "none", a->threads})->run_attention(args, o);
    std::copy(o.bits.begin(), o.bits.end(), out->bits);
    std::copy(o.lse.begin(), o.lse.end(), out->lse);
    out->p_max = o.p_max;
    out->p_saturated = o.p_saturated;
  });
}

int run_quantize(const fp8check_quantize_args* a, fp8check_quantize_output* out, char* message, std::size_t size) {
  return guarded(message, size, [&] {
    const MatrixD x = Eigen::Map<const MatrixD>(a->x, a->rows, a->cols);
    QuantizeArguments q{&x, parse_recipe(a->recipe, parse_element_type(a->element)), {}};
    q.options.order = parse_scale_order(a->scale_order);
    q.options.scale.meaning = parse_scale_meaning(a->scale_meaning);
    const QuantizedMatrix r = make_backend("emulated", {"", "none", a->threads})->run_quantize(q);
    for (std::int64_t i = 0; i < a->rows; ++i)
      for (std::int64_t j = 0; j < a->cols; ++j) out->codes[i * a->cols + j] = r.codes(i, j);
    if (out->scale_codes) std::copy(r.scales.codes.begin(), r.scales.codes.end(), out->scale_codes);
    else std::copy(r.scales.values.begin(), r.scales.values.end(), out->scales);
    if (r.tensor_scale) out->tensor_scale = *r.tensor_scale;
  });
}

const fp8check_plugin kEcho = {
    FP8CHECK_PLUGIN_ABI_VERSION,
    "echo",
    1,
    1,
    nullptr,
    [](const fp8check_gemm_args* a, char* m, std::size_t n) { return can(a, m, n); },
    run_gemm,
    [](const fp8check_attention_args* a, char* m, std::size_t n) { return can(a, m, n); },
    run_attention,
    [](const fp8check_quantize_args* a, char* m, std::size_t n) { return can(a, m, n); },
    run_quantize,
};

}  // namespace

const fp8check_plugin* echo_plugin() { return &kEcho; }

}  // namespace fp8check::test
