#include "harness/configs/attention_selector.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check {
namespace {

constexpr int kMaxHeadDim = 256;         // FlashAttention-2/3 instantiate head dims up to 256
constexpr int kWarpgroupRegLimit = 240;  // consumer warpgroups after setmaxnreg (FlashAttention-3)
constexpr int kFp8MmaK = 32;             // k extent of an FP8 MMA (wgmma / mma.sync e4m3, e5m2)

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

bool is_fp8(ElementType t) { return t.format == Format::e4m3fn || t.format == Format::e5m2; }
int bytes_of(Format f) { return f == Format::bf16 ? 2 : 1; }

// A GEMM's operands share one MMA type: the narrower operand is widened in shared memory
// (bf16 Q with FP8 K: K as bf16; bf16 P with FP8 V: V as bf16).
int qk_bytes(const AttentionDesc& p) { return std::max(bytes_of(p.q_type.format), bytes_of(p.k_type.format)); }
int pv_bytes(const AttentionDesc& p) { return std::max(bytes_of(p.p.format), bytes_of(p.v_type.format)); }
bool fp8_pv(const AttentionDesc& p) { return pv_bytes(p) == 1; }

std::vector<AttentionConfig> config_space() {
  std::vector<AttentionConfig> out;
  for (int bq : {64, 128})
    for (int bkv : {32, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256})
      for (int stages : {1, 2, 3})
        for (int splits : {1, 2, 4, 8, 16, 32}) {
          AttentionConfig c;
          c.block_q = bq;
          c.block_kv = bkv;
          c.stages = stages;
          c.splits = splits;
          out.push_back(c);
        }
  return out;
}

int shared_memory_bytes(const AttentionDesc& p, const DeviceProfile& d, const AttentionConfig& c) {
  const std::int64_t q_tile = std::int64_t{c.block_q} * p.head_dim_qk * qk_bytes(p);
  std::int64_t stage = std::int64_t{c.block_kv} * (p.head_dim_qk * qk_bytes(p) + p.head_dim_v * pv_bytes(p));
  if (fp8_pv(p)) stage += std::int64_t{c.block_kv} * p.head_dim_v;  // V transposed for the FP8 P·V (FlashAttention-3)
  const std::int64_t pipeline = q_tile + c.stages * (stage + 16) + 64;  // + barriers
  const std::int64_t epilogue = std::int64_t{c.block_q} * p.head_dim_v * output_type_bytes(p.o_type);
  if (d.warpgroup_mma) return static_cast<int>(ceil_div(pipeline + epilogue, 1024) * 1024);
  return static_cast<int>(std::max(pipeline, epilogue));  // mma.sync kernels reuse the Q/K/V buffers for O
}

// Per thread, 64 query rows per warpgroup (or 16 per warp): S is block_kv/2 floats, O
// head_dim_v/2 floats, P block_kv/2 values packed 4 (FP8) or 2 (bf16) per register.
int registers_per_thread(const AttentionDesc& p, const AttentionConfig& c) {
  const int p_regs = c.block_kv / 2 / (fp8_pv(p) ? 4 : 2);
  return c.block_kv / 2 + static_cast<int>(p.head_dim_v) / 2 + p_regs + 32;
}

// Keys visible to the last row of query tile t: the blocks that tile iterates over.
std::int64_t tile_blocks(const AttentionDesc& p, const AttentionConfig& c, std::int64_t t) {
  const std::int64_t last_row = std::min(p.seq_q, (t + 1) * c.block_q) - 1;
  return ceil_div(std::max<std::int64_t>(p.visible_keys(last_row), 1), c.block_kv);
}

}  // namespace

std::string why_attention_unsupported(const AttentionDesc& p, const DeviceProfile& d) {
  p.validate();
  if (d.unconstrained) return "";  // the emulated backend's own profile: any type, dim and alignment
  const std::string device = d.name + " (" + d.examples + ")";
  const bool any_fp8 = is_fp8(p.q_type) || is_fp8(p.k_type) || is_fp8(p.v_type) || p.p.format != Format::bf16;
  if (any_fp8 && !d.native_fp8)
    return "FP8 attention needs native FP8 MMA for Q K^T and P V (sm_89+); " + device +
           " has none (its software e5m2/e4m3b15 conversions serve GEMMs, not fused attention)";
  for (const auto& [dim, name] : {std::pair{p.head_dim_qk, "head_dim_qk"}, {p.head_dim_v, "head_dim_v"}})
    if (dim > kMaxHeadDim)
      return std::string(name) + " = " + std::to_string(dim) + " > " + std::to_string(kMaxHeadDim) +
             ": FlashAttention kernels are instantiated for head dims up to 256 (MLA's 192/128 included)";
  for (const auto& [type, dim, name] : {std::tuple{p.q_type, p.head_dim_qk, "Q"}, {p.k_type, p.head_dim_qk, "K"},
                                        {p.v_type, p.head_dim_v, "V"}}) {
    const std::int64_t per = d.global_alignment_bytes / bytes_of(type.format);
    if (dim % per != 0)
      return "head dim " + std::to_string(dim) + ": " + type.name() + " rows of " + name + " must be " +
             std::to_string(d.global_alignment_bytes) + "-byte aligned for TMA/cp.async (a multiple of " +
             std::to_string(per) + " elements): pad the head dim to " + std::to_string(ceil_div(dim, per) * per);
  }
  return "";
}

