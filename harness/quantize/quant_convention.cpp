#include "harness/quantize/quant_convention.hpp"

#include <array>
#include <cstdio>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

struct ConventionEntry {
  ConventionId id;
  std::string_view name;
  std::string_view source;
  ConventionArith arith;  // amax_floor holds the default floor
};

// Values an fp32 kernel holds: 1e-4 and 1e-10 are double literals the libraries pass to
// fp32 code, so their floors are fl32(1e-4) and fl32(1e-10) (convention_math rounds).
constexpr ConventionArith kExact{};
constexpr ConventionArith kMulReciprocal{ScaleSource::multiplier, ElementOp::multiply};
constexpr ConventionArith kMulInverseScale{ScaleSource::scale, ElementOp::multiply};
constexpr ConventionArith kDiv{ScaleSource::scale, ElementOp::divide};

// deepseek-ai/DeepGEMM deep_gemm/utils/math.py, per_token_cast_to_fp8 and
// per_block_cast_to_fp8 (per_channel_cast_to_fp8 alike): amax = x.abs().float().amax()
// (torch.amax propagates NaN), .clamp(1e-4) (NaN stays NaN), sf = amax / 448 in fp32,
// codes = (x * (1.0 / sf)).to(float8_e4m3fn): a bf16 x times an fp32 tensor is an fp32
// product; use_ue8m0 rounds sf up to a power of two (ceil_to_ue8m0, Pow2Scale::round_up).
constexpr ConventionArith kDeepGemm{ScaleSource::scale, ElementOp::multiply, true, false, PreCastClamp::none,
                                    false, 1e-4};
// DeepGEMM's first releases, tests/test_core.py per_token_cast_to_fp8 /
// per_block_cast_to_fp8 (copied by many projects): codes = (x * (448.0 / amax)), and the
// stored scale amax / 448 computed apart from that multiplier.
constexpr ConventionArith kDeepGemmLegacy{ScaleSource::independent, ElementOp::multiply, true, false,
                                          PreCastClamp::none, false, 1e-4};
// NVIDIA/TransformerEngine transformer_engine/common/recipe/recipe_common.cuh,
// compute_scale_from_amax (current and block scaling): amax < epsilon -> epsilon (the
// recipe's amax_epsilon, default 0); amax 0, inf or NaN -> scale 1; scale =
// __fdiv_rn(fp8_max, amax), inf -> FLT_MAX; force_pow_2_scales clears the mantissa; the
// GEMM operand scale_inv = reciprocal(scale) rounded to nearest. Delayed scaling
// (recipe/delayed_scaling.cu, amax_and_scale_update) divides fp8_max * 2^-margin by the
// history's amax and keeps the last scale for a zero or non-finite amax (AmaxHistory).
// The cast multiplies in fp32 (x * scale) and converts with cvt.rn.satfinite. The amax is
// modelled as NaN-ignoring (fmaxf), as the other CUDA kernels here; not checked against
// TE's amax kernel.
constexpr ConventionArith kTransformerEngine{ScaleSource::multiplier, ElementOp::multiply, false, true};
// vllm-project/vllm csrc/quantization/w8a8/fp8/per_token_group_quant.cu,
// per_token_group_quant_8bit_kernel: the path vllm/model_executor/layers/quantization/
// utils/fp8_utils.py per_token_group_quant_fp8 takes on CUDA for contiguous input.
// absmax starts at eps (1e-10) and folds with fmaxf (NaN ignored); y_s = absmax / max in
// IEEE fp32; q = fminf(fmaxf(x / y_s, -max), max) (NaN -> -max), then the 8-bit cast.
// With UE8M0 scales y_s is first raised to 1e-10 and rounded up to a power of two on its
// bit pattern (the register kernel; the shared-memory kernel's exp2f(ceilf(log2f(y_s)))
// can round down instead when y_s is within an fp32 rounding of log2 above a power of
// two, which bf16 inputs with fmax = 7 * 2^k never produce).
constexpr ConventionArith kVllm{ScaleSource::scale, ElementOp::divide, false, false, PreCastClamp::fmax_fmin, false,
                                1e-10, 1e-10};
