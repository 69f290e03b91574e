#include "harness/configs/device_profile.hpp"

#include <algorithm>
#include <cctype>

#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check {

const std::vector<DeviceProfile>& builtin_device_profiles() {
  // smem: per SM / per block opt-in, in bytes (CUDA Programming Guide, compute capability tables).
  static const std::vector<DeviceProfile> profiles = [] {
    auto make = [](std::string name, std::string examples, int sm, int sms, int smem_block, int smem_sm) {
      DeviceProfile p;
      p.name = std::move(name);
      p.examples = std::move(examples);
      p.sm_version = sm;
      p.num_sms = sms;
      p.smem_per_block_optin = smem_block;
      p.smem_per_sm = smem_sm;
      return p;
    };
    std::vector<DeviceProfile> p;
    DeviceProfile a100 = make("sm_80", "A100", 80, 108, 166912, 167936);
    a100.software_fp8_formats = {Format::e5m2, Format::e4m3b15};
    p.push_back(a100);
    DeviceProfile a10 = make("sm_86", "A10, RTX 3090", 86, 72, 101376, 102400);
    a10.software_fp8_formats = {Format::e5m2, Format::e4m3b15};
    p.push_back(a10);
    // Default kernel models: docs/accumulation.md, "Device defaults". The promotion interval
    // of 128 k is DeepGEMM's; cuBLASLt's (without fast accumulation) is not published.
    DeviceProfile ada = make("sm_89", "L4, L40S, RTX 4090", 89, 142, 101376, 102400);
    ada.native_fp8 = true;
    ada.kernel_model = "sm89-mma.p128";
    p.push_back(ada);
    DeviceProfile hopper = make("sm_90", "H100, H200", 90, 132, 232448, 233472);
    hopper.native_fp8 = true;
    hopper.warpgroup_mma = true;
    hopper.kernel_model = "sm90-wgmma.p128";
    p.push_back(hopper);
    DeviceProfile blackwell = make("sm_100", "B200, GB200", 100, 148, 232448, 233472);
    blackwell.native_fp8 = true;
    blackwell.warpgroup_mma = true;  // modelled with the sm_90 family (tcgen05 details are not)
    blackwell.block_scaled_mma = true;
    blackwell.kernel_model = "sm100-tcgen05.p128";
    blackwell.block_scaled_kernel_models = true;
    p.push_back(blackwell);
    DeviceProfile rtx50 = make("sm_120", "RTX 5090, RTX PRO 6000", 120, 170, 101376, 102400);
    rtx50.native_fp8 = true;
    rtx50.block_scaled_mma = true;  // mma.sync with block scales: no model here, so "fp32"
    p.push_back(rtx50);
    DeviceProfile cpu = make("cpu", "the emulated backend, unconstrained", 0, 2, 1 << 30, 1 << 30);
    cpu.native_fp8 = true;
    cpu.block_scaled_mma = true;
    cpu.global_alignment_bytes = 1;
    cpu.unconstrained = true;
    p.push_back(cpu);
    return p;
  }();
  return profiles;
}

const DeviceProfile& find_device_profile(std::string_view name) {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!key.starts_with("sm_") && !key.empty() && std::isdigit(static_cast<unsigned char>(key[0]))) key = "sm_" + key;
  if (key == "sm_90a") key = "sm_90";
  std::string known;
  for (const DeviceProfile& p : builtin_device_profiles()) {
    std::string examples = p.examples;
    std::transform(examples.begin(), examples.end(), examples.begin(), [](unsigned char c) { return std::tolower(c); });
    if (p.name == key || (!key.empty() && examples.find(key) != std::string::npos)) return p;
    known += (known.empty() ? "" : ", ") + p.name + " (" + p.examples + ")";
  }
  throw InputError("unknown device '" + std::string(name) + "': expected one of " + known);
}

std::string DeviceProfile::why_unsupported(ElementType t) const {
  if (unconstrained) return t.kind == ElementType::Kind::floating && t.format == Format::e8m0fnu ? "e8m0fnu is a scale format, not an operand type" : "";
  const std::string device = name + " (" + examples + ")";
  if (t.is_integer()) return "";  // mma.sync s8/s4 exist on every profile here (sm_80+)
  const Format f = t.format;
  if (f == Format::bf16 || f == Format::fp16) return "";
  const bool mx_element = f == Format::e2m1fn || f == Format::e2m3fn || f == Format::e3m2fn;
  if (mx_element)
    return block_scaled_mma ? "" : std::string(format_name(f)) + " needs block-scaled MMA (sm_100/sm_120); " + device +
                                       " has none";
  if (f == Format::e8m0fnu) return "e8m0fnu is a scale format, not an operand type";
  if (native_fp8 && (f == Format::e4m3fn || f == Format::e5m2)) return "";
  for (Format s : software_fp8_formats)
    if (s == f) return "";
  std::string msg = std::string(format_name(f)) + " needs native FP8 MMA (sm_89+ for e4m3fn/e5m2); " + device;
  if (f == Format::e4m3fnuz || f == Format::e5m2fnuz || f == Format::e4m3b11fnuz)
    msg = std::string(format_name(f)) + " is not an NVIDIA tensor-core type; " + device;
  if (software_fp8_formats.empty()) return msg + " supports e4m3fn and e5m2";
  std::string list;
  for (Format s : software_fp8_formats) list += (list.empty() ? "" : ", ") + std::string(format_name(s));
  return msg + " supports only " + list + " (Triton's software conversion)";
}

}  // namespace fp8check
