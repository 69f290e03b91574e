// Which operand formats a kernel can take on a device is a property of the (kernel family,
// device) pair, not of the device: on an sm_86 GPU Triton refuses e4m3fn ("type fp8e4nv not
// supported in this architecture") while fp8check's own software path decodes it; cuBLASLt
// runs FP8 only from sm_89. Each family has one table of rules; each rule names the
// formats, the capabilities it covers, how they run and the source it comes from, so a skip
// can name the family, the device and the rule (docs/configs.md, "Kernel families").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/configs/device_profile.hpp"
#include "harness/core/element_type.hpp"

namespace fp8check {

enum class KernelFamily : std::uint8_t {
  tensor_core,        // the tiled tensor-core GEMM the emulated backend and the selector model
  triton,             // Triton's NVIDIA backend
  cublaslt,           // cuBLASLt's matmul
  fp8check_software,  // fp8check's own CUDA software path: operands decoded, then bf16 MMA
};
inline constexpr KernelFamily kAllKernelFamilies[] = {KernelFamily::tensor_core, KernelFamily::triton,
                                                      KernelFamily::cublaslt, KernelFamily::fp8check_software};

std::string_view kernel_family_name(KernelFamily f);  // "tensor-core", "triton", "cublaslt", "fp8check-software"
KernelFamily parse_kernel_family(std::string_view name);  // InputError listing the names
std::string kernel_family_name_list();

// The family a backend's kernels belong to (the GEMM axis family = "auto"): emulated ->
// tensor-core, cublaslt -> cublaslt, cuda -> fp8check-software; any other backend (a
// plug-in, external kernels) -> tensor-core, the default of a tiled kernel.
KernelFamily kernel_family_of_backend(std::string_view backend);

// One row of a family's table: these operand types run on devices with capability in
// [from, until) (until: every later device when unset).
struct CapabilityRule {
  std::vector<ElementType> types;
  ComputeCapability from;
  std::optional<ComputeCapability> until;
  std::string_view how;     // "native FP8 MMA", "software conversion to fp16" ...
  std::string_view source;  // where the rule comes from: a document section or a source file
};

std::span<const CapabilityRule> capability_table(KernelFamily f);

// Empty when family `f` runs operands of type `t` on `device`; otherwise one line naming the
// type, what it needs, the family, the device and the rule's source. The "cpu" profile (the
// emulation, unconstrained) runs every operand type.
std::string why_family_unsupported(KernelFamily f, const DeviceProfile& device, ElementType t);

}  // namespace fp8check
