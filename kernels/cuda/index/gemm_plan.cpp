#include "kernels/cuda/index/gemm_plan.hpp"

#include <cstring>
#include <limits>

#include "harness/core/error.hpp"
#include "kernels/cuda/index/gemm_block_map.hpp"

namespace fp8check::cuda_index {
namespace {

int output_bytes(OutputType t) {
  switch (t) {
    case OutputType::fp32: return 4;
    case OutputType::bf16:
    case OutputType::fp16: return 2;
    case OutputType::e4m3fn: return 1;
  }
  return 4;
}

bool native_format(Format f) { return f == Format::e4m3fn || f == Format::e5m2; }

// Every float format fits bf16 exactly (at most 5 exponent and 3 mantissa bits): the
// software path widens any of them; e8m0 is a scale format.
bool widenable_format(Format f) { return f != Format::e8m0fnu && f != Format::bf16 && f != Format::fp16; }

std::string operand_reason(const GemmOperand& op, const char* role, GemmPath path) {
  const std::string who = std::string("operand ") + role + ": ";
  if (op.storage != ElementStorage::codes)
    return who + "fp8check's own CUDA GEMM takes low-precision codes (one per byte), not " +
           (op.is_integer() ? "integers" : "float values");
  if (path == GemmPath::native && !native_format(op.code_format))
    return who + std::string(format_spec(op.code_format).name) +
           " has no FP8 tensor-core instruction (mma.sync takes e4m3fn and e5m2; the software path of sm_80/sm_86 "
           "kernels widens every other format to bf16)";
  if (path == GemmPath::software && !widenable_format(op.code_format))
    return who + std::string(format_spec(op.code_format).name) + " is not an element format the software path widens";
  if (!op.k_major) return who + "the own GEMM needs K-major operands (layout TN)";
  if (op.ld % 16 != 0 || op.batch_stride % 16 != 0)
    return who + "rows of 8-bit codes must start 16-byte aligned for cp.async (leading dimension " + std::to_string(op.ld) +
           ", batch stride " + std::to_string(op.batch_stride) + ": multiples of 16)";
  return "";
}

// The scale variant the arguments need, or the reason there is none.
std::string scale_variant(const GemmArguments& args, ScaleVariant& variant) {
  const BlockScales& a = args.a.scales;
  const BlockScales& b = args.b.scales;
  const bool a_k = args.a.k_blocked(), b_k = args.b.k_blocked();
  if (!a_k && !b_k) {
    variant = ScaleVariant::outer;
    return "";
  }
  if (a_k && b_k && a.block == ScaleBlock{1, kBlockedScaleK} && b.block == ScaleBlock{kBlockedScaleK, kBlockedScaleK}) {
    variant = ScaleVariant::blocked;
    return "";
  }
  const auto name = [](const BlockScales& s, bool blocked) {
    if (!blocked) return std::string("outer");
    return std::to_string(s.block.mn) + "x" + std::to_string(s.block.k);
  };
  return "scales A " + name(a, a_k) + ", B " + name(b, b_k) +
         ": the own CUDA GEMM has kernels for outer scales (per-tensor, per-row, per-column) and for A 1x128 with "
         "B 128x128 (DeepSeek-V3)";
}

std::string instantiated_list(SmemFamily family, GemmPath path) {
  std::string list;
  for (const OwnGemmKernel& k : own_gemm_kernels())
    if (k.family == family && k.path == path && k.out_bytes == 4 && k.scales == ScaleVariant::outer)
      list += (list.empty() ? "" : ", ") + k.config().id();
  return list;
}

}  // namespace

GemmPath gemm_path_for_sm(int sm) { return sm >= 89 ? GemmPath::native : GemmPath::software; }
SmemFamily smem_family_for_sm(int sm) { return sm >= 90 ? SmemFamily::wgmma : SmemFamily::mma_sync; }

std::string why_no_own_gemm(const GemmArguments& args, SmemFamily family, GemmPath path) {
  if (args.problem.k % 16 != 0)
    return "K = " + std::to_string(args.problem.k) + ": the own GEMM copies 16-byte chunks along K (K a multiple of 16)";
  for (const auto& [op, role] : {std::pair{&args.a, "A"}, std::pair{&args.b, "B"}})
    if (std::string why = operand_reason(*op, role, path); !why.empty()) return why;
  ScaleVariant variant{};
  if (std::string why = scale_variant(args, variant); !why.empty()) return why;
  const GemmConfig& c = args.config;
  if (c.cluster_m != 1 || c.cluster_n != 1)
    return "config " + c.id() + ": the own mma.sync GEMM has no thread-block clusters (TMA multicast)";
  if (c.split_k > 64) return "config " + c.id() + ": at most 64 split-K slices";
  const int bytes = output_bytes(args.problem.output);
  for (const OwnGemmKernel& k : own_gemm_kernels())
    if (k.family == family && k.path == path && k.out_bytes == bytes && k.scales == variant && k.block_m == c.block_m &&
        k.block_n == c.block_n && k.block_k == c.block_k && k.stages == c.stages)
      return "";
  return "config " + c.id() + ": no " + std::string(gemm_path_name(path)) + " kernel of the " +
         std::string(smem_family_name(family)) + " shared-memory model is instantiated for it (instantiated: " +
         instantiated_list(family, path) + "; kernels/cuda/index/gemm_kernel_table.hpp)";
}

std::vector<TileRow> make_tile_rows(const GemmProblem& p, int block_m) {
  std::vector<TileRow> rows;
  for (const GemmRowUnit& u : gemm_row_units(p))
    for (std::int64_t r = 0; r < u.rows; r += block_m) rows.push_back({u.a_batch, u.b_batch, u.row_begin, u.rows, r});
  return rows;
}

GemmPlan plan_own_gemm(const GemmArguments& args, SmemFamily family, GemmPath path) {
  args.validate();
  if (std::string why = why_no_own_gemm(args, family, path); !why.empty()) throw InputError(why);
  const GemmProblem& pr = args.problem;
  const GemmConfig& c = args.config;
  GemmPlan plan;
  ScaleVariant variant{};
  scale_variant(args, variant);
  const int bytes = output_bytes(pr.output);
  for (const OwnGemmKernel& k : own_gemm_kernels())
    if (k.family == family && k.path == path && k.out_bytes == bytes && k.scales == variant && k.block_m == c.block_m &&
        k.block_n == c.block_n && k.block_k == c.block_k && k.stages == c.stages)
      plan.kernel = k;

  GemmKernelParams& p = plan.params;
  const auto view = [](const GemmOperand& op) {
    OperandView v;
    v.codes = op.codes;
    v.format = op.code_format;
    v.ld = op.ld;
    v.batch_stride = op.batch_stride;
    v.scales.data = op.scales.data;
    v.scales.block_mn = op.scales.block.mn;
    v.scales.block_k = op.scales.block.k;
    v.scales.stride_mn = op.scales.stride_mn;
    v.scales.stride_k = op.scales.stride_k;
    v.scales.batch_stride = op.scales.batch_stride;
    return v;
  };
  p.a = view(args.a);
  p.b = view(args.b);
  p.n = pr.n;
  p.k = pr.k;
  p.rows_per_batch = pr.stored_rows();
  p.tensor_ab = args.a.tensor_scale * args.b.tensor_scale;
  p.epilogue.scalars = detail::epilogue_scalars(pr);
  p.epilogue.c = pr.c;
  p.epilogue.ldc = pr.ldc;
  p.epilogue.c_batch_stride = pr.c_batch_stride;
  p.epilogue.bias = pr.bias;
  plan.tile_rows = make_tile_rows(pr, c.block_m);
  p.tile_rows = plan.tile_rows.data();
  p.tile_row_count = static_cast<std::int64_t>(plan.tile_rows.size());
  p.n_tiles = (pr.n + c.block_n - 1) / c.block_n;
  p.split_k = c.split_k;
  p.slice_length = slice_length(pr.k, c.split_k, c.block_k);
  p.reduction = c.reduction;
  plan.grid_x = p.tile_row_count;
  plan.grid_y = p.n_tiles;
  plan.grid_z = c.split_k;
  plan.d_elements = pr.output_batches() * pr.stored_rows() * pr.n;
  p.workspace_slice = plan.d_elements;
  plan.workspace_elements = c.split_k > 1 ? c.split_k * plan.d_elements : 0;
  return plan;
}

namespace {

std::int64_t code_extent(const GemmOperand& op) {
  const std::int64_t lines = op.k_major ? op.mn : op.k, length = op.k_major ? op.k : op.mn;
  return (op.batches - 1) * op.batch_stride + (lines - 1) * op.ld + length;
}

std::int64_t scale_extent(const GemmOperand& op) {
  const BlockScales& s = op.scales;
  if (s.data == nullptr) return 0;
  const std::int64_t grid_mn = s.block.mn > 0 ? (op.mn + s.block.mn - 1) / s.block.mn : 1;
  const std::int64_t grid_k = s.block.k > 0 ? (op.k + s.block.k - 1) / s.block.k : 1;
  return (op.batches - 1) * s.batch_stride + (grid_mn - 1) * s.stride_mn + (grid_k - 1) * s.stride_k + 1;
}

}  // namespace

GemmExtents gemm_extents(const GemmArguments& args) {
  const GemmProblem& p = args.problem;
  GemmExtents e;
  e.a_codes = code_extent(args.a);
  e.b_codes = code_extent(args.b);
  e.a_scales = scale_extent(args.a);
  e.b_scales = scale_extent(args.b);
  if (p.beta != 0.0f && p.c != nullptr)
    e.c = (p.output_batches() - 1) * p.c_batch_stride + (p.stored_rows() - 1) * p.ldc + p.n;
  if (p.bias != nullptr) e.bias = p.n;
  return e;
}

void unpack_output(const GemmPlan& plan, const void* d_codes, const AmaxSlot& amax, GemmOutput& out) {
  const auto* bytes = static_cast<const std::uint8_t*>(d_codes);
  const int width = plan.kernel.out_bytes;
  const GemmKernelParams& p = plan.params;
  for (const TileRow& t : plan.tile_rows)  // only rows the kernel writes: the others keep their contents
    for (std::int64_t r = 0; r < plan.kernel.block_m && row_written(t, r); ++r)
      for (std::int64_t col = 0; col < p.n; ++col) {
        const std::int64_t e = d_index(p, t, r, col);
        std::uint32_t v = 0;
        std::memcpy(&v, bytes + e * width, static_cast<std::size_t>(width));  // little-endian, as the device
        out.bits[static_cast<std::size_t>(e)] = v;
      }
  double max;
  std::memcpy(&max, &amax.max_bits, sizeof max);
  out.amax = amax.nan ? std::numeric_limits<double>::quiet_NaN() : max;
}

}  // namespace fp8check::cuda_index
