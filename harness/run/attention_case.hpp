// An attention case as the run stage needs it, built from a suite case's parameters
// (axis -> value strings; the axes are registered in op_schemas.cpp).
//
//   formats       "e4m3fn.e4m3fn"   element types of Q and of the KV cache (K and V); Q may be bf16
//   shape         "b1.h8.kv2.sq128.skv1024.d128"  (+ ".dvN" for a different V/O head dim, + ".causal")
//   p             "e4m3"            P handling: e4m3 | e5m2 | bf16, optionally ".sN" (P scale 2^k)
//   scaling       "tensor"          tensor: one descale per tensor; head: one per (batch, head)
//   logit_scale   "1"               multiplier on the default softmax scale 1/sqrt(head_dim_qk)
//   output        "bf16"            bf16, fp16, fp32
//   distribution  "normal"          inputs of Q, K and V (harness/generate)
//   config        "auto"            auto | all | a config id (bq128.bkv128.s2.sp2)
//   device        "suite"           the device profile configs are chosen for
//   backend       "emulated"
//   fault         "none"            an injected kernel bug (kernels/emulated/attention_fault.hpp)
#pragma once

#include <string>

#include "harness/generate/distributions.hpp"
#include "harness/problem/attention_desc.hpp"
#include "harness/run/gemm_case.hpp"  // CaseParams
#include "kernels/emulated/attention_fault.hpp"

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

  // Throws InputError naming the axis and what is expected.
  static AttentionCase from_params(const CaseParams& params);
};

// Parsers the suite schema uses to validate single axis values (each throws InputError).
void validate_attention_formats(const std::string& v);
void validate_attention_shape(const std::string& v);
void validate_attention_scaling(const std::string& v);
void validate_attention_logit_scale(const std::string& v);
void validate_attention_output(const std::string& v);

}  // namespace fp8check
