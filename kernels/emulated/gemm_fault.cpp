#include "kernels/emulated/gemm_fault.hpp"

#include "harness/core/error.hpp"

namespace fp8check {

std::string_view gemm_fault_name(GemmFault f) {
  switch (f) {
    case GemmFault::none: return "none";
    case GemmFault::split_k_scale_offset_forgotten: return "split_k_scale_offset_forgotten";
    case GemmFault::last_partial_k_block_skipped: return "last_partial_k_block_skipped";
    case GemmFault::scale_pointer_not_advanced: return "scale_pointer_not_advanced";
    case GemmFault::padding_rows_read: return "padding_rows_read";
  }
  return "?";
}

GemmFault parse_gemm_fault(std::string_view name) {
  std::string accepted;
  for (GemmFault f : kAllGemmFaults) {
    if (gemm_fault_name(f) == name) return f;
    accepted += (accepted.empty() ? "" : ", ") + std::string(gemm_fault_name(f));
  }
  throw InputError("unknown GEMM fault '" + std::string(name) + "'; accepted: " + accepted);
}

}  // namespace fp8check
