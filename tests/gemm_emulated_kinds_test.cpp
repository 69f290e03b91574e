// Batched and grouped emulated GEMMs: each batch / group equals a dense GEMM of its own
// rows, and masked groups never read padded rows (poisoned with NaN) nor write their D rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "kernels/emulated/gemm_emulated_reference.hpp"
#include "tests/gemm_emulated_test_support.hpp"

namespace fp8check::test {
namespace {

// A dense view of `count` stored rows (mn lines) of one matrix of `v`.
GemmOperand rows_of(const GemmOperand& v, std::int64_t batch, std::int64_t first, std::int64_t count) {
  GemmOperand s = v;
  s.batches = 1;
  s.mn = count;
  const std::int64_t offset = v.element_offset(batch, first, 0);
  if (v.storage == ElementStorage::codes) s.codes += offset;
  if (v.storage == ElementStorage::f32_values) s.values += offset;
  if (v.storage == ElementStorage::int8_values) s.integers += offset;
  if (v.scales.data != nullptr) {
    EXPECT_TRUE(v.scales.block.mn <= 1 || first % v.scales.block.mn == 0) << "scale blocks must align with the rows";
    const std::int64_t block = v.scales.block.mn > 0 ? first / v.scales.block.mn : 0;
    s.scales.data += batch * v.scales.batch_stride + block * v.scales.stride_mn;
  }
  return s;
}

// D rows [first, first+count) of `out`'s matrix `batch` equal the dense output `dense`.
void expect_rows_equal(const GemmOutput& out, std::int64_t batch, std::int64_t first, const GemmOutput& dense) {
  for (std::int64_t r = 0; r < dense.rows; ++r)
    for (std::int64_t c = 0; c < dense.cols; ++c)
      ASSERT_EQ(out.at(batch, first + r, c), dense.at(0, r, c)) << "row " << first + r << " col " << c;
}

GemmOutput dense_run(const GemmOperand& a, const GemmOperand& b, std::int64_t n, std::int64_t k, const GemmConfig& c,
                     const AccumulationModel& m, const GemmProblem& like, const float* c_rows) {
  GemmProblem p = like;
  p.kind = GemmKind::dense;
  p.groups = 1;
  p.m = a.mn;
  p.n = n;
  p.k = k;
  p.group_row_offsets.clear();
  p.masked_m.clear();
  p.c = c_rows;
  GemmOutput out;
  gemm_emulated(p, a, b, c, m, out, 2);
  return out;
}

const GemmConfig kConfig = parse_gemm_config("bm128.bn128.bk64.s4.sk2.tree");
const AccumulationModel kModel = parse_accumulation_model("sm90-wgmma.p64");

TEST(GemmEmulatedKinds, BatchedEqualsOneDenseGemmPerBatch) {
  GemmProblem p;
  p.kind = GemmKind::batched;
  p.groups = 3, p.m = 10, p.n = 20, p.k = 64;
  std::vector<float> c(static_cast<std::size_t>(3 * 10 * 21));
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = static_cast<float>(i % 13) - 6.0f;
  p.beta = 0.5f, p.c = c.data(), p.ldc = 21, p.c_batch_stride = 10 * 21;
  OperandSpec a{ElementType::of(Format::e4m3fn), 10, 64, 3, false, 1};
  a.scaled = true, a.block = {1, 32};
  OperandSpec b{ElementType::of(Format::e5m2), 20, 64, 3, true};
  b.scaled = true, b.block = {1, 0};
  const TestOperand ta = make_operand(a, 51), tb = make_operand(b, 52);
  const GemmOutput out = run_fast(p, ta, tb, kConfig, kModel);
  EXPECT_TRUE(same_bits(out, run_reference(p, ta, tb, kConfig, kModel)));
  for (std::int64_t g = 0; g < 3; ++g) {
    SCOPED_TRACE("batch " + std::to_string(g));
    expect_rows_equal(out, g, 0,
                      dense_run(rows_of(ta.view, g, 0, 10), rows_of(tb.view, g, 0, 20), 20, 64, kConfig, kModel, p,
                                c.data() + g * p.c_batch_stride));
  }
}

TEST(GemmEmulatedKinds, GroupedContiguousEqualsOneDenseGemmPerGroup) {
  GemmProblem p;
  p.kind = GemmKind::grouped_contiguous;
  p.groups = 4, p.m = 30, p.n = 26, p.k = 96;
  p.group_row_offsets = {0, 5, 5, 17, 30};  // group 1 is empty
  for (bool a_k_major : {true, false}) {
    OperandSpec a{ElementType::of(Format::e4m3fn), 30, 96, 1, a_k_major, 3};
    a.scaled = true, a.block = {1, 128};
    OperandSpec b{ElementType::of(Format::e4m3fn), 26, 96, 4, true};
    b.scaled = true, b.block = {128, 128};
    const TestOperand ta = make_operand(a, 61), tb = make_operand(b, 62);
    const GemmOutput out = run_fast(p, ta, tb, kConfig, kModel);
    EXPECT_TRUE(same_bits(out, run_reference(p, ta, tb, kConfig, kModel)));
    for (std::int64_t g = 0; g < 4; ++g) {
      const std::int64_t first = p.group_row_offsets[g], rows = p.group_row_offsets[g + 1] - first;
      if (rows == 0) continue;
      SCOPED_TRACE("group " + std::to_string(g));
      expect_rows_equal(out, 0, first,
                        dense_run(rows_of(ta.view, 0, first, rows), rows_of(tb.view, g, 0, 26), 26, 96, kConfig,
                                  kModel, p, nullptr));
    }
  }
}

TEST(GemmEmulatedKinds, MaskedPaddedRowsAreNeverReadNorWritten) {
  GemmProblem p;
  p.kind = GemmKind::grouped_masked;
  p.groups = 3, p.m = 12, p.n = 30, p.k = 96;
  p.masked_m = {12, 5, 0};
  std::vector<float> bias(30, 0.5f);
  p.bias = bias.data();
  OperandSpec a{ElementType::of(Format::e4m3fn), 36, 96};
  a.scaled = true, a.block = {1, 32};
  OperandSpec b{ElementType::of(Format::e4m3fn), 30, 96, 3};
  b.scaled = true, b.block = {32, 32};
  const TestOperand clean = make_operand(a, 71), tb = make_operand(b, 72);
  TestOperand poisoned = make_operand(a, 71);
  for (std::int64_t g = 0; g < 3; ++g) poisoned.poison_rows(0, g * p.m + p.masked_m[g], p.m - p.masked_m[g]);

  constexpr std::uint32_t kSentinel = 0xDEADBEEFu;
  for (SimdPath path : available_paths()) {
    GemmOutput expected, out;
    for (GemmOutput* o : {&expected, &out}) {
      o->prepare_for(p);
      std::fill(o->bits.begin(), o->bits.end(), kSentinel);
    }
    detail::gemm_emulated_on(path, p, clean.view, tb.view, kConfig, kModel, expected, 2, GemmFault::none);
    detail::gemm_emulated_on(path, p, poisoned.view, tb.view, kConfig, kModel, out, 2, GemmFault::none);
    EXPECT_TRUE(same_bits(out, expected));
    EXPECT_FALSE(std::isnan(out.amax));
    for (std::int64_t g = 0; g < 3; ++g)
      for (std::int64_t r = p.masked_m[g]; r < p.m; ++r)
        for (std::int64_t c = 0; c < p.n; ++c) ASSERT_EQ(out.at(0, g * p.m + r, c), kSentinel) << "padded row written";
    for (std::int64_t g = 0; g < 3; ++g) {
      if (p.masked_m[g] == 0) continue;
      expect_rows_equal(out, 0, g * p.m,
                        dense_run(rows_of(clean.view, 0, g * p.m, p.masked_m[g]), rows_of(tb.view, g, 0, 30), 30, 96,
                                  kConfig, kModel, p, nullptr));
    }
  }
  GemmOutput reference;
  reference.prepare_for(p);
  std::fill(reference.bits.begin(), reference.bits.end(), kSentinel);
  gemm_emulated_reference(p, poisoned.view, tb.view, kConfig, kModel, reference);
  GemmOutput fast = reference;
  std::fill(fast.bits.begin(), fast.bits.end(), kSentinel);
  gemm_emulated(p, poisoned.view, tb.view, kConfig, kModel, fast, 3);
  EXPECT_TRUE(same_bits(fast, reference));
}

}  // namespace
}  // namespace fp8check::test