// vLLM's Triton fallback (fp8_utils.py, _per_token_group_quant_fp8): y_s = absmax / fp8_max
// and y / y_s are Triton `/` on fp32, which Triton lowers to div.full.f32
// (triton third_party/nvidia/lib/TritonNVIDIAGPUToLLVM/ElementwiseOpToLLVM.cpp,
// FDivOpConversion -> llvm.nvvm.div.full): an approximate division, at most 2 ulp from
// the exact quotient (PTX ISA, "div"), whose exact bits NVIDIA does not document. The
// model is the PTX ISA's description of the approximate division, a * (1/b), with the
// reciprocal correctly rounded; diagnosis accepts any result within the 2-ulp bound
// (ConventionArith::approximate_division). tl.clamp(v, -max, max) lowers to
// fmin.xorsign.abs on sm_90 (ClampFOpConversion), and f32 -> e4m3 to
// cvt.rn.satfinite.e4m3x2.f32 (FpToFpOpConversion; sm_89 rounds through fp16 toward
// zero first, which this model does not follow).
constexpr ConventionArith kVllmTriton{ScaleSource::approx_scale, ElementOp::multiply, false, false,
                                      PreCastClamp::xorsign_abs, true, 1e-10};

constexpr std::array<ConventionEntry, 9> kConventions{{
    {ConventionId::exact, "exact", "", kExact},
    {ConventionId::mul_reciprocal_fp32, "mul-reciprocal-fp32", "", kMulReciprocal},
    {ConventionId::mul_inverse_scale_fp32, "mul-inverse-scale-fp32", "", kMulInverseScale},
    {ConventionId::div_fp32, "div-fp32", "", kDiv},
    {ConventionId::deepgemm, "deepgemm", "DeepGEMM deep_gemm/utils/math.py: per_token_cast_to_fp8, per_block_cast_to_fp8",
     kDeepGemm},
    {ConventionId::deepgemm_legacy, "deepgemm-legacy",
     "DeepGEMM tests/test_core.py (first releases): per_token_cast_to_fp8, per_block_cast_to_fp8", kDeepGemmLegacy},
    {ConventionId::transformer_engine, "transformer-engine",
     "Transformer Engine common/recipe/recipe_common.cuh: compute_scale_from_amax (delayed: "
     "recipe/delayed_scaling.cu, amax_and_scale_update)",
     kTransformerEngine},
    {ConventionId::vllm, "vllm",
     "vLLM csrc/quantization/w8a8/fp8/per_token_group_quant.cu: per_token_group_quant_8bit_kernel (the CUDA path of "
     "fp8_utils.py per_token_group_quant_fp8)",
     kVllm},
    {ConventionId::vllm_triton, "vllm-triton",
     "vLLM model_executor/layers/quantization/utils/fp8_utils.py: _per_token_group_quant_fp8 (Triton; `/` is "
     "div.full.f32)",
     kVllmTriton},
}};

// Diagnosis order: exact, the libraries, then the generic forms they are made of.
constexpr std::array<ConventionId, 9> kDiagnosisOrder{
    ConventionId::exact,       ConventionId::deepgemm,        ConventionId::transformer_engine,
    ConventionId::vllm,        ConventionId::vllm_triton,     ConventionId::deepgemm_legacy,
    ConventionId::mul_reciprocal_fp32, ConventionId::mul_inverse_scale_fp32, ConventionId::div_fp32};

const ConventionEntry& entry(ConventionId id) {
  for (const ConventionEntry& e : kConventions)
    if (e.id == id) return e;
  throw InternalError("unknown quantization convention id " + std::to_string(static_cast<int>(id)));
}

}  // namespace

std::string_view convention_name(ConventionId id) { return entry(id).name; }
std::string_view convention_source(ConventionId id) { return entry(id).source; }
double default_amax_floor(ConventionId id) { return entry(id).arith.amax_floor; }
double amax_floor_of(const QuantConvention& c) { return c.amax_floor.value_or(default_amax_floor(c.id)); }

std::span<const ConventionId> all_conventions() { return kDiagnosisOrder; }

std::string convention_name_list() {
  std::string s;
  for (const ConventionEntry& e : kConventions) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

QuantConvention parse_quant_convention(std::string_view name) {
  for (const ConventionEntry& e : kConventions)
    if (e.name == name) return {e.id, std::nullopt};
  throw InputError("unknown quantization convention '" + std::string(name) + "': expected one of " +
                   convention_name_list());
}

std::string describe(const QuantConvention& c) {
  const double floor = amax_floor_of(c);
  if (floor == 0 && !c.amax_floor) return std::string(convention_name(c.id));
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.9g", floor);
  return std::string(convention_name(c.id)) + " (amax floor " + buf + ")";
}

ConventionArith convention_arith(const QuantConvention& c) {
  ConventionArith a = entry(c.id).arith;
  a.amax_floor = amax_floor_of(c);
  return a;
}

}  // namespace fp8check
