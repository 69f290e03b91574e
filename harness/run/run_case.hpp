// One case, start to finish. Each op's pipeline (run_gemm_case.cpp, run_attention_case.cpp,
// run_quantize_case.cpp) spells its order out: suite case -> inputs -> quantize -> FP64
// references -> backend (why_unavailable, can_implement, run) -> statistics -> verdict.
// run_case dispatches through the op registry (ops.hpp) and never throws: any exception of
// a case becomes that case's error verdict with the message, so a run never aborts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "harness/compare/tolerance.hpp"
#include "harness/configs/device_profile.hpp"
#include "harness/record/case_result.hpp"
#include "harness/run/case_axes.hpp"

namespace fp8check {

struct RunContext {
  std::uint64_t seed = 0;
  const DeviceProfile* device = nullptr;  // config selection and "supported?" questions
  int threads = 1;                        // threads one case's kernel may use
  ToleranceSettings tolerance;            // before the case's own overrides
  bool baseline = true;                   // run check (b) when the case is small enough
};

struct CaseInput {
  std::string id;
  std::string op;
  CaseParams params;
  std::map<std::string, double> tolerance_overrides;
  std::string seed_bug;  // recorded as the result's param "seed_bug" (not an axis: not in the id)
};

CaseResult run_case(const CaseInput& c, const RunContext& ctx);

// A case the backend cannot run (no GPU, a layout it has no kernel for, a device the
// problem needs more of): skipped, with the reason.
void mark_skipped(CaseResult& result, std::string reason);

// For cases that inject a known kernel bug: pass when some check caught it (the reason
// says which), fail when every check passed. Metric "fault_detected" records it.
void judge_injected_fault(std::string_view fault, CaseResult& result);

}  // namespace fp8check
