// Capability as data: the device query's one table (compute capability -> profile, tuples
// not names), and each kernel family's table of operand types per capability, with skip
// reasons that name the family, the device and the rule's source.
#include <gtest/gtest.h>

#include <string>

#include "harness/configs/device_profile.hpp"
#include "harness/configs/gemm_selector.hpp"
#include "harness/configs/kernel_family.hpp"
#include "harness/core/error.hpp"

namespace fp8check {
namespace {

bool runs(KernelFamily f, const char* device, ElementType t) {
  return why_family_unsupported(f, find_device_profile(device), t).empty();
}

ElementType F(Format f) { return ElementType::of(f); }

TEST(DeviceQuery, CapabilitiesAreComparedAsTuples) {
  EXPECT_LT((ComputeCapability{8, 9}), (ComputeCapability{9, 0}));
  EXPECT_LT((ComputeCapability{9, 0}), (ComputeCapability{10, 0}));  // "sm_100" < "sm_90" as strings
  EXPECT_LT((ComputeCapability{10, 3}), (ComputeCapability{12, 0}));
  EXPECT_EQ(capability_name({12, 1}), "sm_121");
  EXPECT_EQ(capability_name({9, 0}), "sm_90");
}

TEST(DeviceQuery, EveryCapabilityMapsToOneProfileOrAReason) {
  const std::pair<ComputeCapability, const char*> expected[] = {
      {{8, 0}, "sm_80"},  {{8, 6}, "sm_86"},   {{8, 7}, "sm_86"},   {{8, 9}, "sm_89"},   {{9, 0}, "sm_90"},
      {{10, 0}, "sm_100"}, {{10, 3}, "sm_100"}, {{12, 0}, "sm_120"}, {{12, 1}, "sm_120"},
  };
  for (const auto& [cc, name] : expected) {
    std::string why;
    const DeviceProfile* p = device_profile_for_capability(cc, &why);
    ASSERT_NE(p, nullptr) << capability_name(cc) << ": " << why;
    EXPECT_EQ(p->name, name) << capability_name(cc);
  }
  for (ComputeCapability cc : {ComputeCapability{7, 5}, ComputeCapability{11, 0}, ComputeCapability{0, 0}}) {
    std::string why;
    EXPECT_EQ(device_profile_for_capability(cc, &why), nullptr) << capability_name(cc);
    EXPECT_NE(why.find(capability_name(cc)), std::string::npos) << why;
    EXPECT_NE(why.find("builtin_device_profiles"), std::string::npos) << why;
  }
  // The profile table's capabilities and names agree (one table, not two).
  for (const DeviceProfile& p : builtin_device_profiles())
    if (!p.unconstrained) EXPECT_EQ(p.name, capability_name(p.capability));
}

// A device is named by its profile, its capability or one of its GPUs, whole: "A10" is
// sm_86, not the A100 it is a prefix of, and a typo or a fragment ("x", "rtx", "h20") is
// an error rather than whichever profile's examples happen to contain it.
TEST(DeviceQuery, NamesMatchWholeNeverInPart) {
  const std::pair<const char*, const char*> named[] = {
      {"sm_90", "sm_90"}, {"90", "sm_90"},      {"sm_90a", "sm_90"},  {"H100", "sm_90"},     {"h200", "sm_90"},
      {"A10", "sm_86"},   {"A100", "sm_80"},    {"rtx 3090", "sm_86"}, {"RTX 4090", "sm_89"}, {"L4", "sm_89"},
      {"GB200", "sm_100"}, {"RTX PRO 6000", "sm_120"}, {"cpu", "cpu"},
  };
  for (const auto& [name, profile] : named) EXPECT_EQ(find_device_profile(name).name, profile) << name;
  for (const char* bad : {"x", "a", "rtx", "h20", "0", "sm_", "", "emulated", "A10, RTX 3090"})
    EXPECT_THROW(find_device_profile(bad), InputError) << bad;
}

TEST(DeviceQuery, PeaksComeFromTheProfileTable) {
  const DeviceProfile& h100 = find_device_profile("sm_90");
  EXPECT_EQ(h100.peak_tflops(F(Format::e4m3fn), F(Format::e5m2)), 1979);
  EXPECT_EQ(h100.peak_tflops(F(Format::bf16), F(Format::e4m3fn)), 989);  // the wider operand decides
  EXPECT_EQ(find_device_profile("sm_100").peak_tflops(F(Format::e2m1fn), F(Format::e2m1fn)), 9000);
  EXPECT_EQ(h100.peak_tflops(ElementType::int8(), ElementType::int8()), 0);  // not recorded
  EXPECT_EQ(find_device_profile("sm_120").peak_tflops(F(Format::e4m3fn), F(Format::e4m3fn)), 0);
}

// The default family reproduces what the device profiles decided before families existed,
// on every built-in profile and operand type (goldens depend on which cases skip).
TEST(KernelFamily, TensorCoreFamilyKeepsTheFormerDeviceRule) {
  const char* devices[] = {"sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120", "cpu"};
  struct Row {
    ElementType type;
    bool expected[7];  // in the order of `devices`
  };
  const Row rows[] = {
      {F(Format::e4m3fn), {false, false, true, true, true, true, true}},
      {F(Format::e5m2), {true, true, true, true, true, true, true}},
      {F(Format::e4m3b15), {true, true, false, false, false, false, true}},
      {F(Format::e4m3fnuz), {false, false, false, false, false, false, true}},
      {F(Format::e5m2fnuz), {false, false, false, false, false, false, true}},
      {F(Format::e4m3b11fnuz), {false, false, false, false, false, false, true}},
      {F(Format::e2m1fn), {false, false, false, false, true, true, true}},
      {F(Format::e2m3fn), {false, false, false, false, true, true, true}},
      {F(Format::e3m2fn), {false, false, false, false, true, true, true}},
      {F(Format::e8m0fnu), {false, false, false, false, false, false, false}},
      {F(Format::bf16), {true, true, true, true, true, true, true}},
      {F(Format::fp16), {true, true, true, true, true, true, true}},
      {ElementType::int8(), {true, true, true, true, true, true, true}},
      {ElementType::int4(), {true, true, true, true, true, true, true}},
  };
  for (const Row& r : rows)
    for (int i = 0; i < 7; ++i)
      EXPECT_EQ(runs(KernelFamily::tensor_core, devices[i], r.type), r.expected[i]) << r.type.name() << " on " << devices[i];
}

TEST(KernelFamily, TheA10SeedNamesFamilyDeviceAndRule) {
  const std::string why = why_family_unsupported(KernelFamily::tensor_core, find_device_profile("sm_86"), F(Format::e4m3fn));
  for (const char* part : {"e4m3fn needs native FP8 MMA (sm_89+", "kernel family tensor-core", "sm_86 (A10",
                           "runs only e5m2, e4m3b15", "third_party/nvidia/backend/compiler.py", "PTX ISA"})
    EXPECT_NE(why.find(part), std::string::npos) << part << " not in: " << why;
  // Triton's own table: fp8e4nv from capability 89, fp8e5 and fp8e4b15 everywhere.
  const std::string triton = why_family_unsupported(KernelFamily::triton, find_device_profile("sm_86"), F(Format::e4m3fn));
  for (const char* part : {"kernel family triton", "fp8e4nv", "sm_89+", "capability >= 89"})
    EXPECT_NE(triton.find(part), std::string::npos) << part << " not in: " << triton;
  for (const char* d : {"sm_80", "sm_86", "sm_89", "sm_90", "sm_100"}) {
    EXPECT_TRUE(runs(KernelFamily::triton, d, F(Format::e5m2))) << d;
    EXPECT_TRUE(runs(KernelFamily::triton, d, F(Format::e4m3b15))) << d;  // deprecated as a dot operand on sm_90, not refused
  }
  EXPECT_TRUE(runs(KernelFamily::triton, "sm_89", F(Format::e4m3fn)));
  EXPECT_FALSE(runs(KernelFamily::triton, "sm_90", F(Format::e4m3fnuz)));  // an AMD type: not in the NVIDIA backend
}

TEST(KernelFamily, CublasLtAndFp8checkSoftwareTables) {
  EXPECT_FALSE(runs(KernelFamily::cublaslt, "sm_86", F(Format::e4m3fn)));
  EXPECT_FALSE(runs(KernelFamily::cublaslt, "sm_86", F(Format::e5m2)));  // no software path in cuBLASLt
  EXPECT_TRUE(runs(KernelFamily::cublaslt, "sm_89", F(Format::e4m3fn)));
  EXPECT_TRUE(runs(KernelFamily::cublaslt, "sm_90", F(Format::e5m2)));
  EXPECT_FALSE(runs(KernelFamily::cublaslt, "sm_90", F(Format::e2m1fn)));
  EXPECT_TRUE(runs(KernelFamily::cublaslt, "sm_100", F(Format::e2m1fn)));
  EXPECT_FALSE(runs(KernelFamily::cublaslt, "sm_100", F(Format::e4m3b15)));
  EXPECT_FALSE(runs(KernelFamily::cublaslt, "sm_100", F(Format::e2m3fn)));  // no FP6 matmul
  const std::string why = why_family_unsupported(KernelFamily::cublaslt, find_device_profile("sm_90"), F(Format::e2m1fn));
  EXPECT_NE(why.find("sm_100+"), std::string::npos) << why;
  EXPECT_NE(why.find("kernel family cublaslt on sm_90"), std::string::npos) << why;
  // fp8check's software path: every operand type from sm_80 on.
  for (const char* d : {"sm_80", "sm_86", "sm_89", "sm_90", "sm_100", "sm_120"})
    for (Format f : {Format::e4m3fn, Format::e5m2, Format::e4m3fnuz, Format::e5m2fnuz, Format::e4m3b11fnuz,
                     Format::e4m3b15, Format::e2m1fn, Format::e2m3fn, Format::e3m2fn})
      EXPECT_TRUE(runs(KernelFamily::fp8check_software, d, F(f))) << format_spec(f).name << " on " << d;
  EXPECT_FALSE(runs(KernelFamily::fp8check_software, "sm_90", F(Format::e8m0fnu)));
}

TEST(KernelFamily, NamesBackendsAndTheSelector) {
  for (KernelFamily f : kAllKernelFamilies) EXPECT_EQ(parse_kernel_family(kernel_family_name(f)), f);
  try {
    parse_kernel_family("cutlass");
    FAIL() << "an unknown family must be refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tensor-core, triton, cublaslt, fp8check-software"), std::string::npos);
  }
  EXPECT_EQ(kernel_family_of_backend("emulated"), KernelFamily::tensor_core);
  EXPECT_EQ(kernel_family_of_backend("cublaslt"), KernelFamily::cublaslt);
  EXPECT_EQ(kernel_family_of_backend("cuda"), KernelFamily::fp8check_software);
  EXPECT_EQ(kernel_family_of_backend("my-plugin"), KernelFamily::tensor_core);
  // The selector asks the family: e4m3fn on an A10 runs through fp8check's software path.
  GemmDesc p;
  p.m = 128, p.n = 256, p.k = 256;
  p.a_scale = p.b_scale = {0, 0};
  const DeviceProfile& a10 = find_device_profile("sm_86");
  EXPECT_NE(why_gemm_unsupported(p, a10), "");
  EXPECT_NE(why_gemm_unsupported(p, a10, KernelFamily::triton), "");
  EXPECT_EQ(why_gemm_unsupported(p, a10, KernelFamily::fp8check_software), "");
  EXPECT_FALSE(select_gemm_configs(p, a10, KernelFamily::fp8check_software).candidates.empty());
}

}  // namespace
}  // namespace fp8check
