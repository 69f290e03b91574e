// fp8check devices: the built-in device profiles, and the GPU found, if any.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/configs/device_profile.hpp"
#include "harness/core/format_names.hpp"
#if FP8CHECK_HAVE_CUDA
#include "kernels/cuda/convert_device.hpp"
#endif

namespace fp8check::cli {

int run_devices(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("fp8check devices\n\nPrints the device profiles config selection uses, the kernel "
                               "models a case with accumulation = \"device\" emulates on each (docs/accumulation.md), "
                               "and the GPU this machine has (CUDA builds).\n\nOptions");
  opts.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (!parse_options(args, opts, vm)) return kExitPass;
  std::printf("%-7s %-24s %5s %12s %12s %6s %6s %6s  %-14s %-19s %s\n", "profile", "examples", "SMs", "smem/block",
              "smem/SM", "fp8", "wgmma", "mx", "software fp8", "fp8 kernel model", "mx/nvfp4 model");
  for (const DeviceProfile& d : builtin_device_profiles()) {
    std::string soft;
    for (Format f : d.software_fp8_formats) soft += (soft.empty() ? "" : ",") + std::string(format_name(f));
    std::printf("%-7s %-24s %5d %12d %12d %6s %6s %6s  %-14s %-19s %s\n", d.name.c_str(), d.examples.c_str(), d.num_sms,
                d.smem_per_block_optin, d.smem_per_sm, d.native_fp8 ? "yes" : "no", d.warpgroup_mma ? "yes" : "no",
                d.block_scaled_mma ? "yes" : "no", soft.empty() ? "-" : soft.c_str(), d.kernel_model.c_str(),
                d.block_scaled_kernel_models ? "sm100-mxf8/-mxf4/-nvf4" : "fp32");
  }
#if FP8CHECK_HAVE_CUDA
  std::printf("\nGPU: %s\n", cuda::device_description().c_str());
#else
  std::printf("\nGPU: not looked for (CPU-only build: GPU backends are not built)\n");
#endif
  return kExitPass;
}

}  // namespace fp8check::cli
