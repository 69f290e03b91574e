#include "harness/configs/device_profile.hpp"

#include <algorithm>
#include <cctype>

#include "harness/core/error.hpp"

namespace fp8check {

std::string capability_name(ComputeCapability c) {
  return "sm_" + std::to_string(c.major) + std::to_string(c.minor);
}

const std::vector<DeviceProfile>& builtin_device_profiles() {
  // smem: per SM / per block opt-in, in bytes (CUDA Programming Guide, compute capability tables).
  // Peaks: dense TFLOP/s of the named part from its datasheet (A100, A10, L40S, H100 SXM5,
  // HGX B200 per GPU); none recorded for sm_120.
  static const std::vector<DeviceProfile> profiles = [] {
    auto make = [](ComputeCapability cc, std::string examples, int sms, int smem_block, int smem_sm) {
      DeviceProfile p;
      p.name = capability_name(cc);
      p.examples = std::move(examples);
      p.capability = cc;
      p.num_sms = sms;
      p.smem_per_block_optin = smem_block;
      p.smem_per_sm = smem_sm;
      return p;
    };
    auto peaks = [](DeviceProfile& p, std::string part, double t16, double fp8, double fp4) {
      p.peak_part = std::move(part);
      p.peak_tflops_16 = t16;
      p.peak_tflops_fp8 = fp8;
      p.peak_tflops_fp4 = fp4;
    };
    std::vector<DeviceProfile> p;
    DeviceProfile a100 = make({8, 0}, "A100", 108, 166912, 167936);
    peaks(a100, "A100 SXM4", 312, 0, 0);
    p.push_back(a100);
    DeviceProfile a10 = make({8, 6}, "A10, RTX 3090", 72, 101376, 102400);
    peaks(a10, "A10", 125, 0, 0);
    p.push_back(a10);
    // Default kernel models: docs/accumulation.md, "Device defaults". The promotion interval
    // of 128 k is DeepGEMM's; cuBLASLt's (without fast accumulation) is not published.
    DeviceProfile ada = make({8, 9}, "L4, L40S, RTX 4090", 142, 101376, 102400);
    ada.native_fp8 = true;
    ada.kernel_model = "sm89-mma.p128";
    peaks(ada, "L40S", 362, 733, 0);
    p.push_back(ada);
    DeviceProfile hopper = make({9, 0}, "H100, H200", 132, 232448, 233472);
    hopper.native_fp8 = true;
    hopper.warpgroup_mma = true;
    hopper.kernel_model = "sm90-wgmma.p128";
    peaks(hopper, "H100 SXM5", 989, 1979, 0);
    p.push_back(hopper);
    DeviceProfile blackwell = make({10, 0}, "B200, GB200", 148, 232448, 233472);
    blackwell.native_fp8 = true;
    blackwell.warpgroup_mma = true;  // modelled with the sm_90 family (tcgen05 details are not)
    blackwell.block_scaled_mma = true;
    blackwell.kernel_model = "sm100-tcgen05.p128";
    blackwell.block_scaled_kernel_models = true;
    peaks(blackwell, "B200 (HGX)", 2250, 4500, 9000);
    p.push_back(blackwell);
    DeviceProfile rtx50 = make({12, 0}, "RTX 5090, RTX PRO 6000", 170, 101376, 102400);
    rtx50.native_fp8 = true;
    rtx50.block_scaled_mma = true;  // mma.sync with block scales: no model here, so "fp32"
    rtx50.peak_part = "none recorded";
    p.push_back(rtx50);
    DeviceProfile cpu = make({0, 0}, "the emulated backend, unconstrained", 2, 1 << 30, 1 << 30);
    cpu.name = "cpu";
    cpu.native_fp8 = true;
    cpu.block_scaled_mma = true;
    cpu.global_alignment_bytes = 1;
    cpu.unconstrained = true;
    cpu.peak_part = "none (CPU emulation)";
    p.push_back(cpu);
    return p;
  }();
  return profiles;
}

const DeviceProfile* device_profile_for_capability(ComputeCapability c, std::string* why) {
  const DeviceProfile* best = nullptr;
  std::string known;
  for (const DeviceProfile& p : builtin_device_profiles()) {
    if (p.unconstrained) continue;
    known += (known.empty() ? "" : ", ") + p.name;
    if (p.capability.major == c.major && p.capability <= c && (!best || best->capability < p.capability)) best = &p;
  }
  if (!best && why)
    *why = "no device profile for compute capability " + std::to_string(c.major) + "." + std::to_string(c.minor) +
           " (" + capability_name(c) + "): fp8check has profiles for " + known +
           " (add a row to builtin_device_profiles, harness/configs/device_profile.cpp)";
  return best;
}

double DeviceProfile::peak_tflops(ElementType a, ElementType b) const {
  if (a.is_integer() || b.is_integer()) return 0;  // integer MMA peaks are not recorded
  const int bits = std::max(a.bits(), b.bits());
  if (bits <= 4) return peak_tflops_fp4;
  if (bits <= 8) return peak_tflops_fp8;
  return peak_tflops_16;
}

const DeviceProfile& find_device_profile(std::string_view name) {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!key.starts_with("sm_") && !key.empty() && std::isdigit(static_cast<unsigned char>(key[0]))) key = "sm_" + key;
  if (key == "sm_90a") key = "sm_90";
  // A GPU name matches one of a profile's examples whole ("A10" is sm_86, not the A100 it
  // begins), so that a fragment or a typo is an error rather than some profile.
  auto names_an_example = [&key](const DeviceProfile& p) {
    if (p.unconstrained) return false;  // its examples are a description, not GPU names
    std::string examples = p.examples;
    std::transform(examples.begin(), examples.end(), examples.begin(), [](unsigned char c) { return std::tolower(c); });
    for (std::size_t start = 0; start <= examples.size();) {
      const std::size_t end = std::min(examples.find(", ", start), examples.size());
      if (examples.compare(start, end - start, key) == 0) return true;
      start = end + 2;
    }
    return false;
  };
  std::string known;
  for (const DeviceProfile& p : builtin_device_profiles()) {
    if (p.name == key || names_an_example(p)) return p;
    known += (known.empty() ? "" : ", ") + p.name + " (" + p.examples + ")";
  }
  throw InputError("unknown device '" + std::string(name) + "': expected one of " + known);
}

}  // namespace fp8check
