#include "harness/configs/gemm_selector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

bool uses_warpgroup_mma(const DeviceProfile& d) { return d.warpgroup_mma; }

std::vector<int> block_k_space(const DeviceProfile& d) {
  return uses_warpgroup_mma(d) ? std::vector<int>{128} : std::vector<int>{32, 64, 128};
}

int scale_group_k(const GemmDesc& p) {
  return p.a_scale.k_blocked() ? p.a_scale.k : p.b_scale.k_blocked() ? p.b_scale.k : 0;
}

// Whether a k-tile of block_k can apply the K-blocked scales: tiles and groups must nest,
// and a tile spanning several groups needs scales applied inside the MMA (block-scaled MMA).
bool block_k_fits_scales(int block_k, int scale_k, const DeviceProfile& d) {
  if (scale_k == 0) return true;
  const bool nest = scale_k % block_k == 0 || block_k % scale_k == 0;
  return nest && (block_k <= scale_k || d.block_scaled_mma);
}

// Bytes of `elements` elements of type t (4-bit types pack two per byte).
std::int64_t operand_bytes(ElementType t, std::int64_t elements) { return ceil_div(elements * t.bits(), 8); }

// The config space of each MMA path (what a JIT or template library would instantiate).
std::vector<GemmConfig> config_space(const GemmDesc& p, const DeviceProfile& d) {
  std::vector<GemmConfig> out;
  const bool wg = uses_warpgroup_mma(d);
  const std::vector<int> bms = wg ? std::vector<int>{64, 128, 256} : std::vector<int>{16, 32, 64, 128, 256};
  const std::vector<int> bns = {16, 32, 64, 96, 128, 160, 192, 224, 256};
  const std::vector<int> bks = block_k_space(d);
  const bool grouped = p.kind != GemmKind::dense;
  for (int bm : bms)
    for (int bn : bns)
      for (int bk : bks)
        for (int stages = 1; stages <= 8; ++stages)
          for (int split : {1, 2, 4})
            for (int cm : wg ? std::vector<int>{1, 2} : std::vector<int>{1}) {
              if (grouped && split != 1) continue;  // not generated: grouped kernels do not split K
              GemmConfig c;
              c.block_m = bm;
              c.block_n = bn;
              c.block_k = bk;
              c.stages = stages;
              c.split_k = split;
              c.cluster_m = cm;
              out.push_back(c);
            }
  return out;
}

int shared_memory_bytes(const GemmDesc& p, const DeviceProfile& d, const GemmConfig& c) {
  const std::int64_t stage = operand_bytes(p.a_type, std::int64_t{c.block_m} * c.block_k) +
                             operand_bytes(p.b_type, std::int64_t{c.block_n} * c.block_k);
  std::int64_t scales = 0;  // per stage: the k-tile's scales of the A rows and B columns
  if (p.a_scale.k_blocked()) scales += 4 * ceil_div(c.block_m, std::max(1, p.a_scale.mn));
  if (p.b_scale.k_blocked()) scales += 4 * ceil_div(c.block_n, std::max(1, p.b_scale.mn));
  const std::int64_t pipeline = c.stages * (stage + scales + 16);  // + full/empty barriers
  const std::int64_t epilogue = std::int64_t{c.block_m} * c.block_n * output_type_bytes(p.d_type);
  if (uses_warpgroup_mma(d)) {
    const std::int64_t total = pipeline + epilogue;  // TMA store staging is separate
    return static_cast<int>(ceil_div(total, 1024) * 1024);  // 1024-byte aligned for 128B swizzle
  }
  return static_cast<int>(std::max(pipeline, epilogue));  // mma.sync reuses the pipeline buffers
}

