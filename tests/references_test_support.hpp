// Inputs and plain-loop models for the FP64 reference tests. The loop models accumulate in
// long double (64-bit significand), so they are exact on the integer-valued cases and
// ~2^11 times more accurate than FP64 elsewhere.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "references/attention_reference.hpp"
#include "references/gemm_reference.hpp"

namespace fp8check::references::test_support {

// std::mt19937_64's output is fixed by the standard; the std distributions are not, so
// values are made from the raw bits.
inline double uniform(std::mt19937_64& rng) {  // [-1, 1)
  return static_cast<double>(rng() >> 11) * 0x1p-52 - 1.0;
}

inline MatrixD random_matrix(std::int64_t rows, std::int64_t cols, std::mt19937_64& rng) {
  MatrixD m(rows, cols);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = uniform(rng);
  return m;
}

// Integers in [-bound, bound]: every product and sum below 2^53 is exact in FP64.
inline MatrixD integer_matrix(std::int64_t rows, std::int64_t cols, std::mt19937_64& rng, int bound = 8) {
  MatrixD m(rows, cols);
  const auto span = static_cast<std::uint64_t>(2 * bound + 1);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<double>(rng() % span) - bound;
  return m;
}

// Same shape and every entry == (so -0 equals +0, NaN equals nothing); names the first mismatch.
inline ::testing::AssertionResult identical(const MatrixD& actual, const MatrixD& expected) {
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
    return ::testing::AssertionFailure() << "shape " << actual.rows() << "x" << actual.cols() << " vs "
                                         << expected.rows() << "x" << expected.cols();
  }
  for (std::int64_t i = 0; i < actual.rows(); ++i) {
    for (std::int64_t j = 0; j < actual.cols(); ++j) {
      if (!(actual(i, j) == expected(i, j))) {
        return ::testing::AssertionFailure() << "(" << i << ", " << j << "): " << actual(i, j) << " vs "
                                             << expected(i, j);
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// The GEMM, and the bound of its FP64 evaluation error: (k + 4) · 2^-52 times the sum of
// the magnitudes of every term (Higham, "Accuracy and Stability", §3.5, with margin).
struct LoopGemm {
  MatrixD d;
  MatrixD error_bound;
};

inline LoopGemm loop_gemm(const GemmEpilogue& e, const MatrixD& a, const MatrixD& b, const MatrixD* c = nullptr,
                          const RowVectorD* bias = nullptr) {
  LoopGemm out{MatrixD(a.rows(), b.cols()), MatrixD(a.rows(), b.cols())};
  const long double gamma = static_cast<long double>(a.cols() + 4) * 0x1p-52L;
  for (std::int64_t i = 0; i < a.rows(); ++i) {
    for (std::int64_t j = 0; j < b.cols(); ++j) {
      long double dot = 0, magnitude = 0;
      for (std::int64_t p = 0; p < a.cols(); ++p) {
        const long double term = static_cast<long double>(a(i, p)) * b(p, j);
        dot += term;
        magnitude += std::fabs(term);
      }
      long double value = e.alpha * dot;
      magnitude *= std::fabs(e.alpha);
      if (e.beta != 0.0) {
        value += static_cast<long double>(e.beta) * (*c)(i, j);
        magnitude += std::fabs(static_cast<long double>(e.beta) * (*c)(i, j));
      }
      if (bias != nullptr) {
        value += (*bias)(j);
        magnitude += std::fabs(static_cast<long double>((*bias)(j)));
      }
      out.d(i, j) = static_cast<double>(value * e.out_scale);
      out.error_bound(i, j) = static_cast<double>(gamma * magnitude * std::fabs(e.out_scale));
    }
  }
  return out;
}

// Attention for one (batch, q head) straight from the definition, in long double.
struct LoopAttention {
  MatrixD out;
  VectorD lse;
};

inline LoopAttention loop_attention(const AttentionProblem& p, const MatrixD& q, const MatrixD& k,
                                    const MatrixD& v) {
  LoopAttention r{MatrixD::Zero(p.q_len, p.v_dim), VectorD(p.q_len)};
  for (std::int64_t i = 0; i < p.q_len; ++i) {
    std::vector<long double> scores;
    for (std::int64_t j = 0; j < p.kv_len; ++j) {
      if (p.causal && j > i + p.kv_len - p.q_len) break;
      long double dot = 0;
      for (std::int64_t d = 0; d < p.qk_dim; ++d) dot += static_cast<long double>(q(i, d)) * k(j, d);
      scores.push_back(dot * p.softmax_scale);
    }
    if (scores.empty()) {
      r.lse(i) = -std::numeric_limits<double>::infinity();
      continue;
    }
    long double max = scores[0], sum = 0;
    for (long double s : scores) max = std::max(max, s);
    for (long double s : scores) sum += std::exp(s - max);
    for (std::int64_t d = 0; d < p.v_dim; ++d) {
      long double acc = 0;
      for (std::size_t j = 0; j < scores.size(); ++j) acc += std::exp(scores[j] - max) * v(std::int64_t(j), d);
      r.out(i, d) = static_cast<double>(acc / sum);
    }
    r.lse(i) = static_cast<double>(max + std::log(sum));
  }
  return r;
}

inline HeadMatrices random_heads(std::int64_t batch, std::int64_t heads, std::int64_t rows, std::int64_t cols,
                                 std::mt19937_64& rng) {
  HeadMatrices t(batch, heads, rows, cols);
  for (MatrixD& m : t.per_head) m = random_matrix(rows, cols, rng);
  return t;
}

}  // namespace fp8check::references::test_support
