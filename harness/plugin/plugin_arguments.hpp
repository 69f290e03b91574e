// The plain-C mirrors (fp8check/plugin.h) of one call's backend-neutral arguments, with the
// strings they point into. Built in place and never copied: the C structs point into the
// object's own strings and into the caller's arrays, which must outlive the call.
#pragma once

#include <string>

#include "fp8check/plugin.h"
#include "harness/backend/backend.hpp"
#include "harness/quantize/scale_layout.hpp"

namespace fp8check::plugin {

struct GemmCall {
  GemmCall(const GemmArguments& g, const BackendOptions& options);
  GemmCall(const GemmCall&) = delete;
  GemmCall& operator=(const GemmCall&) = delete;

  fp8check_gemm_args args{};

 private:
  std::string a_format_, b_format_, output_, config_id_, layout_, model_;
};

struct AttentionCall {
  AttentionCall(const AttentionArguments& a, const BackendOptions& options);
  AttentionCall(const AttentionCall&) = delete;
  AttentionCall& operator=(const AttentionCall&) = delete;

  fp8check_attention_args args{};

 private:
  std::string q_format_, k_format_, v_format_, p_format_, output_, config_id_;
};

struct QuantizeCall {
  // `layout`: where the scales go (make_scale_layout of the recipe and the options' order).
  QuantizeCall(const QuantizeArguments& q, const ScaleLayout& layout, const BackendOptions& options);
  QuantizeCall(const QuantizeCall&) = delete;
  QuantizeCall& operator=(const QuantizeCall&) = delete;

  fp8check_quantize_args args{};

 private:
  std::string recipe_, element_;
};

}  // namespace fp8check::plugin
