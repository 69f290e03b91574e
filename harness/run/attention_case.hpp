// An attention case as the run stage needs it, built from a suite case's parameters (axis
// -> value strings). The axes, their defaults and meanings: attention_axes() (attention_case.cpp).
#pragma once

#include <span>
#include <string>

#include "harness/generate/distributions.hpp"
#include "harness/problem/attention_desc.hpp"
#include "harness/run/run_case.hpp"
#include "kernels/emulated/attention_fault.hpp"
#include "kernels/emulated/attention_model.hpp"

namespace fp8check {

enum class AttentionScaling : std::uint8_t { tensor, head };

struct AttentionCase {
  AttentionDesc desc;
  AttentionScaling scaling = AttentionScaling::tensor;
  double logit_scale = 1.0;
  Distribution distribution;
  std::string config = "auto";
  std::string device = "suite";
  std::string backend = "emulated";
  AttentionFault fault = AttentionFault::none;
  AttentionKernelModel model;  // axis `accumulation` (fp32, sm90-wgmma, sm89-mma)

  // Throws InputError naming the axis and what is expected.
  static AttentionCase from_params(const CaseParams& params);
};

// The attention op's axes in case-id order (the suite schema and from_params read this table).
std::span<const CaseAxis> attention_axes();

// The attention pipeline (run_attention_case.cpp).
void run_attention_case(const CaseInput& input, const RunContext& ctx, CaseResult& result);

}  // namespace fp8check
