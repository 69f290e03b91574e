// One case, start to finish: the order of the pipeline is spelled out here and nowhere
// else. suite case -> inputs -> quantize -> FP64 references -> backend run ->
// statistics -> verdict. A failing case never throws: problems become verdicts
// (error, with the reason); only broken invariants of fp8check itself propagate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "harness/compare/tolerance.hpp"
#include "harness/configs/device_profile.hpp"
#include "harness/run/case_result.hpp"
#include "harness/run/gemm_case.hpp"

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

// The attention pipeline (run_attention_case.cpp); run_case dispatches op "attention" to it.
void run_attention_case(const CaseInput& c, const RunContext& ctx, CaseResult& result);

// For cases that inject a known kernel bug: pass when some check caught it (the reason
// says which), fail when every check passed. Metric "fault_detected" records it.
void judge_injected_fault(std::string_view fault, CaseResult& result);

}  // namespace fp8check