int registers_per_thread(const GemmDesc& p, const DeviceProfile& d, const GemmConfig& c) {
  const int threads = uses_warpgroup_mma(d) ? 128 * std::max(1, c.block_m / 64)
                                            : (c.block_m * c.block_n >= 128 * 128 ? 256 : 128);
  int accum = c.block_m * c.block_n / threads;
  // K-blocked scales: the tensor-core accumulator plus the promoted FP32 master (DeepGEMM).
  if (p.a_scale.k_blocked() || p.b_scale.k_blocked()) accum *= 2;
  return accum + 32;  // addressing, loop state, scale registers
}

struct Shape {
  std::int64_t tiles_mn = 0;  // output tiles over all groups
  double padding = 0;
};

Shape tile_shape(const GemmDesc& p, const GemmConfig& c) {
  const std::int64_t nt = ceil_div(p.n, c.block_n);
  std::int64_t mt = 0, useful_rows = 0;
  switch (p.kind) {
    case GemmKind::dense: mt = ceil_div(p.m, c.block_m); useful_rows = p.m; break;
    case GemmKind::batched: mt = p.groups * ceil_div(p.m, c.block_m); useful_rows = p.m * p.groups; break;
    case GemmKind::grouped_contiguous:
      for (std::int64_t r : p.group_rows) mt += ceil_div(r, c.block_m);
      useful_rows = p.m;
      break;
    case GemmKind::grouped_masked:  // every group's padded rows are scheduled; masks skip empty tiles
      for (std::int64_t r : p.group_rows) mt += ceil_div(r, c.block_m);
      for (std::int64_t r : p.group_rows) useful_rows += r;
      break;
  }
  Shape s;
  // Overflow-safe: validate() bounds the problem's bytes, but the tile count is checked
  // on its own so that no problem can print a wrapped-around wave count.
  std::int64_t tiles = 0;
  if (__builtin_mul_overflow(mt, nt, &tiles))
    throw InputError("GEMM problem " + p.shape_id() + " has more than 2^63 output tiles of " +
                     std::to_string(c.block_m) + "x" + std::to_string(c.block_n) + ": expected a smaller problem");
  s.tiles_mn = std::max<std::int64_t>(1, tiles);
  const double computed = static_cast<double>(mt) * c.block_m * static_cast<double>(nt) * c.block_n;
  s.padding = computed > 0 ? 1.0 - static_cast<double>(useful_rows) * static_cast<double>(p.n) / computed : 0.0;
  return s;
}

}  // namespace

