#include "harness/run/gemm_prepare.hpp"

#include "harness/configs/gemm_selector.hpp"

namespace fp8check {

ConfigChoice<GemmConfig> choose_gemm_config(const GemmCase& c, const DeviceProfile& run_device) {
  const DeviceProfile& device = c.device == "suite" ? run_device : find_device_profile(c.device);
  const KernelFamily family = c.kernel_family();
  return choose_config<GemmConfig>(
      c.config, c.config == "auto" || c.config == "orders", why_gemm_unsupported(c.desc, device, family), device,
      [&] { return select_gemm_configs(c.desc, device, family).candidates.front().config; }, parse_gemm_config,
      [&](const GemmConfig& config) { return evaluate_gemm_config(c.desc, device, config); });
}

PreparedGemm prepare_gemm_case(const GemmCase& c, const GemmConfig& config, const std::string& case_id,
                               std::uint64_t seed, StageTimer* timer, int threads) {
  PreparedGemm p{prepare_gemm_inputs(c, case_id, seed, timer, threads), {}};
  // FP64 references before the run: an e4m3 output's scale comes from the reference amax.
  p.ref = compute_gemm_references(c, p.in, threads);
  p.in.args.problem.d_scale = static_cast<float>(p.ref.output_scale);
  p.in.args.config = config;
  p.in.args.validate();
  if (timer) timer->lap("reference");
  return p;
}

}  // namespace fp8check
