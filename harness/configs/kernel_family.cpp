#include "harness/configs/kernel_family.hpp"

#include <algorithm>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

ElementType F(Format f) { return ElementType::of(f); }

constexpr std::string_view kPtxMma = "PTX ISA, mma: .e4m3/.e5m2 operands need sm_89";
constexpr std::string_view kPtxMma16 = "PTX ISA, mma: .bf16/.f16/.s8/.s4 operands on sm_80";
constexpr std::string_view kPtxBlockScaled =
    "PTX ISA, tcgen05.mma .kind::mxf8f6f4/.mxf4nvf4 (sm_100a) and mma .kind::mxf8f6f4 with block scales (sm_120a)";
constexpr std::string_view kTriton =
    "Triton third_party/nvidia/backend/compiler.py: fp8e5 and fp8e4b15 always, fp8e4nv when capability >= 89";
constexpr std::string_view kCublasFp8 = "cuBLAS documentation, cublasLtMatmul(): FP8 needs compute capability 8.9+";
constexpr std::string_view kCublasBlockScaled =
    "cuBLAS documentation, cublasLtMatmulMatrixScale_t: VEC32_UE8M0 (MX) and VEC16_UE4M3 (NVFP4) need Blackwell";
constexpr std::string_view kCublas16 = "cuBLAS documentation, cublasLtMatmul(): bf16/fp16/int8 on sm_80";
constexpr std::string_view kOwnSoftware =
    "issue 12 section 2: fp8check's CUDA software path decodes operands with harness/core/convert.hpp, then bf16 "
    "mma.sync (sm_80)";

// The tiled tensor-core kernel the emulated backend and the selector model: native MMA where
// the device has it; without native FP8 (sm_80, sm_86) the FP8 formats Triton converts in
// software there (the KTransformers seed: e4m3fn refused on an A10, e5m2 and e4m3b15 run).
const std::vector<CapabilityRule>& tensor_core_rules() {
  static const std::vector<CapabilityRule> rules{
      {{F(Format::bf16), F(Format::fp16), ElementType::int8(), ElementType::int4()}, {8, 0}, {}, "mma.sync", kPtxMma16},
      {{F(Format::e4m3fn), F(Format::e5m2)}, {8, 9}, {}, "native FP8 MMA", kPtxMma},
      {{F(Format::e5m2), F(Format::e4m3b15)}, {8, 0}, ComputeCapability{8, 9},
       "software conversion to fp16, as Triton does without native FP8", kTriton},
      {{F(Format::e2m1fn), F(Format::e2m3fn), F(Format::e3m2fn)}, {10, 0}, {}, "block-scaled MMA", kPtxBlockScaled},
  };
  return rules;
}

const std::vector<CapabilityRule>& triton_rules() {
  static const std::vector<CapabilityRule> rules{
      {{F(Format::bf16), F(Format::fp16), ElementType::int8()}, {8, 0}, {}, "tl.dot on mma.sync", kPtxMma16},
      {{F(Format::e5m2), F(Format::e4m3b15)}, {8, 0}, {},
       "fp8e5 / fp8e4b15 (converted in software below sm_89)", kTriton},
      {{F(Format::e4m3fn)}, {8, 9}, {}, "fp8e4nv, native FP8", kTriton},
  };
  return rules;
}

const std::vector<CapabilityRule>& cublaslt_rules() {
  static const std::vector<CapabilityRule> rules{
      {{F(Format::bf16), F(Format::fp16), ElementType::int8()}, {8, 0}, {}, "cublasLtMatmul", kCublas16},
      {{F(Format::e4m3fn), F(Format::e5m2)}, {8, 9}, {}, "FP8 cublasLtMatmul", kCublasFp8},
      {{F(Format::e2m1fn)}, {10, 0}, {}, "block-scaled cublasLtMatmul (CUDA_R_4F_E2M1)", kCublasBlockScaled},
  };
  return rules;
}

const std::vector<CapabilityRule>& fp8check_software_rules() {
  static const std::vector<CapabilityRule> rules{
      {{F(Format::e4m3fn), F(Format::e5m2), F(Format::e4m3fnuz), F(Format::e5m2fnuz), F(Format::e4m3b11fnuz),
        F(Format::e4m3b15), F(Format::e2m1fn), F(Format::e2m3fn), F(Format::e3m2fn), F(Format::bf16), F(Format::fp16),
        ElementType::int8(), ElementType::int4()},
       {8, 0}, {}, "decoded in software, bf16 MMA", kOwnSoftware},
  };
  return rules;
}

