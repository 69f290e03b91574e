#include "kernels/cuda/cublaslt/cublaslt_plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "harness/configs/kernel_family.hpp"
#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"

namespace fp8check::cublaslt {
namespace {

using Mode = cublasLtMatmulMatrixScale_t;
constexpr Mode kScalar = CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F;
constexpr Mode kOuterVec = CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F;
constexpr Mode kVec128 = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
constexpr Mode kBlk128 = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F;
constexpr Mode kVec32 = CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0;
constexpr Mode kVec16 = CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
std::int64_t round_up(std::int64_t a, std::int64_t b) { return ceil_div(a, b) * b; }

int bits_of(cudaDataType t) {
  switch (t) {
    case CUDA_R_32F: return 32;
    case CUDA_R_16BF:
    case CUDA_R_16F: return 16;
    case CUDA_R_4F_E2M1: return 4;
    default: return 8;
  }
}

// The modes one operand's scales can be written in (cublasLtMatmulMatrixScale_t), from its
// block shape over (MN, K) where 0 means the whole extent.
std::vector<Mode> expressible_modes(const GemmOperand& op, std::int64_t k) {
  if (op.scales.data == nullptr) return {kScalar};
  const std::int64_t rows = op.mn;
  const std::int64_t bmn = op.scales.block.mn == 0 ? rows : op.scales.block.mn;
  const std::int64_t bk = op.scales.block.k == 0 ? k : op.scales.block.k;
  const bool whole_rows = bmn >= rows;
  if (bk >= k) {  // one scale along K
    if (whole_rows) return {kScalar, kOuterVec};  // per tensor; an outer vector of equal values
    if (bmn == 1) return k <= 128 ? std::vector<Mode>{kOuterVec, kVec128} : std::vector<Mode>{kOuterVec};
    if (bmn == 128 && k <= 128) return {kBlk128};
    return {};
  }
  if (bk == 128 && bmn == 1) return {kVec128};
  if (bk == 128 && (bmn == 128 || (whole_rows && rows <= 128))) return {kBlk128};
  if (bk == 32 && bmn == 1) return {kVec32};
  if (bk == 16 && bmn == 1) return {kVec16};
  return {};
}

std::string block_text(const GemmOperand& op) {
  if (op.scales.data == nullptr) return "no scales";
  auto extent = [](int e) { return e == 0 ? std::string("all") : std::to_string(e); };
  return extent(op.scales.block.mn) + "x" + extent(op.scales.block.k) + " scale blocks";
}

bool exact_in(Format f, double v) { return !std::isnan(v) && decode(f, encode(f, v)) == v; }

// The first value of n floats (stride `stride`) not exact in `f`, if any.
std::optional<double> first_inexact(const float* values, std::int64_t n, std::int64_t stride, Format f) {
  for (std::int64_t i = 0; i < n; ++i)
    if (!exact_in(f, values[i * stride])) return values[i * stride];
  return std::nullopt;
}

// C and bias are read in these types (cuBLAS documentation, cublasLtMatmul(), the FP8 type
// table: D bf16 -> C bf16; D fp16 -> C fp16; D fp32 -> C fp32 with a bf16 bias; D e4m3 -> C
// bf16 or fp16: bf16 is taken).
cudaDataType c_type_of(OutputType d) { return d == OutputType::e4m3fn ? CUDA_R_16BF : cuda_type_of(d); }
cudaDataType bias_type_of(OutputType d) { return d == OutputType::fp16 ? CUDA_R_16F : CUDA_R_16BF; }
Format format_of(cudaDataType t) {
  return t == CUDA_R_16F ? Format::fp16 : t == CUDA_R_16BF ? Format::bf16 : Format::e4m3fn;
}

std::string operand_rules(const GemmArguments& args, const DeviceProfile& device) {
  const GemmDesc& d = args.desc;
  for (const auto& [t, op, role] : {std::tuple{d.a_type, &args.a, "A"}, std::tuple{d.b_type, &args.b, "B"}}) {
    if (t.is_integer())
      return t.name() + " operands: cuBLASLt's integer matmul (CUBLAS_COMPUTE_32I) writes int8 or int32 D (cuBLAS "
                        "documentation, cublasLtMatmul() type table); fp8check's GEMM outputs are fp32, bf16, fp16, e4m3fn";
    if (!cuda_type_of(t))
      return t.name() + " operands: no cuBLASLt matmul takes them (cuBLAS documentation, cublasLtMatmul() type table)";
    if (std::string why = why_family_unsupported(KernelFamily::cublaslt, device, t); !why.empty()) return why;
    if (op->storage != ElementStorage::codes)
      return std::string("operand ") + role + " is given as float values, not codes: cuBLASLt reads encoded elements";
  }
  const bool a_fp4 = d.a_type.bits() == 4, b_fp4 = d.b_type.bits() == 4;
  if (a_fp4 != b_fp4)
    return "A " + d.a_type.name() + " with B " + d.b_type.name() +
           ": cuBLASLt's block-scaled matmul takes two FP4 or two FP8 operands (cuBLAS documentation, "
           "cublasLtMatmul() block-scaled type table)";
  if (d.a_type.format == Format::e5m2 && d.b_type.format == Format::e5m2)
    return "e5m2 x e5m2: cuBLASLt has no FP8 matmul with both operands e5m2 (cuBLAS documentation, cublasLtMatmul() "
           "FP8 type table); use e4m3fn for one of them";
  return "";
}

std::string scale_rules(const GemmArguments& args, const ScaleModes& modes, ComputeCapability cc) {
  const GemmDesc& d = args.desc;
  const Mode m = modes.a;  // both operands share the family of mode (the allowed pairs)
  const bool fp4 = d.a_type.bits() == 4;
  if ((m == kVec32 || m == kVec16) && cc < ComputeCapability{10, 0})
    return scale_mode_name(m) + " (block scales of " + (m == kVec32 ? "32" : "16") + " with " +
           (m == kVec32 ? "e8m0" : "e4m3") + " codes) needs Blackwell, sm_100+ (cuBLAS documentation, "
           "cublasLtMatmulMatrixScale_t); device is " + capability_name(cc);
  if ((m == kVec128 || m == kBlk128) && cc.major != 9)
    return "VEC128_32F / BLK128x128_32F (1x128 and 128x128 blocks) run on sm_90 only (cuBLAS documentation, "
           "cublasLtMatmulMatrixScale_t; Blackwell runs MX blocks instead); device is " + capability_name(cc);
  if (m == kOuterVec && cc < ComputeCapability{9, 0})
    return "OUTER_VEC_32F (per-row and per-column scales) is documented for Hopper and later (cuBLAS documentation, "
           "cublasLtMatmulMatrixScale_t); device is " + capability_name(cc);
  if (fp4 && m != kVec16 && m != kVec32)
    return "e2m1 operands need block scales of 16 (VEC16_UE4M3, NVFP4) or 32 (VEC32_UE8M0, MXFP4); the case has " +
           block_text(args.a) + " and " + block_text(args.b);
  if (m == kVec16 && !fp4) return "VEC16_UE4M3 block scales go with e2m1 operands (NVFP4), not " + d.a_type.name();
  if ((m == kVec16 || m == kVec32) && d.k % (m == kVec16 ? 16 : 32) != 0)
    return "K = " + std::to_string(d.k) + ": " + scale_mode_name(m) + " scales cover whole blocks of " +
           (m == kVec16 ? "16" : "32") + " along K (cuBLAS documentation, 1D Block Scaling Factors Layout)";
  if ((m == kVec16 || m == kVec32) && d.d_type == OutputType::e4m3fn)
    return "e4m3fn output of a " + scale_mode_name(m) +
           " matmul needs D_OUT_SCALE block scales of D (cuBLASLt); fp8check's e4m3fn output has one scale";
  // Block scale values must be codes of the scale type: e8m0 powers of two, positive e4m3.
  if (m == kVec16 || m == kVec32) {
    const Format f = m == kVec32 ? Format::e8m0fnu : Format::e4m3fn;
    for (const auto& [op, role] : {std::pair{&args.a, "A"}, std::pair{&args.b, "B"}}) {
      const std::int64_t blocks = ceil_div(d.k, m == kVec16 ? 16 : 32);
      for (std::int64_t i = 0; i < op->mn; ++i)
        for (std::int64_t j = 0; j < blocks; ++j) {
          const double v = op->scale_of_group(0, i, j);
          if (!exact_in(f, v) || !(v > 0))
            return std::string("a block scale of ") + role + " (" + std::to_string(v) + ") is not a positive " +
                   format_spec(f).name + " value, the type of " + scale_mode_name(m) + " scales";
        }
    }
  }
  return "";
}

std::string kind_rule(const GemmDesc& d) {
  if (d.kind == GemmKind::grouped_contiguous || d.kind == GemmKind::grouped_masked)
    return "grouped GEMMs (contiguous or masked groups): cuBLASLt 13's matmul is dense or strided-batched "
           "(cublasLt.h has no grouped matmul); a grouped kernel (DeepGEMM's) runs them";
  return "";
}

std::string shape_rules(const GemmArguments& args, const ScaleModes& modes) {
  const GemmDesc& d = args.desc;
  const GemmProblem& p = args.problem;
  if (!d.a_k_major || !d.b_k_major)
    return "layout " + d.layout() + ": cuBLASLt's FP8 and block-scaled matmuls need A transposed and B not, "
           "both operands K-major (\"TN\"; cuBLAS documentation, cublasLtMatmul() FP8 requirements)";
  const std::int64_t max32 = std::numeric_limits<std::int32_t>::max();
  if (d.m > max32 || d.n > max32 || d.k > max32 || d.groups > max32)
    return "m, n, k or the batch count exceeds int32: cuBLASLt supports \"usually only values that can be expressed "
           "as int32_t\" (cublasLt.h, CUBLASLT_MATRIX_LAYOUT_ROWS)";
  // 16-byte alignment of every leading dimension and batch stride (pointers are cudaMalloc's,
  // 256-byte aligned): cuBLAS documentation, cublasLtMatmul() FP8 requirements ("pointers and
  // matrix dimension must support 16-byte alignment").
  const auto bytes = [](std::int64_t elements, int bits) { return elements * bits / 8; };
  const int ab_bits = d.a_type.bits();
  const std::int64_t per16 = 128 / ab_bits;  // elements in 16 bytes
  if (d.k % per16 != 0)
    return "K = " + std::to_string(d.k) + ": " + d.a_type.name() + " rows of " + std::to_string(d.k) +
           " elements are not 16-byte aligned (cuBLASLt FP8 requirements: K a multiple of " + std::to_string(per16) +
           "): pad K with zeros to " + std::to_string(round_up(d.k, per16));
  for (const auto& [op, role] : {std::pair{&args.a, "A"}, std::pair{&args.b, "B"}}) {
    if (bytes(op->ld, ab_bits) % 16 != 0)
      return std::string("leading dimension of ") + role + " = " + std::to_string(op->ld) +
             " elements is not a multiple of 16 bytes (cuBLASLt FP8 requirements)";
    if (op->batches > 1 && bytes(op->batch_stride, ab_bits) % 16 != 0)
      return std::string("batch stride of ") + role + " is not a multiple of 16 bytes (cuBLASLt FP8 requirements)";
  }
  const int d_bits = output_type_bytes(d.d_type) * 8;
  const std::int64_t ldd = d.ldd ? d.ldd : d.n;
  if (bytes(ldd, d_bits) % 16 != 0)
    return "N = " + std::to_string(ldd) + ": " + std::string(output_type_name(d.d_type)) +
           " rows of D are not 16-byte aligned (cuBLASLt FP8 requirements: N a multiple of " +
           std::to_string(128 / d_bits) + ")";
  const int c_bits = bits_of(c_type_of(d.d_type));
  if (p.beta != 0 && bytes(p.ldc, c_bits) % 16 != 0)
    return "ldc = " + std::to_string(p.ldc) + ": rows of C are not 16-byte aligned (cuBLASLt FP8 requirements)";
  if (d.kind == GemmKind::batched && d.groups > 1) {
    const bool scalar = modes.a == kScalar && modes.b == kScalar;
    if (!scalar)
      return scale_mode_name(modes.a) + "/" + scale_mode_name(modes.b) +
             " scales of a batched GEMM: fp8check passes one scale tensor per operand and the cuBLAS documentation "
             "states no batch stride for it; batched cases run with per-tensor scales";
    const GemmOperand& b = args.b;
    if (b.scales.data != nullptr)
      for (std::int64_t g = 1; g < b.batches; ++g)
        if (b.scale(g, 0, 0) != b.scale(0, 0, 0))
          return "batch " + std::to_string(g) + " of B has its own per-tensor scale: cuBLASLt's SCALAR_32F applies "
                 "one scale to every batch";
  }
  return "";
}

std::string epilogue_rules(const GemmArguments& args) {
  const GemmDesc& d = args.desc;
  const GemmProblem& p = args.problem;
  if (p.beta != 0) {
    const cudaDataType c = c_type_of(d.d_type);
    if (c != CUDA_R_32F) {
      const std::int64_t rows = p.stored_rows() * p.output_batches();
      for (std::int64_t r = 0; r < rows; ++r)
        if (auto v = first_inexact(p.c + r * p.ldc, p.n, 1, format_of(c)))
          return "C holds " + std::to_string(*v) + ", not a " + cuda_type_name(c) + " value: cuBLASLt reads C in " +
                 cuda_type_name(c) + " when D is " + std::string(output_type_name(d.d_type)) +
                 " (cuBLAS documentation, cublasLtMatmul() FP8 type table), which would round it";
    }
  }
  if (p.bias != nullptr)
    if (auto v = first_inexact(p.bias, p.n, 1, format_of(bias_type_of(d.d_type))))
      return "bias holds " + std::to_string(*v) + ", not a " + cuda_type_name(bias_type_of(d.d_type)) +
             " value: cuBLASLt's FP8 bias type for " + std::string(output_type_name(d.d_type)) +
             " output (cuBLAS documentation, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE), which would round it";
  return "";
}

MatrixLayout layout(cudaDataType type, std::int64_t rows, std::int64_t cols, std::int64_t ld, std::int64_t batches,
                    std::int64_t batch_stride) {
  MatrixLayout l;
  l.type = type;
  l.element_bits = bits_of(type);
  l.rows = static_cast<std::uint64_t>(rows);
  l.cols = static_cast<std::uint64_t>(cols);
  l.ld = ld;
  l.batch_count = static_cast<std::int32_t>(batches);
  l.batch_stride = batches > 1 ? batch_stride : 0;
  return l;
}

// The scale tensor one operand's mode addresses, with `rows` rows along M or N and K.
ScaleInput scale_input(Mode mode, const GemmOperand& op, std::int64_t rows, std::int64_t k) {
  ScaleInput s;
  s.mode = mode;
  s.bound = op.scales.data != nullptr;
  switch (mode) {
    case kScalar: s.count = 1; break;
    case kOuterVec: s.count = rows; s.bound = true; break;  // a broadcast per-tensor scale is bound too
    // Transformer Engine's "GEMM-ready" layouts of 1x128 and 128x128 scales for cuBLASLt
    // (docs/user-guide/features/low_precision_training/fp8_blockwise_scaling): 1x128
    // as [ceil(K/128), pad4(rows)] (rows fastest), 128x128 as [ceil(rows/128), pad4(ceil(K/128))].
    case kVec128: s.count = ceil_div(k, 128) * round_up(rows, 4); break;
    case kBlk128: s.count = ceil_div(rows, 128) * round_up(ceil_div(k, 128), 4); break;
    case kVec32:
    case kVec16: {
      const std::int64_t inner = ceil_div(k, mode == kVec32 ? 32 : 16);
      s.count = ceil_div(rows, 128) * 128 * round_up(inner, 4);  // whole 128x4 tiles (tiled_scale_layout.hpp)
      s.element = mode == kVec32 ? CUDA_R_8F_UE8M0 : CUDA_R_8F_UE4M3;
      break;
    }
    default: break;
  }
  return s;
}

}  // namespace

std::uint64_t MatrixLayout::bytes() const {
  const std::uint64_t one = static_cast<std::uint64_t>(ld) * cols;
  const std::uint64_t total = batch_count > 1 ? static_cast<std::uint64_t>(batch_stride) * (batch_count - 1) + one : one;
  return (total * static_cast<std::uint64_t>(element_bits) + 7) / 8;
}

std::string scale_mode_name(cublasLtMatmulMatrixScale_t mode) {
  switch (mode) {
    case kScalar: return "SCALAR_32F";
    case kOuterVec: return "OUTER_VEC_32F";
    case kVec128: return "VEC128_32F";
    case kBlk128: return "BLK128x128_32F";
    case kVec32: return "VEC32_UE8M0";
    case kVec16: return "VEC16_UE4M3";
    default: return "scale mode " + std::to_string(static_cast<int>(mode));
  }
}

std::string cuda_type_name(cudaDataType t) {
  switch (t) {
    case CUDA_R_32F: return "CUDA_R_32F";
    case CUDA_R_16BF: return "CUDA_R_16BF";
    case CUDA_R_16F: return "CUDA_R_16F";
    case CUDA_R_8F_E4M3: return "CUDA_R_8F_E4M3";
    case CUDA_R_8F_E5M2: return "CUDA_R_8F_E5M2";
    case CUDA_R_8F_UE8M0: return "CUDA_R_8F_UE8M0";
    case CUDA_R_4F_E2M1: return "CUDA_R_4F_E2M1";
    default: return "cudaDataType " + std::to_string(static_cast<int>(t));
  }
}

std::optional<cudaDataType> cuda_type_of(ElementType t) {
  if (t.is_integer()) return std::nullopt;
  switch (t.format) {
    case Format::e4m3fn: return CUDA_R_8F_E4M3;
    case Format::e5m2: return CUDA_R_8F_E5M2;
    case Format::e2m1fn: return CUDA_R_4F_E2M1;
    case Format::bf16: return CUDA_R_16BF;
    case Format::fp16: return CUDA_R_16F;
    default: return std::nullopt;  // fnuz, e4m3b15: no CUDA type; e2m3/e3m2: no cuBLASLt matmul
  }
}

cudaDataType cuda_type_of(OutputType t) {
  switch (t) {
    case OutputType::fp32: return CUDA_R_32F;
    case OutputType::bf16: return CUDA_R_16BF;
    case OutputType::fp16: return CUDA_R_16F;
    case OutputType::e4m3fn: return CUDA_R_8F_E4M3;
  }
  throw InternalError("cuda_type_of: unknown output type");
}

std::optional<ScaleModes> choose_scale_modes(const GemmArguments& args, std::string* why) {
  const std::vector<Mode> b_modes = expressible_modes(args.b, args.desc.k);  // cuBLASLt's A
  const std::vector<Mode> a_modes = expressible_modes(args.a, args.desc.k);  // cuBLASLt's B
  const ScaleModes allowed[] = {{kScalar, kScalar}, {kOuterVec, kOuterVec}, {kVec128, kVec128}, {kBlk128, kVec128},
                                {kVec128, kBlk128}, {kVec32, kVec32},       {kVec16, kVec16}};
  auto has = [](const std::vector<Mode>& v, Mode m) { return std::find(v.begin(), v.end(), m) != v.end(); };
  for (const ScaleModes& pair : allowed)
    if (has(b_modes, pair.a) && has(a_modes, pair.b)) return pair;
  if (why)
    *why = "A's " + block_text(args.a) + " with B's " + block_text(args.b) +
           ": no pair of cuBLASLt scale modes expresses them (SCALAR_32F per tensor, OUTER_VEC_32F per row and column, "
           "VEC128_32F 1x128 with VEC128_32F or BLK128x128_32F (not both 128x128), VEC32_UE8M0 1x32 MX, VEC16_UE4M3 "
           "1x16 NVFP4; cuBLAS documentation, cublasLtMatmulMatrixScale_t)";
  return std::nullopt;
}

std::string why_cublaslt_cannot(const GemmArguments& args, ComputeCapability cc, const PlanOptions& options) {
  std::string no_profile;
  const DeviceProfile* device = device_profile_for_capability(cc, &no_profile);
  if (!device) return no_profile;
  if (options.algorithm < 0) return "algorithm " + std::to_string(options.algorithm) + ": expected an index >= 0";
  if (std::string why = kind_rule(args.desc); !why.empty()) return why;
  if (std::string why = operand_rules(args, *device); !why.empty()) return why;
  std::string why_modes;
  const std::optional<ScaleModes> modes = choose_scale_modes(args, &why_modes);
  if (!modes) return why_modes;
  if (std::string why = shape_rules(args, *modes); !why.empty()) return why;
  if (std::string why = scale_rules(args, *modes, cc); !why.empty()) return why;
  return epilogue_rules(args);
}

Plan make_plan(const GemmArguments& args, const PlanOptions& options) {
  std::string why;
  const std::optional<ScaleModes> modes = choose_scale_modes(args, &why);
  if (!modes) throw InputError("cuBLASLt plan: " + why);
  const GemmDesc& d = args.desc;
  const GemmProblem& p = args.problem;
  const std::optional<cudaDataType> a_type = cuda_type_of(d.a_type), b_type = cuda_type_of(d.b_type);
  if (!a_type || !b_type) throw InputError("cuBLASLt plan: " + d.a_type.name() + " x " + d.b_type.name() + " has no CUDA types");
  const std::int64_t batches = d.kind == GemmKind::batched ? d.groups : 1;
  const std::int64_t rows = args.a.mn;  // fp8check's M per batch
  Plan plan;
  plan.m = d.n;
  plan.n = rows;
  plan.k = d.k;
  plan.fast_accum = options.fast_accum ? 1 : 0;
  plan.a_scale = scale_input(modes->a, args.b, d.n, d.k);
  plan.b_scale = scale_input(modes->b, args.a, rows, d.k);
  if (d.d_type == OutputType::e4m3fn) {
    plan.d_scale = {kScalar, true, CUDA_R_32F, 1};
    plan.amax_d = true;  // cuBLASLt computes AMAX_D for FP8 outputs only
  }
  if (p.bias != nullptr) {
    plan.epilogue = CUBLASLT_EPILOGUE_BIAS;
    plan.bias_type = bias_type_of(d.d_type);
  }
  plan.a = layout(*b_type, d.k, d.n, args.b.ld, batches, args.b.batch_stride);
  plan.b = layout(*a_type, d.k, rows, args.a.ld, batches, args.a.batch_stride);
  const std::int64_t ldd = d.ldd ? d.ldd : d.n;
  plan.d = layout(cuda_type_of(d.d_type), d.n, rows, ldd, batches, rows * ldd);
  const std::int64_t ldc = p.beta != 0 ? p.ldc : ldd;
  const std::int64_t c_stride = p.beta != 0 && p.c_batch_stride != 0 ? p.c_batch_stride : rows * ldc;
  plan.c = layout(c_type_of(d.d_type), d.n, rows, ldc, batches, c_stride);
  // alpha carries NVFP4's second-level per-tensor scales (cuBLASLt has no pointer for them).
  plan.alpha = p.alpha * (args.a.tensor_scale * args.b.tensor_scale);
  plan.beta = p.beta;
  plan.workspace_bytes = options.workspace_bytes;
  plan.algorithm = options.algorithm;
  return plan;
}

}  // namespace fp8check::cublaslt
