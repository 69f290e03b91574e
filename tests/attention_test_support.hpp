// Shared helpers of the attention tests: a case's inputs and references built through the
// pipeline's own stages (attention_inputs, attention_judge), kernel operands as mutable
// copies (so tests can rescale or re-encode them), and comparisons.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "harness/run/attention_judge.hpp"
#include "harness/record/case_result.hpp"
#include "kernels/emulated/attention_emulated.hpp"
#include "tests/run_case_support.hpp"

namespace fp8check::test {

enum class Operand { q, k, v };

struct AttentionFixture {
  AttentionCase c;
  std::shared_ptr<const AttentionInputs> in;
  std::shared_ptr<const AttentionReferences> ref;
  // The kernel's operands: copies of in's codes and descales (views are built per run).
  std::vector<std::uint8_t> codes[3];
  std::vector<std::uint16_t> q_wide_codes;
  std::vector<float> descales[3];
};

// params: the attention axes (shape required); the case id keys the inputs.
AttentionFixture make_fixture(const CaseParams& params, std::uint64_t seed = 20261121);

// Runs the fixture's kernel model (its `accumulation` param; fp32 by default).
AttentionOutput run_kernel(const AttentionFixture& f, const AttentionConfig& config, int threads,
                           AttentionFault fault = AttentionFault::none,
                           ChainGemmPath tile_path = ChainGemmPath::fastest);

// The pipeline's judgement of `out` (with the bf16-P baseline run on the fixture's operands
// and kernel model).
CaseResult judge(const AttentionFixture& f, const AttentionConfig& config, const AttentionOutput& out);

// max |out - reference from the dequantized inputs|.
double max_error(const AttentionFixture& f, const AttentionOutput& out);
// ||out - reference|| / ||reference|| (Frobenius, over the whole output).
double relative_frobenius(const AttentionFixture& f, const AttentionOutput& out);

void expect_same_bits(const AttentionOutput& a, const AttentionOutput& b);

// Replaces codes whose value is below twice the format's smallest normal by 0, so that
// halving every value is exact.
void keep_halvable_codes(AttentionFixture& f, Operand o);
void halve_values(AttentionFixture& f, Operand o);  // codes re-encoded from value / 2 (exact)
void scale_descales(AttentionFixture& f, Operand o, float factor);

}  // namespace fp8check::test
