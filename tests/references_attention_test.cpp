// The FP64 attention reference against a plain long-double loop (causal with Sq != Skv, GQA,
// MQA, dv != dqk, Skv = 1), softmax and LSE properties, and independence of the thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "tests/references_test_support.hpp"

namespace fp8check::references {
namespace {

using test_support::identical;
using test_support::loop_attention;
using test_support::random_heads;

constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct Inputs {
  HeadMatrices q, k, v;
};

Inputs random_inputs(const AttentionProblem& p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return {random_heads(p.batch, p.q_heads, p.q_len, p.qk_dim, rng), random_heads(p.batch, p.kv_heads, p.kv_len, p.qk_dim, rng),
          random_heads(p.batch, p.kv_heads, p.kv_len, p.v_dim, rng)};
}

AttentionProblem problem(std::int64_t batch, std::int64_t q_heads, std::int64_t kv_heads, std::int64_t q_len,
                         std::int64_t kv_len, std::int64_t qk_dim, std::int64_t v_dim, bool causal) {
  return {batch, q_heads, kv_heads, q_len, kv_len, qk_dim, v_dim, 1.0 / std::sqrt(double(qk_dim)), causal};
}

// Every output and lse within 1e-13 of the long-double loop: FP64 rounding of scores of
// inputs in [-1, 1) is ~dim · 2^-53 ≈ 2e-14, far below the effect of any masking or head mistake.
void expect_matches_loop(const AttentionProblem& p, std::uint64_t seed) {
  const Inputs in = random_inputs(p, seed);
  const AttentionResult r = attention_reference(p, in.q, in.k, in.v);
  for (std::int64_t b = 0; b < p.batch; ++b) {
    for (std::int64_t h = 0; h < p.q_heads; ++h) {
      const std::int64_t g = h / (p.q_heads / p.kv_heads);
      const auto loops = loop_attention(p, in.q.at(b, h), in.k.at(b, g), in.v.at(b, g));
      const MatrixD& out = r.out.at(b, h);
      ASSERT_EQ(out.rows(), p.q_len);
      ASSERT_EQ(out.cols(), p.v_dim);
      EXPECT_LE((out - loops.out).cwiseAbs().maxCoeff(), 1e-13) << p << " b=" << b << " h=" << h;
      for (std::int64_t i = 0; i < p.q_len; ++i) {
        const double lse = r.lse(b * p.q_heads + h, i);
        if (std::isinf(loops.lse(i))) {
          EXPECT_EQ(lse, loops.lse(i)) << p << " row " << i;
        } else {
          EXPECT_NEAR(lse, loops.lse(i), 1e-13) << p << " row " << i;
        }
      }
    }
  }
}

TEST(AttentionReference, MatchesTheLoopWithAndWithoutCausalMask) {
  for (bool causal : {false, true}) {
    expect_matches_loop(problem(2, 3, 3, 9, 9, 16, 16, causal), 1);
    expect_matches_loop(problem(1, 2, 2, 5, 13, 8, 8, causal), 2);    // Sq < Skv (decoding with a cache)
    expect_matches_loop(problem(1, 2, 2, 13, 5, 8, 8, causal), 3);    // Sq > Skv: first rows see no key
    expect_matches_loop(problem(1, 8, 2, 7, 11, 16, 16, causal), 4);  // GQA
    expect_matches_loop(problem(2, 4, 1, 6, 6, 16, 16, causal), 5);   // MQA
    expect_matches_loop(problem(1, 2, 1, 24, 40, 192, 128, causal), 6);  // MLA head dims
    expect_matches_loop(problem(1, 2, 2, 3, 1, 8, 4, causal), 7);     // Skv = 1
    expect_matches_loop(problem(1, 1, 1, 64, 96, 64, 32, causal), 8);  // large enough for BLAS GEMMs
  }
}

TEST(AttentionReference, CausalMaskIsAlignedBottomRight) {
  // Changing key/value j must leave exactly the rows i < j - (Skv - Sq) unchanged.
  for (auto [q_len, kv_len] : {std::pair<std::int64_t, std::int64_t>{6, 6}, {4, 10}, {10, 4}}) {
    const AttentionProblem p = problem(1, 1, 1, q_len, kv_len, 8, 8, true);
    Inputs in = random_inputs(p, 9);
    const AttentionResult before = attention_reference(p, in.q, in.k, in.v);
    const std::int64_t j = kv_len / 2;
    in.k.at(0, 0).row(j) *= -3.0;
    in.v.at(0, 0).row(j).array() += 1.0;
    const AttentionResult after = attention_reference(p, in.q, in.k, in.v);
    for (std::int64_t i = 0; i < q_len; ++i) {
      const bool sees_j = j <= i + kv_len - q_len;
      EXPECT_EQ(before.out.at(0, 0).row(i) != after.out.at(0, 0).row(i), sees_j)
          << "Sq=" << q_len << " Skv=" << kv_len << " query " << i << " key " << j;
    }
  }
}

TEST(AttentionReference, QueriesThatSeeNoKeyGiveZeroAndMinusInfinityLse) {
  const AttentionProblem p = problem(1, 1, 1, 7, 3, 4, 5, true);
  const Inputs in = random_inputs(p, 10);
  const AttentionResult r = attention_reference(p, in.q, in.k, in.v);
  for (std::int64_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(identical(r.out.at(0, 0).row(i), MatrixD::Zero(1, 5))) << "row " << i;
    EXPECT_EQ(r.lse(0, i), -kInfinity) << "row " << i;
  }
  EXPECT_TRUE(r.out.at(0, 0).bottomRows(3).allFinite());
}

TEST(AttentionReference, SingleKeyReturnsItsValueExactly) {
  const AttentionProblem p = problem(1, 2, 1, 3, 1, 8, 6, false);
  const Inputs in = random_inputs(p, 11);
  const AttentionResult r = attention_reference(p, in.q, in.k, in.v);
  for (std::int64_t h = 0; h < 2; ++h) {
    for (std::int64_t i = 0; i < 3; ++i) EXPECT_TRUE(identical(r.out.at(0, h).row(i), in.v.at(0, 0).row(0)));
    const MatrixD scores = p.softmax_scale * (in.q.at(0, h) * in.k.at(0, 0).transpose());
    for (std::int64_t i = 0; i < 3; ++i) EXPECT_NEAR(r.lse(h, i), scores(i, 0), 1e-15);
  }
}

TEST(AttentionReference, SoftmaxRowsSumToOneAndMaskedProbabilitiesAreZero) {
  // With V = I the output is the probability matrix P itself.
  const std::int64_t n = 50;
  const AttentionProblem p = problem(1, 1, 1, n, n, 16, n, true);
  Inputs in = random_inputs(p, 12);
  in.v.at(0, 0) = MatrixD::Identity(n, n);
  const MatrixD probabilities = attention_reference(p, in.q, in.k, in.v).out.at(0, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    EXPECT_NEAR(probabilities.row(i).sum(), 1.0, 1e-14) << "row " << i;
    EXPECT_GE(probabilities.row(i).minCoeff(), 0.0) << "row " << i;
    const std::int64_t masked = n - i - 1;  // keys j > i
    EXPECT_TRUE(identical(probabilities.row(i).tail(masked), MatrixD::Zero(1, masked))) << "row " << i;
  }
}

TEST(AttentionReference, LseOfEqualScoresIsTheLogOfTheVisibleCount) {
  const AttentionProblem p = problem(1, 1, 1, 5, 8, 4, 4, true);
  Inputs in = random_inputs(p, 13);
  in.q.at(0, 0).setZero();  // every score 0: lse_i = log(number of keys query i sees)
  const AttentionResult r = attention_reference(p, in.q, in.k, in.v);
  for (std::int64_t i = 0; i < p.q_len; ++i) EXPECT_EQ(r.lse(0, i), std::log(double(i + 1 + 8 - 5))) << "row " << i;
}

TEST(AttentionReference, GqaEqualsMultiHeadWithRepeatedKv) {
  const AttentionProblem gqa = problem(2, 6, 2, 12, 12, 16, 8, true);
  const Inputs in = random_inputs(gqa, 14);
  AttentionProblem mha = gqa;
  mha.kv_heads = 6;
  HeadMatrices k(2, 6, 12, 16), v(2, 6, 12, 8);
  for (std::int64_t b = 0; b < 2; ++b) {
    for (std::int64_t h = 0; h < 6; ++h) {
      k.at(b, h) = in.k.at(b, h / 3);
      v.at(b, h) = in.v.at(b, h / 3);
    }
  }
  const AttentionResult grouped = attention_reference(gqa, in.q, in.k, in.v);
  const AttentionResult repeated = attention_reference(mha, in.q, k, v);
  for (std::size_t i = 0; i < grouped.out.per_head.size(); ++i) {
    EXPECT_TRUE(identical(grouped.out.per_head[i], repeated.out.per_head[i])) << "head " << i;
  }
  EXPECT_TRUE(identical(grouped.lse, repeated.lse));
}

TEST(AttentionReference, ResultDoesNotDependOnTheThreadCount) {
  const AttentionProblem p = problem(2, 4, 2, 80, 96, 64, 48, true);
  const Inputs in = random_inputs(p, 15);
  const AttentionResult one = attention_reference(p, in.q, in.k, in.v, 1);
  for (unsigned threads : {2u, 3u, 8u, 0u}) {
    const AttentionResult many = attention_reference(p, in.q, in.k, in.v, threads);
    for (std::size_t i = 0; i < one.out.per_head.size(); ++i) {
      EXPECT_TRUE(identical(many.out.per_head[i], one.out.per_head[i])) << threads << " threads, head " << i;
    }
    EXPECT_TRUE(identical(many.lse, one.lse)) << threads << " threads";
  }
}

TEST(AttentionReference, RejectsBadProblemsAndOperandsNamingThem) {
  auto rejected = [](const AttentionProblem& p, const Inputs& in, std::initializer_list<const char*> parts) {
    try {
      attention_reference(p, in.q, in.k, in.v);
      ADD_FAILURE() << "accepted " << p;
    } catch (const std::invalid_argument& e) {
      for (const char* part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  const AttentionProblem good = problem(1, 4, 2, 3, 5, 8, 8, false);
  const Inputs in = random_inputs(good, 16);
  AttentionProblem bad = good;
  bad.kv_heads = 3;
  rejected(bad, in, {"kv_heads = 3 does not divide q_heads = 4"});
  bad = good;
  bad.softmax_scale = std::numeric_limits<double>::quiet_NaN();
  rejected(bad, in, {"softmax_scale", "finite"});
  bad = good;
  bad.kv_len = 0;
  rejected(bad, in, {"kv_len = 0", ">= 1"});
  Inputs wrong = in;
  wrong.k.at(0, 1) = MatrixD::Zero(5, 7);
  rejected(good, wrong, {"K at (batch 0, head 1) is 5x7", "needs 5x8"});
}

}  // namespace
}  // namespace fp8check::references
