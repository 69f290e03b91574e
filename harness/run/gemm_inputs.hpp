// Stage "inputs -> quantize" of a GEMM case: generates A, B (and C, bias) from the
// case's keys, quantizes them with the recipes, lays the codes out as the case's BLAS
// layout says, poisons padding, and builds the arguments a backend runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/matrix.hpp"
#include "harness/quantize/quantize.hpp"
#include "harness/backend/gemm_arguments.hpp"
#include "harness/run/gemm_case.hpp"
#include "harness/run/stage_timer.hpp"

namespace fp8check {

struct GemmInputs {
  // Original high-precision operands: A as stored rows x K, B one N x K matrix per group.
  MatrixD a;
  std::vector<MatrixD> b;
  MatrixD c;                      // stored rows x N (epilogue "beta"), values exact in float
  Eigen::RowVectorXd bias;        // N (epilogue "bias"), values exact in float
  QuantizedMatrix qa;
  std::vector<QuantizedMatrix> qb;
  MatrixD a_dequantized;
  std::vector<MatrixD> b_dequantized;
  // Storage the launch's views point into (kept alive here).
  std::vector<std::uint8_t> a_codes, b_codes;
  std::vector<std::int8_t> a_ints, b_ints;
  std::vector<float> a_scales, b_scales, c_values, bias_values;
  GemmArguments args;  // what the backend runs (config and output scale set later)
  std::string key_a, key_b;  // printable tensor keys (regenerate one tensor alone)
};

// Output rows a case writes: [first, last) in stored-row space, with the B group they use.
struct RowBlock {
  std::int64_t first = 0, last = 0, group = 0;
};
std::vector<RowBlock> written_row_blocks(const GemmDesc& d);

// `timer` (optional) laps "inputs" once the tensors are generated and "quantize" at the end.
// `threads` generate each tensor (the same bits for any count: harness/generate).
GemmInputs prepare_gemm_inputs(const GemmCase& c, const std::string& case_id, std::uint64_t seed,
                               StageTimer* timer = nullptr, int threads = 1);

}  // namespace fp8check
