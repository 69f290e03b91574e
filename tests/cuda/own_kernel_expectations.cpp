// Prints, for the static check (own_kernels_static_check.sh), one line per instantiated own
// GEMM kernel: symbol, shared-memory model, path, the static shared memory ptxas must report
// (the layout's total, or 0 for kernels above the 48 KiB static limit, which take it as
// dynamic shared memory), the selector's shared-memory model for its config, and the
// register limit of the profile whose model it follows.
//
// With --attention: one line per own attention kernel instead (and per combine kernel of
// the kv splits): symbol, its (dynamic) shared memory, and the register limit of the sm_89
// profile.
#include <iostream>
#include <string>
#include <string_view>

#include "kernels/cuda/index/attention_plan.hpp"
#include "tests/cuda/own_kernel_table.hpp"

int main(int argc, char** argv) {
  using namespace fp8check;
  if (argc > 1 && std::string_view(argv[1]) == "--attention") {
    const int limit = find_device_profile("sm_89").max_regs_per_thread;
    std::string combines;
    for (const cuda_index::OwnAttentionKernel& k : cuda_index::own_attention_kernels()) {
      std::cout << k.symbol() << ' ' << k.smem_bytes() << ' ' << limit << '\n';
      if (combines.find(k.combine_symbol() + ' ') == std::string::npos) combines += k.combine_symbol() + ' ';
    }
    for (std::size_t at = 0, end; (end = combines.find(' ', at)) != std::string::npos; at = end + 1)
      std::cout << combines.substr(at, end - at) << " 0 " << limit << '\n';
    return 0;
  }
  for (const cuda_index::OwnGemmKernel& k : cuda_index::own_gemm_kernels()) {
    const ConfigVerdict v = test::selector_verdict(k);
    std::cout << k.symbol() << ' ' << cuda_index::smem_family_name(k.family) << ' ' << cuda_index::gemm_path_name(k.path)
              << ' ' << (k.static_smem() ? k.smem().total : 0) << ' ' << (v.fits ? v.candidate.smem_bytes : -1) << ' '
              << test::profile_of(k.family).max_regs_per_thread << ' ' << k.smem().total << '\n';
  }
}