AttentionConfigVerdict evaluate_attention_config(const AttentionDesc& p, const DeviceProfile& d,
                                                 const AttentionConfig& c) {
  AttentionConfigVerdict v;
  auto reject = [&](std::string reason) {
    v.reason = std::move(reason);
    return v;
  };
  c.validate();
  if (fp8_pv(p) && c.block_kv % kFp8MmaK != 0)
    return reject("block_kv: " + std::to_string(c.block_kv) + " is not a multiple of " + std::to_string(kFp8MmaK) +
                  ", the k extent of an FP8 MMA over P V (fine for bf16 P)");
  const std::int64_t blocks = ceil_div(p.seq_kv, c.block_kv);
  if (c.splits > blocks)
    return reject("splits: " + std::to_string(c.splits) + " > " + std::to_string(blocks) + " kv block(s) of " +
                  std::to_string(c.block_kv) + ": a split would be empty (seq_kv = " + std::to_string(p.seq_kv) + ")");
  const std::int64_t per_split = ceil_div(blocks, c.splits);
  if (c.stages > std::max<std::int64_t>(1, per_split))
    return reject("stages: " + std::to_string(c.stages) + " > " + std::to_string(per_split) +
                  " kv block(s) per split: a pipeline deeper than the KV loop never fills");
  const int smem = shared_memory_bytes(p, d, c);
  if (smem > d.smem_per_block_optin)
    return reject("shared memory: " + std::to_string(smem) + " B > " + std::to_string(d.smem_per_block_optin) +
                  " B per-block opt-in limit of " + d.name);
  const int reg_limit = d.warpgroup_mma ? std::min(d.max_regs_per_thread, kWarpgroupRegLimit) : d.max_regs_per_thread;
  const int regs = registers_per_thread(p, c);
  if (regs > reg_limit && !d.unconstrained)
    return reject("registers: ~" + std::to_string(regs) + "/thread for the S, P and O fragments > " +
                  std::to_string(reg_limit) + (d.warpgroup_mma ? " (consumer warpgroups after setmaxnreg)" : ""));

  AttentionCandidate& cand = v.candidate;
  cand.config = c;
  cand.smem_bytes = smem;
  cand.regs_per_thread = regs;
  const std::int64_t q_tiles = ceil_div(p.seq_q, c.block_q);
  cand.ctas = p.batch * p.q_heads * q_tiles * c.splits;
  const int per_sm = d.warpgroup_mma ? 1 : std::clamp(d.smem_per_sm / std::max(smem, 1), 1, 2);
  const std::int64_t slots = std::int64_t{d.num_sms} * per_sm;
  cand.waves = static_cast<int>(ceil_div(cand.ctas, slots));
  cand.padding = 1.0 - static_cast<double>(p.seq_q) / static_cast<double>(q_tiles * c.block_q);
  // Relative time (a ranking model): a CTA pays its blocks' MMA work, their K/V traffic
  // (one byte ~ 32 MACs) and a fixed cost per block; the makespan is at least the busiest
  // CTA and at least the total over the concurrent slots. Shallow pipelines hide less
  // latency; splits pay a combine pass over their partial outputs.
  const double per_block = static_cast<double>(c.block_q) * c.block_kv * static_cast<double>(p.head_dim_qk + p.head_dim_v) +
                           32.0 * c.block_kv * static_cast<double>(p.head_dim_qk * qk_bytes(p) + p.head_dim_v * pv_bytes(p)) +
                           8192.0;
  double total = 0, busiest = 0;
  for (std::int64_t t = 0; t < q_tiles; ++t) {
    const double cta = static_cast<double>(ceil_div(tile_blocks(p, c, t), c.splits)) * per_block + 65536.0;
    total += cta * static_cast<double>(p.batch * p.q_heads * c.splits);
    busiest = std::max(busiest, cta);
  }
  const double latency_penalty = c.stages >= 2 ? 1.0 : 1.5;
  cand.cost = std::max(busiest, total / static_cast<double>(slots)) * latency_penalty;
  if (c.splits > 1)
    cand.cost += 65536.0 + static_cast<double>(p.batch * p.q_heads * p.seq_q * p.head_dim_v) * c.splits * 8.0;
  char why[256];
  std::snprintf(why, sizeof why,
                "smem %d/%d B, ~%d regs/thread, %d stage(s) <= %lld kv block(s) per split, %lld CTAs in %d wave(s) "
                "on %d SMs, %.1f%% query padding",
                smem, d.smem_per_block_optin, regs, c.stages, static_cast<long long>(per_split),
                static_cast<long long>(cand.ctas), cand.waves, d.num_sms, 100.0 * cand.padding);
  cand.why = why;
  v.fits = true;
  return v;
}

AttentionSelection select_attention_configs(const AttentionDesc& p, const DeviceProfile& d) {
  if (std::string why = why_attention_unsupported(p, d); !why.empty())
    throw InputError("attention " + p.shape_id() + " is not supported on " + d.name + ": " + why);
  AttentionSelection sel;
  sel.mma_path = d.warpgroup_mma ? "wgmma-tma" : "mma-sync";
  for (const AttentionConfig& c : config_space()) {
    AttentionConfigVerdict v = evaluate_attention_config(p, d, c);
    if (v.fits) sel.candidates.push_back(std::move(v.candidate));
    else sel.rejected.push_back({c, std::move(v.reason)});
  }
  std::stable_sort(sel.candidates.begin(), sel.candidates.end(),
                   [](const AttentionCandidate& a, const AttentionCandidate& b) {
                     if (a.cost != b.cost) return a.cost < b.cost;
                     if (a.padding != b.padding) return a.padding < b.padding;
                     if (a.config.splits != b.config.splits) return a.config.splits < b.config.splits;
                     return a.config.id() < b.config.id();
                   });
  if (sel.candidates.empty())
    throw InternalError("no attention config fits the supported problem " + p.shape_id() + " on " + d.name +
                        " (first rejection: " + (sel.rejected.empty() ? "none" : sel.rejected.front().reason) + ")");
  return sel;
}

}  // namespace fp8check