bool lists(const CapabilityRule& r, ElementType t) { return std::find(r.types.begin(), r.types.end(), t) != r.types.end(); }

bool applies(const CapabilityRule& r, ComputeCapability c) { return r.from <= c && (!r.until || c < *r.until); }

}  // namespace

std::string_view kernel_family_name(KernelFamily f) {
  switch (f) {
    case KernelFamily::tensor_core: return "tensor-core";
    case KernelFamily::triton: return "triton";
    case KernelFamily::cublaslt: return "cublaslt";
    case KernelFamily::fp8check_software: return "fp8check-software";
  }
  return "?";
}

std::string kernel_family_name_list() {
  std::string s;
  for (KernelFamily f : kAllKernelFamilies) s += (s.empty() ? "" : ", ") + std::string(kernel_family_name(f));
  return s;
}

KernelFamily parse_kernel_family(std::string_view name) {
  for (KernelFamily f : kAllKernelFamilies)
    if (kernel_family_name(f) == name) return f;
  throw InputError("unknown kernel family '" + std::string(name) + "': expected " + kernel_family_name_list());
}

KernelFamily kernel_family_of_backend(std::string_view backend) {
  if (backend == "cublaslt") return KernelFamily::cublaslt;
  if (backend == "cuda") return KernelFamily::fp8check_software;
  return KernelFamily::tensor_core;
}

std::span<const CapabilityRule> capability_table(KernelFamily f) {
  switch (f) {
    case KernelFamily::tensor_core: return tensor_core_rules();
    case KernelFamily::triton: return triton_rules();
    case KernelFamily::cublaslt: return cublaslt_rules();
    case KernelFamily::fp8check_software: return fp8check_software_rules();
  }
  throw InternalError("capability_table: unknown kernel family");
}

std::string why_family_unsupported(KernelFamily f, const DeviceProfile& d, ElementType t) {
  if (!t.is_integer() && t.format == Format::e8m0fnu) return "e8m0fnu is a scale format, not an operand type";
  if (d.unconstrained) return "";
  const std::span<const CapabilityRule> rules = capability_table(f);
  const CapabilityRule* later = nullptr;    // a rule for t from a later capability (the earliest such)
  const CapabilityRule* earlier = nullptr;  // a rule for t that ended before this capability
  for (const CapabilityRule& r : rules) {
    if (!lists(r, t)) continue;
    if (applies(r, d.capability)) return "";
    if (d.capability < r.from) {
      if (!later || r.from < later->from) later = &r;
    } else {
      earlier = &r;
    }
  }
  std::string msg = t.name();
  if (later)
    msg += " needs " + std::string(later->how) + " (" + capability_name(later->from) + "+; " + std::string(later->source) + ")";
  else if (earlier)
    msg += " runs only below " + capability_name(*earlier->until) + " (" + std::string(earlier->how) + "; " +
           std::string(earlier->source) + ")";
  else
    msg += " is in no rule of this family's table (harness/configs/kernel_family.cpp)";
  // What the family does run here among the float types of t's width, with that rule's source.
  std::vector<ElementType> seen;
  std::string alternatives;
  const CapabilityRule* alternative_rule = nullptr;
  for (const CapabilityRule& r : rules) {
    if (!applies(r, d.capability)) continue;
    for (ElementType u : r.types) {
      if (u.is_integer() || u == t || u.bits() != t.bits() || std::find(seen.begin(), seen.end(), u) != seen.end()) continue;
      seen.push_back(u);
      alternatives += (alternatives.empty() ? "" : ", ") + u.name();
      if (!alternative_rule) alternative_rule = &r;
    }
  }
  const std::string where =
      "kernel family " + std::string(kernel_family_name(f)) + " on " + d.name + " (" + d.examples + ")";
  const std::string width = std::to_string(t.bits()) + "-bit";
  if (alternative_rule)
    return msg + "; " + where + " runs only " + alternatives + " of the " + width + " float types (" +
           std::string(alternative_rule->how) + "; " + std::string(alternative_rule->source) + ")";
  return msg + "; " + where + " runs no " + width + " float type";
}

}  // namespace fp8check