std::string why_gemm_unsupported(const GemmDesc& p, const DeviceProfile& d, KernelFamily family) {
  p.validate();
  const std::string device = d.name + " (" + d.examples + ")";
  for (const ElementType* t : {&p.a_type, &p.b_type})
    if (std::string why = why_family_unsupported(family, d, *t); !why.empty()) return why;
  const bool low_precision = p.a_type.bits() < 16 || p.b_type.bits() < 16;
  if (low_precision && !d.unconstrained && (!p.a_k_major || !p.b_k_major))
    return "layout " + p.layout() + ": " + p.a_type.name() + "x" + p.b_type.name() +
           " tensor-core GEMMs need both operands K-major (TN, as cuBLASLt requires for FP8): transpose the " +
           std::string(!p.a_k_major ? "A" : "B") + " operand when quantizing";
  for (const auto& [t, ld, name] : {std::tuple{p.a_type, p.lda ? p.lda : p.k, "A"}, std::tuple{p.b_type, p.ldb ? p.ldb : p.k, "B"}}) {
    const std::int64_t row_bytes = operand_bytes(t, ld);
    if (row_bytes % d.global_alignment_bytes != 0) {
      const std::int64_t per = d.global_alignment_bytes * 8 / t.bits();
      return std::string(p.lda || p.ldb ? "leading dimension " : "K = ") + std::to_string(ld) + ": K-major " + t.name() +
             " rows of " + name + " must be " + std::to_string(d.global_alignment_bytes) + "-byte aligned (a multiple of " +
             std::to_string(per) + " elements): pad K with zeros to " + std::to_string(ceil_div(ld, per) * per);
    }
  }
  if (uses_warpgroup_mma(d)) {
    const std::int64_t ldd = p.ldd ? p.ldd : p.n;
    const int ob = output_type_bytes(p.d_type);
    if (ldd * ob % 16 != 0)
      return "N = " + std::to_string(ldd) + ": " + std::string(output_type_name(p.d_type)) + " rows of D must be 16-byte aligned for TMA stores on " +
             device + " (N a multiple of " + std::to_string(16 / ob) + ")";
    if (p.kind == GemmKind::grouped_masked && p.m % 64 != 0)
      return "masked grouped GEMM: the per-group padded M = " + std::to_string(p.m) +
             " must be a multiple of 64 (the smallest block_m) on " + device;
  }
  if (p.a_scale.k_blocked() && p.b_scale.k_blocked() && p.a_scale.k != p.b_scale.k)
    return "A and B scale groups along K differ (" + std::to_string(p.a_scale.k) + " vs " + std::to_string(p.b_scale.k) +
           "): one k-tile cannot apply two scale groupings";
  const int scale_k = scale_group_k(p);
  const std::vector<int> bks = block_k_space(d);
  if (std::none_of(bks.begin(), bks.end(), [&](int bk) { return block_k_fits_scales(bk, scale_k, d); })) {
    std::string tiles;
    for (int bk : bks) tiles += (tiles.empty() ? "" : "/") + std::to_string(bk);
    return "scale groups of " + std::to_string(scale_k) + " along K cannot be applied by " + device +
           " kernels with k-tiles of " + tiles +
           (d.block_scaled_mma ? "" : " (groups smaller than a k-tile need block-scaled MMA, sm_100/sm_120; use 1x128 or 128x128 groups)");
  }
  return "";
}

