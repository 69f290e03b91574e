#include "kernels/cuda/index/attention_plan.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "harness/core/error.hpp"
#include "kernels/cuda/index/attention_program.hpp"  // AttentionCombineProgram

namespace fp8check::cuda_index {
namespace {

constexpr double kLog2e = 1.4426950408889634074;  // M_LOG2E

bool is_fp8(Format f) { return f == Format::e4m3fn || f == Format::e5m2; }

const std::vector<OwnAttentionKernel>& table() {
  static const std::vector<OwnAttentionKernel> kernels = [] {
    std::vector<OwnAttentionKernel> v;
#define FP8C_ATTENTION_ENTRY(d, bkv, s) \
  v.push_back({d, bkv, s, false});      \
  v.push_back({d, bkv, s, true});
    FP8CHECK_OWN_ATTENTION_TILES(FP8C_ATTENTION_ENTRY)
#undef FP8C_ATTENTION_ENTRY
    return v;
  }();
  return kernels;
}

std::string list_of(const std::vector<int>& values) {
  std::string out;
  for (int x : values) out += (out.empty() ? "" : ", ") + std::to_string(x);
  return out;
}

// The kernel for the arguments, or nullptr.
const OwnAttentionKernel* find_kernel(const AttentionArguments& args) {
  const AttentionDesc& d = args.desc;
  for (const OwnAttentionKernel& k : table())
    if (k.head_dim == d.head_dim_qk && k.block_kv == args.config.block_kv && k.p_bf16 == (d.p.format == Format::bf16))
      return &k;
  return nullptr;
}

}  // namespace

std::string OwnAttentionKernel::symbol() const {
  return "fp8check_attention_d" + std::to_string(head_dim) + "_bkv" + std::to_string(block_kv) + "_s" +
         std::to_string(stages) + (p_bf16 ? "_pbf16" : "_pe4m3");
}

std::string OwnAttentionKernel::combine_symbol() const {
  return "fp8check_attention_combine_d" + std::to_string(head_dim);
}

int OwnAttentionKernel::threads() const {
  return AttentionTile<64, 32, 1, false>::threads;  // 64 query rows, one warp per 16: the same for every tile
}

int OwnAttentionKernel::smem_bytes() const {
  int bytes = 0;
#define FP8C_ATTENTION_SMEM(d, bkv, s)                                                       \
  if (head_dim == d && block_kv == bkv && stages == s)                                       \
    bytes = p_bf16 ? AttentionTile<d, bkv, s, true>::smem_bytes : AttentionTile<d, bkv, s, false>::smem_bytes;
  FP8CHECK_OWN_ATTENTION_TILES(FP8C_ATTENTION_SMEM)
#undef FP8C_ATTENTION_SMEM
  return bytes;
}

std::span<const OwnAttentionKernel> own_attention_kernels() { return table(); }

std::string why_no_own_attention(const AttentionArguments& args, int sm) {
  const AttentionDesc& d = args.desc;
  const std::string head = "fp8check's own attention kernel: ";
  if (sm < 89)
    return head + "needs FP8 mma.sync (sm_89 or newer); the device is sm_" + std::to_string(sm);
  if (!is_fp8(d.q_type.format))
    return head + "Q " + std::string(format_spec(d.q_type.format).name) +
           ": only FP8 Q (e4m3fn, e5m2) has a kernel (bf16 Q with FP8 K would need K widened to bf16)";
  std::vector<int> dims;
  for (const OwnAttentionKernel& k : table())
    if (std::find(dims.begin(), dims.end(), k.head_dim) == dims.end()) dims.push_back(k.head_dim);
  if (d.head_dim_qk != d.head_dim_v || std::find(dims.begin(), dims.end(), d.head_dim_qk) == dims.end())
    return head + "head dims " + std::to_string(d.head_dim_qk) + "/" + std::to_string(d.head_dim_v) +
           ": kernels exist for head dim " + list_of(dims) + " (Q, K and V alike)";
  if (d.p.format != Format::bf16 && !is_fp8(d.p.format))
    return head + "P " + d.p.name() + ": P must be e4m3, e5m2 or bf16";
  if (find_kernel(args) == nullptr) {
    std::vector<int> kvs;
    for (const OwnAttentionKernel& k : table())
      if (k.head_dim == d.head_dim_qk && std::find(kvs.begin(), kvs.end(), k.block_kv) == kvs.end())
        kvs.push_back(k.block_kv);
    return head + "config " + args.config.id() + ": block_kv " + std::to_string(args.config.block_kv) +
           " has no kernel; block_kv " + list_of(kvs) + " have (head dim " + std::to_string(d.head_dim_qk) + ")";
  }
  if (args.q.codes == nullptr || args.k.codes == nullptr || args.v.codes == nullptr)
    return head + "Q, K and V need 8-bit codes";
  if (static_cast<std::int64_t>(args.q.descales.size()) != d.batch * d.q_heads ||
      static_cast<std::int64_t>(args.k.descales.size()) != d.batch * d.kv_heads ||
      static_cast<std::int64_t>(args.v.descales.size()) != d.batch * d.kv_heads)
    return head + "descales: expected one per batch x head of each operand";
  if (d.q_heads > 65535 || d.batch > 65535)
    return head + "grid: q_heads and batch must be <= 65535 (CUDA's grid y and z)";
  if (args.config.splits > 1024)
    return head + "config " + args.config.id() + ": more than 1024 kv splits";
  return "";
}

AttentionPlan plan_own_attention(const AttentionArguments& args, int sm) {
  args.desc.validate();
  args.config.validate();
  if (std::string why = why_no_own_attention(args, sm); !why.empty()) throw InputError(why);
  const AttentionDesc& d = args.desc;
  AttentionPlan plan;
  plan.kernel = *find_kernel(args);
  AttentionKernelParams& p = plan.params;
  p.q = args.q.codes;
  p.k = args.k.codes;
  p.v = args.v.codes;
  p.q_descale = args.q.descales.data();
  p.k_descale = args.k.descales.data();
  p.v_descale = args.v.descales.data();
  p.batch = d.batch;
  p.q_heads = d.q_heads;
  p.kv_heads = d.kv_heads;
  p.seq_q = d.seq_q;
  p.seq_kv = d.seq_kv;
  p.causal = d.causal;
  p.q_format = d.q_type.format;
  p.k_format = d.k_type.format;
  p.v_format = d.v_type.format;
  p.p_format = d.p.format;
  p.o_type = d.o_type;
  // As attention_emulated.cpp: s · log2 e from the float s in double, rounded once.
  p.scale_log2 = static_cast<float>(static_cast<double>(static_cast<float>(d.softmax_scale)) * kLog2e);
  p.p_scale = static_cast<float>(d.p.scale);
  p.p_offset = std::ilogb(d.p.scale);
  p.rounding = attention::p_rounding(d.p.format);
  const int block_q = AttentionTile<64, 32, 1, false>::block_q;
  p.q_tiles = (d.seq_q + block_q - 1) / block_q;
  p.head_dim = d.head_dim_qk;
  p.splits = args.config.splits;
  p.tree = args.config.combine == SplitCombine::tree;
  p.kv_blocks = (d.seq_kv + args.config.block_kv - 1) / args.config.block_kv;
  p.blocks_per_split = (p.kv_blocks + p.splits - 1) / p.splits;  // as attention_emulated.cpp
  plan.grid_x = p.q_tiles * p.splits;
  plan.grid_y = d.q_heads;
  plan.grid_z = d.batch;
  plan.q_codes = d.batch * d.q_heads * d.seq_q * d.head_dim_qk;
  plan.kv_codes = d.batch * d.kv_heads * d.seq_kv * d.head_dim_qk;
  plan.q_descales = d.batch * d.q_heads;
  plan.kv_descales = d.batch * d.kv_heads;
  plan.rows = d.batch * d.q_heads * d.seq_q;
  plan.o_elements = plan.rows * d.head_dim_v;
  plan.workspace_elements = p.workspace_floats();
  constexpr int kCombineThreads = AttentionCombineProgram<64>::THREADS;
  plan.combine_blocks = p.splits > 1 ? (plan.rows + kCombineThreads - 1) / kCombineThreads : 0;
  return plan;
}

void unpack_attention_output(const AttentionPlan& plan, const std::uint32_t* o, const float* lse,
                             const std::uint32_t* block_stats, AttentionOutput& out) {
  const AttentionKernelParams& p = plan.params;
  out.type = p.o_type;
  out.batch = p.batch;
  out.heads = p.q_heads;
  out.rows = p.seq_q;
  out.cols = plan.kernel.head_dim;
  out.bits.assign(o, o + plan.o_elements);
  out.lse.assign(lse, lse + plan.rows);
  out.p_max = 0.0f;
  out.p_saturated = 0;
  for (std::int64_t b = 0; b < plan.stats_words(); b += kAttentionStatsWords) {
    out.p_max = std::max(out.p_max, attention::float_from_bits(block_stats[b]));
    out.p_saturated += static_cast<std::int64_t>(block_stats[b + 1] | std::uint64_t{block_stats[b + 2]} << 32);
  }
  out.has_internals = true;
}

}  // namespace fp8check::cuda_index
