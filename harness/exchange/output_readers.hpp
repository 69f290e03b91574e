// Reading one case's entry of outputs.h5 into the pipeline's output types, checking it
// first (docs/exchange-format.md, "outputs.h5"). Internal to harness/exchange: the
// external backend calls these under the outputs file's lock. Every problem is an
// InputError naming the entry, what it holds and what was expected.
#pragma once

#include "harness/backend/backend.hpp"
#include "harness/exchange/h5_tree.hpp"

namespace fp8check::exchange {

// D as float32 values ((rows, N) or (groups, m, N)), or as uint8 e4m3fn codes with the
// attribute scale = the case's output_scale. Rows a masked group does not own must be
// NaN (not written); `out` arrives prepared, holding the pipeline's unwritten sentinel.
void read_gemm_output(const H5Node& entry, const GemmArguments& args, GemmOutput& out);
// O as float32 values [batch, q_heads, seq_q, head_dim_v].
void read_attention_output(const H5Node& entry, const AttentionArguments& args, AttentionOutput& out);
// A group with `codes` [rows, cols] and `scales` [grid rows, grid cols] (and the attribute
// tensor_scale for NVFP4).
QuantizedMatrix read_quantize_output(const H5Node& entry, const QuantizeArguments& args);

}  // namespace fp8check::exchange
