// fp8check devices: the built-in device profiles, and the GPU found, if any.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/configs/device_profile.hpp"
#include "harness/configs/kernel_family.hpp"
#if FP8CHECK_HAVE_CUDA
#include "kernels/cuda/device_query.hpp"
#endif

namespace fp8check::cli {

int run_devices(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("fp8check devices\n\nPrints the device profiles config selection uses, the kernel "
                               "models a case with accumulation = \"device\" emulates on each (docs/accumulation.md), "
                               "the capability table of each kernel family, and the GPU this machine has (CUDA "
                               "builds).\n\nOptions");
  opts.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (!parse_options(args, opts, vm)) return kExitPass;
  std::printf("%-7s %-24s %5s %12s %12s %6s %6s %6s  %-19s %-22s %s\n", "profile", "examples", "SMs", "smem/block",
              "smem/SM", "fp8", "wgmma", "mx", "fp8 kernel model", "mx/nvfp4 model", "dense TFLOP/s 16-bit/fp8/fp4 (part)");
  for (const DeviceProfile& d : builtin_device_profiles()) {
    std::printf("%-7s %-24s %5d %12d %12d %6s %6s %6s  %-19s %-22s %g/%g/%g (%s)\n", d.name.c_str(), d.examples.c_str(),
                d.num_sms, d.smem_per_block_optin, d.smem_per_sm, d.native_fp8 ? "yes" : "no",
                d.warpgroup_mma ? "yes" : "no", d.block_scaled_mma ? "yes" : "no", d.kernel_model.c_str(),
                d.block_scaled_kernel_models ? "sm100-mxf8/-mxf4/-nvf4" : "fp32", d.peak_tflops_16, d.peak_tflops_fp8,
                d.peak_tflops_fp4, d.peak_part.c_str());
  }
  std::printf("\nkernel families: which operand types run from which compute capability (GEMM axis family)\n");
  for (KernelFamily f : kAllKernelFamilies) {
    std::printf("  %s\n", std::string(kernel_family_name(f)).c_str());
    for (const CapabilityRule& r : capability_table(f)) {
      std::string types;
      for (ElementType t : r.types) types += (types.empty() ? "" : ",") + t.name();
      const std::string range = capability_name(r.from) + "+" + (r.until ? " below " + capability_name(*r.until) : "");
      std::printf("    %-40s %-18s %.*s\n", types.c_str(), range.c_str(), static_cast<int>(r.how.size()), r.how.data());
    }
  }
#if FP8CHECK_HAVE_CUDA
  std::string why;
  if (const auto gpu = cuda::query_cuda_device(&why))
    std::printf("\nGPU: %s, compute capability %d.%d, %d SMs -> profile %s\n", gpu->name.c_str(), gpu->capability.major,
                gpu->capability.minor, gpu->sm_count, gpu->profile->name.c_str());
  else
    std::printf("\nGPU: %s\n", why.c_str());
#else
  std::printf("\nGPU: not looked for (CPU-only build: GPU backends are not built)\n");
#endif
  return kExitPass;
}

}  // namespace fp8check::cli
