// The FP64 GEMM references against plain long-double loops: within the FP64 error bound on
// random inputs, exactly (==) on integer-valued inputs, every epilogue term, every problem
// kind, and padded rows that are neither read nor written. Attention: references_attention_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tests/references_test_support.hpp"

namespace fp8check::references {
namespace {

using test_support::identical;
using test_support::integer_matrix;
using test_support::loop_gemm;
using test_support::random_matrix;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Shapes on both sides of Eigen's switch from coefficient loops to GEMM kernels (BLAS).
const std::int64_t kShapes[][3] = {{1, 1, 1}, {3, 5, 4}, {7, 1, 9}, {1, 8, 2}, {67, 45, 300}, {130, 70, 257}};

// alpha, beta, out_scale that keep integer inputs exact (powers of two and small integers).
const GemmEpilogue kEpilogues[] = {{1, 0, 1}, {3, 0, 1}, {1, -2, 1}, {1, 0, 0.25}, {-2, 5, 0.5}};

TEST(GemmReference, WithinTheFp64ErrorBoundOfLongDoubleLoops) {
  std::mt19937_64 rng(1);
  for (const auto& s : kShapes) {
    const GemmProblem p{s[0], s[1], s[2], {0.75, -1.5, 3.0}};
    const MatrixD a = random_matrix(p.m, p.k, rng), b = random_matrix(p.k, p.n, rng);
    const MatrixD c = random_matrix(p.m, p.n, rng);
    const RowVectorD bias = random_matrix(1, p.n, rng);
    const MatrixD d = gemm_reference(p, a, b, &c, &bias);
    const auto loops = loop_gemm(p.epilogue, a, b, &c, &bias);
    for (std::int64_t i = 0; i < d.size(); ++i) {
      ASSERT_LE(std::fabs(d.data()[i] - loops.d.data()[i]), loops.error_bound.data()[i]) << p << " entry " << i;
    }
  }
}

TEST(GemmReference, ExactOnIntegerInputsForEveryEpilogueTerm) {
  std::mt19937_64 rng(2);
  for (const auto& s : kShapes) {
    for (const GemmEpilogue& e : kEpilogues) {
      for (bool with_bias : {false, true}) {
        const GemmProblem p{s[0], s[1], s[2], e};
        const MatrixD a = integer_matrix(p.m, p.k, rng), b = integer_matrix(p.k, p.n, rng);
        const MatrixD c = integer_matrix(p.m, p.n, rng);
        const RowVectorD bias = integer_matrix(1, p.n, rng);
        const RowVectorD* bias_or_none = with_bias ? &bias : nullptr;
        EXPECT_TRUE(identical(gemm_reference(p, a, b, &c, bias_or_none), loop_gemm(e, a, b, &c, bias_or_none).d))
            << p << (with_bias ? " with bias" : "");
      }
    }
  }
}

TEST(GemmReference, CIsNotReadWhenBetaIsZero) {
  std::mt19937_64 rng(3);
  const GemmProblem p{20, 30, 40, {2, 0, 1}};
  const MatrixD a = integer_matrix(p.m, p.k, rng), b = integer_matrix(p.k, p.n, rng);
  const MatrixD nan_c = MatrixD::Constant(p.m, p.n, kNaN);
  const MatrixD d = gemm_reference(p, a, b, &nan_c);
  EXPECT_TRUE(d.allFinite());
  EXPECT_TRUE(identical(d, gemm_reference(p, a, b)));
}

TEST(GemmReference, IntoReusesTheOutputAndMatches) {
  std::mt19937_64 rng(4);
  const GemmProblem p{9, 11, 13, {}};
  const MatrixD a = integer_matrix(p.m, p.k, rng), b = integer_matrix(p.k, p.n, rng);
  MatrixD d = MatrixD::Constant(2, 3, kNaN);  // wrong shape: resized
  gemm_reference_into(p, a, b, d);
  EXPECT_TRUE(identical(d, loop_gemm(p.epilogue, a, b).d));
}

TEST(GemmReference, EmptyDepthGivesTheEpilogueAlone) {
  const GemmProblem p{2, 3, 0, {1, 2, 0.5}};
  const MatrixD c = MatrixD::Constant(2, 3, 3.0);
  const RowVectorD bias = RowVectorD::Constant(3, 1.0);
  EXPECT_TRUE(identical(gemm_reference(p, MatrixD(2, 0), MatrixD(0, 3), &c, &bias), MatrixD::Constant(2, 3, 3.5)));
}

TEST(BatchedGemmReference, EachProblemIsItsOwnGemm) {
  std::mt19937_64 rng(5);
  const BatchedGemmProblem p{3, 17, 6, 33, {-1, 2, 0.5}};
  std::vector<MatrixD> a, b, c;
  for (int i = 0; i < p.batch; ++i) {
    a.push_back(integer_matrix(p.m, p.k, rng));
    b.push_back(integer_matrix(p.k, p.n, rng));
    c.push_back(integer_matrix(p.m, p.n, rng));
  }
  const RowVectorD bias = integer_matrix(1, p.n, rng);
  const std::vector<MatrixD> d = batched_gemm_reference(p, a, b, &c, &bias);
  ASSERT_EQ(d.size(), 3u);
  for (std::size_t i = 0; i < d.size(); ++i) {
    EXPECT_TRUE(identical(d[i], loop_gemm(p.epilogue, a[i], b[i], &c[i], &bias).d)) << "problem " << i;
  }
}

TEST(GroupedContiguousGemmReference, GroupOffsetsAreAlignedUp) {
  const GroupedContiguousGemmProblem p{{5, 0, 17, 3}, 4, 4, 8, {}};
  EXPECT_EQ(p.row_offset(0), 0);
  EXPECT_EQ(p.row_offset(1), 8);
  EXPECT_EQ(p.row_offset(2), 8);  // an empty group takes no rows
  EXPECT_EQ(p.row_offset(3), 32);
  EXPECT_EQ(p.total_rows(), 40);
  EXPECT_EQ((GroupedContiguousGemmProblem{{5, 0, 17, 3}, 4, 4, 1, {}}.total_rows()), 25);
}

TEST(GroupedContiguousGemmReference, GroupsUseTheirOwnBAndPaddingIsNeitherReadNorWritten) {
  std::mt19937_64 rng(6);
  const GroupedContiguousGemmProblem p{{5, 0, 17, 3}, 12, 70, 8, {2, -1, 0.5}};
  const std::int64_t rows = p.total_rows();
  MatrixD a = MatrixD::Constant(rows, p.k, kNaN), c = MatrixD::Constant(rows, p.n, kNaN);
  std::vector<MatrixD> b;
  for (std::int64_t g = 0; g < p.groups(); ++g) {
    const std::int64_t first = p.row_offset(g), count = p.group_rows[std::size_t(g)];
    a.middleRows(first, count) = integer_matrix(count, p.k, rng);
    c.middleRows(first, count) = integer_matrix(count, p.n, rng);
    b.push_back(integer_matrix(p.k, p.n, rng));
  }
  const RowVectorD bias = integer_matrix(1, p.n, rng);
  const double sentinel = -7.25;
  MatrixD d = MatrixD::Constant(rows, p.n, sentinel);
  grouped_contiguous_gemm_reference(p, a, b, d, &c, &bias);

  std::vector<bool> is_group_row(std::size_t(rows), false);
  for (std::int64_t g = 0; g < p.groups(); ++g) {
    const std::int64_t first = p.row_offset(g), count = p.group_rows[std::size_t(g)];
    const MatrixD group_a = a.middleRows(first, count), group_c = c.middleRows(first, count);
    EXPECT_TRUE(identical(d.middleRows(first, count), loop_gemm(p.epilogue, group_a, b[std::size_t(g)], &group_c, &bias).d))
        << "group " << g;
    for (std::int64_t r = first; r < first + count; ++r) is_group_row[std::size_t(r)] = true;
  }
  for (std::int64_t r = 0; r < rows; ++r) {
    if (!is_group_row[std::size_t(r)]) {
      EXPECT_TRUE(identical(d.row(r), MatrixD::Constant(1, p.n, sentinel))) << "padding row " << r;
    }
  }
}

TEST(GroupedMaskedGemmReference, OnlyValidRowsAreComputedAndPaddingIsNeverRead) {
  std::mt19937_64 rng(7);
  const GroupedMaskedGemmProblem p{4, 16, 9, 40, {0, 3, 16, 7}, {1, 3, 2}};
  std::vector<MatrixD> a, b, c, d;
  const double sentinel = -7.25;
  for (std::int64_t g = 0; g < p.groups; ++g) {
    const std::int64_t valid = p.valid_rows[std::size_t(g)];
    a.push_back(MatrixD::Constant(p.max_rows, p.k, kNaN));
    c.push_back(MatrixD::Constant(p.max_rows, p.n, kNaN));
    a.back().topRows(valid) = integer_matrix(valid, p.k, rng);
    c.back().topRows(valid) = integer_matrix(valid, p.n, rng);
    b.push_back(integer_matrix(p.k, p.n, rng));
    d.push_back(MatrixD::Constant(p.max_rows, p.n, sentinel));
  }
  grouped_masked_gemm_reference(p, a, b, d, &c);
  for (std::int64_t g = 0; g < p.groups; ++g) {
    const std::size_t i = std::size_t(g);
    const std::int64_t valid = p.valid_rows[i];
    const MatrixD valid_a = a[i].topRows(valid), valid_c = c[i].topRows(valid);
    EXPECT_TRUE(identical(d[i].topRows(valid), loop_gemm(p.epilogue, valid_a, b[i], &valid_c).d)) << "group " << g;
    const std::int64_t padding = p.max_rows - valid;
    EXPECT_TRUE(identical(d[i].bottomRows(padding), MatrixD::Constant(padding, p.n, sentinel))) << "group " << g;
  }
}

// Expects `call` to throw std::invalid_argument whose message contains every one of `parts`.
template <typename Call>
void expect_rejected(Call call, std::initializer_list<const char*> parts) {
  try {
    call();
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    for (const char* part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(GemmReference, RejectsBadProblemsAndOperandsNamingThem) {
  const MatrixD a = MatrixD::Zero(3, 4), b = MatrixD::Zero(4, 5), c = MatrixD::Zero(3, 5);
  expect_rejected([&] { gemm_reference({3, 5, 6, {}}, a, b); }, {"A is 3x4", "needs 3x6"});
  expect_rejected([&] { gemm_reference({3, 5, 4, {1, 1, 1}}, a, b); }, {"beta is 1", "no C"});
  expect_rejected([&] { gemm_reference({-1, 5, 4, {}}, a, b); }, {"m = -1", ">= 0"});
  expect_rejected([&] { gemm_reference({3, 5, 4, {kNaN, 0, 1}}, a, b); }, {"alpha = nan", "finite"});
  const RowVectorD short_bias = RowVectorD::Zero(4);
  expect_rejected([&] { gemm_reference({3, 5, 4, {}}, a, b, nullptr, &short_bias); }, {"bias has 4", "needs 5"});
  MatrixD d = c;
  expect_rejected([&] { gemm_reference_into({3, 5, 4, {1, 1, 1}}, a, b, d, &d); }, {"D must be a different"});
  const std::vector<MatrixD> one{a}, one_b{b};
  std::vector<MatrixD> out{c};
  expect_rejected([&] { grouped_masked_gemm_reference({1, 3, 5, 4, {4}, {}}, one, one_b, out); },
                  {"valid_rows holds 4", "[0, max_rows = 3]"});
  expect_rejected([&] { batched_gemm_reference({2, 3, 5, 4, {}}, one, one_b); }, {"list of A has 1", "needs 2"});
}

TEST(GemmReference, DescriptorsPrintEveryFieldExactly) {
  std::ostringstream os;
  os << GemmProblem{3, 5, 4, {0.1, -2, 1}};
  EXPECT_EQ(os.str(), "GEMM {m=3, n=5, k=4, alpha=0.1, beta=-2, out_scale=1}");
  os.str("");
  os << GroupedContiguousGemmProblem{{5, 0}, 2, 3, 8, {}};
  EXPECT_EQ(os.str(), "grouped contiguous GEMM {group_rows=[5, 0], n=2, k=3, row_alignment=8, alpha=1, beta=0, "
                      "out_scale=1}");
}

}  // namespace
}  // namespace fp8check::references
