#include "kernels/emulated/attention_fault.hpp"

#include <string>

#include "harness/core/error.hpp"

namespace fp8check {

std::string_view attention_fault_name(AttentionFault f) {
  switch (f) {
    case AttentionFault::none: return "none";
    case AttentionFault::p_scale_overflow: return "p_scale_overflow";
    case AttentionFault::kv_descale_dropped: return "kv_descale_dropped";
    case AttentionFault::q_fast_path_no_kv_descale: return "q_fast_path_no_kv_descale";
  }
  return "?";
}

AttentionFault parse_attention_fault(std::string_view name) {
  std::string accepted;
  for (AttentionFault f : kAllAttentionFaults) {
    if (attention_fault_name(f) == name) return f;
    accepted += (accepted.empty() ? "" : ", ") + std::string(attention_fault_name(f));
  }
  throw InputError("unknown attention fault '" + std::string(name) + "'; accepted: " + accepted);
}

}  // namespace fp8check
