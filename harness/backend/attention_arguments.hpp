// Everything an attention kernel is given: the problem (shapes, element types, causal
// mask, softmax scale, P's format and scale, output type), Q, K and V as codes with their
// descales, and the config the selector chose.
#pragma once

#include "harness/backend/attention_operands.hpp"
#include "harness/configs/attention_config.hpp"
#include "harness/problem/attention_desc.hpp"

namespace fp8check {

struct AttentionArguments {
  AttentionDesc desc;
  AttentionOperand q, k, v;
  AttentionConfig config;
};

}  // namespace fp8check
