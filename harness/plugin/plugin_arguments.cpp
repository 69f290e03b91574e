#include "harness/plugin/plugin_arguments.hpp"

#include "harness/core/format_spec.hpp"

namespace fp8check::plugin {
namespace {


fp8check_gemm_operand operand(const GemmOperand& op, const std::string& format) {
  fp8check_gemm_operand c{};
  c.format = format.c_str();
  c.codes = op.storage == ElementStorage::codes ? op.codes : nullptr;
  c.integers = op.storage == ElementStorage::int8_values ? op.integers : nullptr;
  c.values = op.storage == ElementStorage::f32_values ? op.values : nullptr;
  c.mn = op.mn;
  c.k = op.k;
  c.batches = op.batches;
  c.k_major = op.k_major ? 1 : 0;
  c.ld = op.ld;
  c.batch_stride = op.batch_stride;
  c.scales = {op.scales.data, op.scales.block.mn, op.scales.block.k, op.scales.stride_mn, op.scales.stride_k,
              op.scales.batch_stride};
  c.tensor_scale = op.tensor_scale;
  return c;
}

fp8check_attention_operand operand(const AttentionOperand& op, const std::string& format) {
  return {format.c_str(), op.codes, op.wide_codes, op.descales.data(), static_cast<std::int64_t>(op.descales.size())};
}

}  // namespace

GemmCall::GemmCall(const GemmArguments& g, const BackendOptions& options)
    : a_format_(g.desc.a_type.name()),
      b_format_(g.desc.b_type.name()),
      output_(output_type_name(g.problem.output)),
      config_id_(g.config.id()),
      layout_(g.desc.layout()),
      model_(options.kernel_model.empty() ? "fp32" : options.kernel_model) {
  const GemmProblem& p = g.problem;
  fp8check_gemm_problem& c = args.problem;
  c.kind = gemm_kind_name(p.kind).data();  // a string literal: NUL-terminated
  c.m = p.m;
  c.n = p.n;
  c.k = p.k;
  c.groups = p.groups;
  c.group_row_offsets = p.group_row_offsets.empty() ? nullptr : p.group_row_offsets.data();
  c.masked_m = p.masked_m.empty() ? nullptr : p.masked_m.data();
  c.alpha = p.alpha;
  c.beta = p.beta;
  c.c = p.c;
  c.ldc = p.ldc;
  c.c_batch_stride = p.c_batch_stride;
  c.bias = p.bias;
  c.output_type = output_.c_str();
  c.d_scale = p.d_scale;
  args.a = operand(g.a, a_format_);
  args.b = operand(g.b, b_format_);
  const GemmConfig& k = g.config;
  args.config = {config_id_.c_str(), k.block_m, k.block_n, k.block_k, k.stages, k.split_k,
                 k.reduction == SplitKReduction::tree ? "tree" : "sequential", k.cluster_m, k.cluster_n};
  args.layout = layout_.c_str();
  args.kernel_model = model_.c_str();
  args.threads = options.threads;
}

AttentionCall::AttentionCall(const AttentionArguments& a, const BackendOptions& options)
    : q_format_(a.desc.q_type.name()),
      k_format_(a.desc.k_type.name()),
      v_format_(a.desc.v_type.name()),
      p_format_(format_spec(a.desc.p.format).name),
      output_(output_type_name(a.desc.o_type)),
      config_id_(a.config.id()) {
  const AttentionDesc& d = a.desc;
  args.batch = d.batch;
  args.q_heads = d.q_heads;
  args.kv_heads = d.kv_heads;
  args.seq_q = d.seq_q;
  args.seq_kv = d.seq_kv;
  args.head_dim_qk = d.head_dim_qk;
  args.head_dim_v = d.head_dim_v;
  args.causal = d.causal ? 1 : 0;
  args.softmax_scale = d.softmax_scale;
  args.p_format = p_format_.c_str();
  args.p_scale = d.p.scale;
  args.output_type = output_.c_str();
  args.q = operand(a.q, q_format_);
  args.k = operand(a.k, k_format_);
  args.v = operand(a.v, v_format_);
  args.config_id = config_id_.c_str();
  args.block_q = a.config.block_q;
  args.block_kv = a.config.block_kv;
  args.stages = a.config.stages;
  args.splits = a.config.splits;
  args.combine = a.config.combine == SplitCombine::tree ? "tree" : "sequential";
  args.threads = options.threads;
}

QuantizeCall::QuantizeCall(const QuantizeArguments& q, const ScaleLayout& layout, const BackendOptions& options)
    : recipe_(q.recipe.name()), element_(q.recipe.element.name()) {
  args.x = q.x->data();
  args.rows = q.x->rows();
  args.cols = q.x->cols();
  args.recipe = recipe_.c_str();
  args.element = element_.c_str();
  args.block_rows = layout.block.rows;
  args.block_cols = layout.block.cols;
  args.scale_type = scale_type_name(q.recipe.scale_type()).data();
  args.scale_meaning = scale_meaning_name(q.options.scale.meaning).data();
  args.scale_order = scale_order_name(layout.order).data();
  args.scale_grid_rows = layout.grid_rows;
  args.scale_grid_cols = layout.grid_cols;
  args.scale_ld = layout.ld;
  args.scale_slots = layout.storage_size();
  args.threads = options.threads;
}

}  // namespace fp8check::plugin
