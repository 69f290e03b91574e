// Stage "inputs -> quantize" of an attention case: generates Q, K and V from the case's
// keys (seed, case id, "Q"/"K"/"V"), quantizes them with the tensor recipe over the whole
// tensor or over each (batch, head) slice, and builds the operand views the kernel reads.
// bf16 Q is rounded to nearest (descale 1), as a bf16 activation would arrive.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/matrix.hpp"
#include "harness/run/attention_case.hpp"
#include "harness/run/stage_timer.hpp"
#include "kernels/emulated/attention_emulated.hpp"
#include "references/attention_reference.hpp"

namespace fp8check {

struct AttentionInputs {
  references::HeadMatrices q, k, v;              // original values
  references::HeadMatrices q_hat, k_hat, v_hat;  // dequantized: decode(code) · descale, exact
  // Storage the operand views point into (kept alive here; moving keeps the buffers).
  std::vector<std::uint8_t> q_codes, k_codes, v_codes;
  std::vector<std::uint16_t> q_wide_codes;
  std::vector<float> q_descales, k_descales, v_descales;
  AttentionOperand q_operand, k_operand, v_operand;
  std::string key_q, key_k, key_v;  // printable tensor keys

  AttentionInputs() = default;
  AttentionInputs(AttentionInputs&&) = default;
  AttentionInputs& operator=(AttentionInputs&&) = default;
  AttentionInputs(const AttentionInputs&) = delete;  // the views would point into the original
};

// `timer` (optional) laps "inputs" once Q, K, V are generated and "quantize" at the end.
AttentionInputs prepare_attention_inputs(const AttentionCase& c, const std::string& case_id, std::uint64_t seed,
                                         StageTimer* timer = nullptr);

// The FP64 reference's view of the problem (softmax scale, shapes, mask).
references::AttentionProblem reference_problem(const AttentionDesc& d);

}  // namespace fp8check