ConfigVerdict evaluate_gemm_config(const GemmDesc& p, const DeviceProfile& d, const GemmConfig& c) {
  ConfigVerdict v;
  auto reject = [&](std::string reason) {
    v.reason = std::move(reason);
    return v;
  };
  c.validate();
  const bool wg = uses_warpgroup_mma(d);
  const int scale_k = scale_group_k(p);
  if (!block_k_fits_scales(c.block_k, scale_k, d))
    return reject("block_k: " + std::to_string(c.block_k) + " does not fit scale groups of " + std::to_string(scale_k) +
                  " along K (tiles and groups must nest; a tile spanning groups needs block-scaled MMA)");
  const std::int64_t k_tiles = ceil_div(p.k, c.block_k);
  if (c.split_k > k_tiles)
    return reject("split-K: " + std::to_string(c.split_k) + " slices > " + std::to_string(k_tiles) + " k-tile(s): a slice would be empty");
  const std::int64_t tiles_per_slice = ceil_div(k_tiles, c.split_k);
  if (c.stages > std::max<std::int64_t>(1, tiles_per_slice))
    return reject("stages: " + std::to_string(c.stages) + " > " + std::to_string(tiles_per_slice) +
                  " k-tile(s) per slice: a pipeline deeper than the K loop never fills (K = " + std::to_string(p.k) + ")");
  if (!wg && (c.cluster_m != 1 || c.cluster_n != 1)) return reject("cluster: thread-block clusters need sm_90+");
  const Shape shape = tile_shape(p, c);
  if (c.cluster_m == 2 && (ceil_div(p.m, c.block_m) % 2 != 0 || d.num_sms % 2 != 0))
    return reject("cluster: 2x1 (TMA multicast of B) needs an even number of M tiles; there are " +
                  std::to_string(ceil_div(p.m, c.block_m)));
  const int smem = shared_memory_bytes(p, d, c);
  if (smem > d.smem_per_block_optin)
    return reject("shared memory: " + std::to_string(smem) + " B > " + std::to_string(d.smem_per_block_optin) +
                  " B per-block opt-in limit of " + d.name);
  const int regs = registers_per_thread(p, d, c);
  if (regs > d.max_regs_per_thread)
    return reject("registers: ~" + std::to_string(regs) + "/thread for the accumulators > " +
                  std::to_string(d.max_regs_per_thread) + " limit");

  ConfigCandidate& cand = v.candidate;
  cand.config = c;
  cand.smem_bytes = smem;
  cand.regs_per_thread = regs;
  std::int64_t tiles = 0;
  if (__builtin_mul_overflow(shape.tiles_mn, static_cast<std::int64_t>(c.split_k), &tiles) ||
      ceil_div(tiles, d.num_sms) > std::numeric_limits<int>::max())
    throw InputError("GEMM problem " + p.shape_id() + " needs more than 2^31 waves on " + d.name +
                     ": expected a smaller problem");
  cand.waves = static_cast<int>(ceil_div(tiles, d.num_sms));
  cand.padding = shape.padding;
  // Relative time (a ranking model, not a timing claim): waves x time of one tile, where a
  // tile pays its MMA work, its operand traffic (one byte ~ 32 MACs: MMA rate / L2 bandwidth
  // per SM on Hopper-class parts) and a fixed prologue/epilogue; shallow pipelines hide less
  // latency; split-K pays a reduction over M x N x splits; clusters save some B traffic.
  const double latency_penalty = c.stages >= 3 ? 1.0 : c.stages == 2 ? 1.15 : 1.5;
  const double k_len = static_cast<double>(tiles_per_slice * c.block_k);
  const double traffic = (operand_bytes(p.a_type, c.block_m) + operand_bytes(p.b_type, c.block_n)) * k_len *
                         (c.cluster_m == 2 ? 0.75 : 1.0);
  const double tile_time = static_cast<double>(c.block_m) * c.block_n * k_len + 32.0 * traffic + 65536.0;
  cand.cost = cand.waves * tile_time * latency_penalty;
  if (c.split_k > 1) cand.cost += static_cast<double>(p.stored_rows()) * p.n * c.split_k * 8.0;
  char why[256];
  std::snprintf(why, sizeof why, "smem %d/%d B, ~%d regs/thread, %d stage(s) <= %lld k-tile(s) per slice, %d wave(s) of %lld tiles on %d SMs, %.1f%% padding",
                smem, d.smem_per_block_optin, regs, c.stages, static_cast<long long>(tiles_per_slice), cand.waves,
                static_cast<long long>(tiles), d.num_sms, 100.0 * shape.padding);
  cand.why = why;
  v.fits = true;
  return v;
}

GemmSelection select_gemm_configs(const GemmDesc& p, const DeviceProfile& d, KernelFamily family) {
  if (std::string why = why_gemm_unsupported(p, d, family); !why.empty())
    throw InputError("GEMM " + p.shape_id() + " is not supported on " + d.name + ": " + why);
  GemmSelection sel;
  sel.mma_path = uses_warpgroup_mma(d) ? "wgmma-tma" : "mma-sync";
  for (const GemmConfig& c : config_space(p, d)) {
    ConfigVerdict v = evaluate_gemm_config(p, d, c);
    if (v.fits) sel.candidates.push_back(std::move(v.candidate));
    else sel.rejected.push_back({c, std::move(v.reason)});
  }
  std::stable_sort(sel.candidates.begin(), sel.candidates.end(), [](const ConfigCandidate& a, const ConfigCandidate& b) {
    if (a.cost != b.cost) return a.cost < b.cost;
    if (a.padding != b.padding) return a.padding < b.padding;
    if (a.config.stages != b.config.stages) return a.config.stages > b.config.stages;
    return a.config.id() < b.config.id();
  });
  if (sel.candidates.empty())
    throw InternalError("no GEMM config fits the supported problem " + p.shape_id() + " on " + d.name +
                        " (first rejection: " + (sel.rejected.empty() ? "none" : sel.rejected.front().reason) + ")");
  return sel;
}

}  // namespace fp8check
