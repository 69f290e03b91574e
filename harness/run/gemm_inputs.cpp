#include "harness/run/gemm_inputs.hpp"

#include <algorithm>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/generate/seed.hpp"
#include "harness/quantize/element_codec.hpp"

namespace fp8check {
namespace {

MatrixD generate_matrix(const Distribution& d, std::uint64_t key, std::int64_t rows, std::int64_t cols, int threads) {
  MatrixD m(rows, cols);
  generate(d, key, std::span<double>(m.data(), static_cast<std::size_t>(m.size())), 0, threads);
  return m;
}

// Values exact in float, so the emulated kernel (which reads float) and the FP64
// reference see the same C and bias.
MatrixD round_to_float(MatrixD m) {
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(m.data()[i]);
  return m;
}

// Copies codes (mn x k, K-major, ld = k) into the requested layout and leading dimension,
// appending one matrix to `out`; padding slots get `poison`.
void lay_out(const CodeMatrix& q, bool k_major, std::int64_t ld, std::uint8_t poison, std::vector<std::uint8_t>& out) {
  const std::int64_t lines = k_major ? q.rows : q.cols;
  const std::size_t base = out.size();
  out.resize(base + static_cast<std::size_t>(lines * ld), poison);
  if (k_major && q.cols > 0) {  // row i of the codes is line i: one copy per row
    for (std::int64_t i = 0; i < q.rows; ++i)
      std::copy_n(&q.codes[static_cast<std::size_t>(i * q.ld)], q.cols, &out[base + static_cast<std::size_t>(i * ld)]);
    return;
  }
  for (std::int64_t i = 0; i < q.rows; ++i)
    for (std::int64_t j = 0; j < q.cols; ++j) out[base + static_cast<std::size_t>(j * ld + i)] = q(i, j);
}

// Appends the scales of `q` in their own storage order; returns the view's strides.
BlockScales append_scales(const QuantizedMatrix& q, std::int64_t mn, std::int64_t k, std::vector<float>& out) {
  const ScaleLayout& l = q.scales.layout;
  BlockScales s;
  // The recipe's block over (MN, K); a block spanning the whole extent is "0" (epilogue scaling).
  s.block.mn = l.block.rows >= mn ? 0 : static_cast<int>(l.block.rows);
  s.block.k = l.block.cols >= k ? 0 : static_cast<int>(l.block.cols);
  if (l.order == ScaleOrder::row_major) {
    s.stride_mn = l.ld;
    s.stride_k = 1;
  } else {
    s.stride_mn = 1;
    s.stride_k = l.ld;
  }
  s.batch_stride = l.storage_size();
  out.insert(out.end(), q.scales.values.begin(), q.scales.values.end());
  return s;
}

std::uint8_t poison_code(ElementType t) {
  // A code that turns any sum it enters into NaN where the format has one, else +max.
  if (t.is_integer()) return static_cast<std::uint8_t>(integer_code_offset(t) * 2);
  return static_cast<std::uint8_t>(encode(t.format, std::numeric_limits<double>::quiet_NaN()));
}

}  // namespace

std::vector<RowBlock> written_row_blocks(const GemmDesc& d) {
  std::vector<RowBlock> blocks;
  switch (d.kind) {
    case GemmKind::dense: blocks.push_back({0, d.m, 0}); break;
    case GemmKind::batched:
      for (std::int64_t g = 0; g < d.groups; ++g) blocks.push_back({g * d.m, (g + 1) * d.m, g});
      break;
    case GemmKind::grouped_contiguous: {
      std::int64_t row = 0;
      for (std::int64_t g = 0; g < d.groups; ++g) {
        blocks.push_back({row, row + d.group_rows[static_cast<std::size_t>(g)], g});
        row += d.group_rows[static_cast<std::size_t>(g)];
      }
      break;
    }
    case GemmKind::grouped_masked:
      for (std::int64_t g = 0; g < d.groups; ++g)
        blocks.push_back({g * d.m, g * d.m + d.group_rows[static_cast<std::size_t>(g)], g});
      break;
  }
  return blocks;
}

GemmInputs prepare_gemm_inputs(const GemmCase& c, const std::string& case_id, std::uint64_t seed,
                               StageTimer* timer, int threads) {
  const GemmDesc& d = c.desc;
  GemmInputs in;
  const std::int64_t rows = d.stored_rows();
  const std::int64_t b_count = d.kind == GemmKind::dense ? 1 : d.groups;
  const std::uint64_t ka = tensor_key(seed, case_id, "A"), kb = tensor_key(seed, case_id, "B");
  in.key_a = format_key(ka);
  in.key_b = format_key(kb);

  in.a = generate_matrix(c.a_distribution, ka, rows, d.k, threads);
  for (std::int64_t g = 0; g < b_count; ++g)
    in.b.push_back(
        generate_matrix(c.b_distribution, tensor_key(seed, case_id, "B" + std::to_string(g)), d.n, d.k, threads));
  if (d.beta != 0)
    in.c = round_to_float(generate_matrix(Distribution::normal(), tensor_key(seed, case_id, "C"), rows, d.n, threads));
  if (d.with_bias) {
    MatrixD bias = round_to_float(generate_matrix(Distribution::normal(), tensor_key(seed, case_id, "bias"), 1, d.n, 1));
    in.bias = bias.row(0);
  }

  if (timer) timer->lap("inputs");

  // Batched A shares one scale grid across the batch (cuBLASLt's one scale pointer):
  // its row blocks must not straddle two problems.
  if (d.kind == GemmKind::batched && c.a_recipe.block.rows > 1 && c.a_recipe.block.rows != 0 &&
      d.m % c.a_recipe.block.rows != 0)
    throw InputError("batched GEMM with " + c.a_recipe.name() + " scales needs m a multiple of " +
                     std::to_string(c.a_recipe.block.rows) + " (got " + std::to_string(d.m) + ")");
  in.qa = quantize(in.a, c.a_recipe);
  in.a_dequantized = dequantize(in.qa);
  for (const MatrixD& b : in.b) {
    in.qb.push_back(quantize(b, c.b_recipe));
    in.b_dequantized.push_back(dequantize(in.qb.back()));
  }

  // Masked groups: rows past a group's valid count are padding. Their codes become
  // NaN (or +max) so a kernel that reads them cannot go unnoticed.
  const std::uint8_t a_poison = poison_code(d.a_type);
  if (d.kind == GemmKind::grouped_masked)
    for (std::int64_t g = 0; g < d.groups; ++g)
      for (std::int64_t r = d.group_rows[static_cast<std::size_t>(g)]; r < d.m; ++r)
        for (std::int64_t j = 0; j < d.k; ++j) in.qa.codes(g * d.m + r, j) = a_poison;

  GemmArguments& l = in.args;
  l.desc = d;
  GemmProblem& p = l.problem;
  p.kind = d.kind;
  p.m = d.kind == GemmKind::grouped_contiguous ? rows : d.m;
  p.n = d.n;
  p.k = d.k;
  p.groups = d.groups;
  if (d.kind == GemmKind::grouped_contiguous) {
    p.group_row_offsets.push_back(0);
    for (std::int64_t r : d.group_rows) p.group_row_offsets.push_back(p.group_row_offsets.back() + r);
  }
  if (d.kind == GemmKind::grouped_masked) p.masked_m = d.group_rows;
  p.alpha = static_cast<float>(d.alpha);
  p.beta = static_cast<float>(d.beta);
  p.output = d.d_type;
  if (d.beta != 0) {
    in.c_values.assign(in.c.data(), in.c.data() + in.c.size());
    p.c = in.c_values.data();
    p.ldc = d.n;
    p.c_batch_stride = d.kind == GemmKind::batched ? d.m * d.n : 0;
  }
  if (d.with_bias) {
    in.bias_values.assign(in.bias.data(), in.bias.data() + in.bias.size());
    p.bias = in.bias_values.data();
  }

  // A: one matrix of stored rows (batched: `groups` matrices of m rows).
  const std::int64_t a_lines = d.kind == GemmKind::batched ? d.m : rows;
  const std::int64_t lda = d.lda ? d.lda : (d.a_k_major ? d.k : a_lines);
  const std::int64_t a_batches = d.kind == GemmKind::batched ? d.groups : 1;
  for (std::int64_t bidx = 0; bidx < a_batches; ++bidx) {
    CodeMatrix part(a_lines, d.k);
    for (std::int64_t i = 0; i < a_lines; ++i)
      for (std::int64_t j = 0; j < d.k; ++j) part(i, j) = in.qa.codes(bidx * a_lines + i, j);
    lay_out(part, d.a_k_major, lda, a_poison, in.a_codes);
  }
  // B: one N x K matrix per group.
  const std::uint8_t b_poison = poison_code(d.b_type);
  const std::int64_t ldb = d.ldb ? d.ldb : (d.b_k_major ? d.k : d.n);
  for (const QuantizedMatrix& q : in.qb) lay_out(q.codes, d.b_k_major, ldb, b_poison, in.b_codes);

  auto make_operand = [](ElementType t, std::vector<std::uint8_t>& codes, std::vector<std::int8_t>& ints,
                         std::int64_t mn, std::int64_t k, bool k_major) {
    if (!t.is_integer()) return GemmOperand::of_codes(codes.data(), t.format, mn, k, k_major);
    ints.resize(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i)
      ints[i] = static_cast<std::int8_t>(static_cast<int>(codes[i]) - integer_code_offset(t));
    return GemmOperand::of_integers(ints.data(), mn, k, k_major);
  };
  l.a = make_operand(d.a_type, in.a_codes, in.a_ints, a_lines, d.k, d.a_k_major);
  l.a.ld = lda;
  l.a.batches = a_batches;
  l.a.batch_stride = (d.a_k_major ? a_lines : d.k) * lda;
  l.a.scales = append_scales(in.qa, rows, d.k, in.a_scales);
  l.a.scales.batch_stride = 0;
  if (a_batches > 1 && in.qa.scales.layout.block.rows < rows) {
    const std::int64_t grid_rows_per_batch = a_lines / in.qa.scales.layout.block.rows;
    l.a.scales.batch_stride = grid_rows_per_batch * l.a.scales.stride_mn;
  }
  if (in.qa.tensor_scale) l.a.tensor_scale = *in.qa.tensor_scale;

  l.b = make_operand(d.b_type, in.b_codes, in.b_ints, d.n, d.k, d.b_k_major);
  l.b.ld = ldb;
  l.b.batches = b_count;
  l.b.batch_stride = (d.b_k_major ? d.n : d.k) * ldb;
  for (const QuantizedMatrix& q : in.qb) l.b.scales = append_scales(q, d.n, d.k, in.b_scales);
  l.b.scales.data = in.b_scales.data();
  l.a.scales.data = in.a_scales.data();
  if (!in.qb.empty() && in.qb.front().tensor_scale) l.b.tensor_scale = *in.qb.front().tensor_scale;
  if (timer) timer->lap("quantize");
  return in;
}

}  // namespace fp8check
