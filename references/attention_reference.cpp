// The attention reference: one (batch, q head) pair at a time, two GEMMs around a stable
// FP64 softmax, pairs shared among std::threads.
#include "references/attention_reference.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <ostream>
#include <string>
#include <thread>

#include "references/dense_product.hpp"
#include "references/operand_checks.hpp"
#include "references/softmax_row.hpp"

namespace fp8check::references {

using detail::describe;
using detail::require_positive;

namespace {

// out = softmax(s·q·kᵀ + mask)·v for one head, lse[i] = log Σ_j exp(scores_ij). `scores`
// is scratch (q_len × kv_len); it holds the scores, then the unnormalized probabilities.
void attend_one_head(const AttentionProblem& p, const MatrixD& q, const MatrixD& k, const MatrixD& v,
                     MatrixD& scores, MatrixD& out, double* lse) {
  detail::multiply(p.softmax_scale, q, k, detail::Operand::transposed, scores);
  VectorD row_sums(p.q_len);
  const std::int64_t shift = p.kv_len - p.q_len;  // bottom-right causal alignment
  for (std::int64_t i = 0; i < p.q_len; ++i) {
    const std::int64_t visible = p.causal ? std::clamp<std::int64_t>(i + shift + 1, 0, p.kv_len) : p.kv_len;
    double* row = scores.row(i).data();  // row-major: contiguous
    std::fill(row + visible, row + p.kv_len, 0.0);
    if (visible == 0) {  // nothing to attend to: output row 0 (below), lse = log 0
      row_sums[i] = 0.0;
      lse[i] = -std::numeric_limits<double>::infinity();
      continue;
    }
    const detail::SoftmaxRow softmax = detail::exponentiate_row(row, visible);
    row_sums[i] = softmax.sum;
    lse[i] = softmax.max + std::log(softmax.sum);
  }
  detail::multiply(1.0, scores, v, detail::Operand::as_is, out);
  for (std::int64_t i = 0; i < p.q_len; ++i) {
    if (row_sums[i] != 0.0) out.row(i) /= row_sums[i];
  }
}

void check_heads(const std::string& context, const char* name, const HeadMatrices& t, std::int64_t batch,
                 std::int64_t heads, std::int64_t rows, std::int64_t cols) {
  const std::string operand(name);
  detail::require_length(context, operand + ".batch", t.batch, batch);
  detail::require_length(context, operand + ".heads", t.heads, heads);
  detail::require_length(context, operand + ".per_head (batch · heads matrices)",
                         static_cast<std::int64_t>(t.per_head.size()), batch * heads);
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t h = 0; h < heads; ++h) {
      detail::require_shape(context, operand + " at (batch " + std::to_string(b) + ", head " + std::to_string(h) + ")",
                            t.at(b, h), rows, cols);
    }
  }
}

// Heads on several threads only when each product runs on one: a multi-threaded BLAS called
// from several threads at once oversubscribes the cores (docs/performance.md has the numbers).
unsigned default_threads() {
  if (detail::product_threads() > 1) return 1;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

HeadMatrices::HeadMatrices(std::int64_t batch_count, std::int64_t head_count, std::int64_t rows, std::int64_t cols)
    : batch(batch_count),
      heads(head_count),
      per_head(static_cast<std::size_t>(batch_count * head_count), MatrixD::Zero(rows, cols)) {}

void AttentionProblem::validate() const {
  const std::string context = describe(*this);
  require_positive(context, "batch", batch);
  require_positive(context, "q_heads", q_heads);
  require_positive(context, "kv_heads", kv_heads);
  require_positive(context, "q_len", q_len);
  require_positive(context, "kv_len", kv_len);
  require_positive(context, "qk_dim", qk_dim);
  require_positive(context, "v_dim", v_dim);
  if (q_heads % kv_heads != 0) {
    detail::fail(context + ": kv_heads = " + std::to_string(kv_heads) + " does not divide q_heads = " +
                 std::to_string(q_heads) + "; GQA needs q_heads to be a multiple of kv_heads (MQA: kv_heads = 1)");
  }
  detail::require_finite(context, "softmax_scale (usually 1/sqrt(qk_dim))", softmax_scale);
}

std::ostream& operator<<(std::ostream& os, const AttentionProblem& p) {
  return os << "attention {batch=" << p.batch << ", q_heads=" << p.q_heads << ", kv_heads=" << p.kv_heads
            << ", q_len=" << p.q_len << ", kv_len=" << p.kv_len << ", qk_dim=" << p.qk_dim << ", v_dim=" << p.v_dim
            << ", softmax_scale=" << detail::exact_text(p.softmax_scale) << ", causal=" << (p.causal ? "yes" : "no")
            << '}';
}

AttentionResult attention_reference(const AttentionProblem& problem, const HeadMatrices& q, const HeadMatrices& k,
                                    const HeadMatrices& v, unsigned threads) {
  problem.validate();
  const std::string context = describe(problem);
  check_heads(context, "Q", q, problem.batch, problem.q_heads, problem.q_len, problem.qk_dim);
  check_heads(context, "K", k, problem.batch, problem.kv_heads, problem.kv_len, problem.qk_dim);
  check_heads(context, "V", v, problem.batch, problem.kv_heads, problem.kv_len, problem.v_dim);

  AttentionResult result{HeadMatrices(problem.batch, problem.q_heads, problem.q_len, problem.v_dim),
                         MatrixD(problem.batch * problem.q_heads, problem.q_len)};
  const std::int64_t pairs = problem.batch * problem.q_heads;
  if (threads == 0) threads = default_threads();
  const auto workers = static_cast<std::int64_t>(std::min<std::int64_t>(threads, pairs));

  // Worker w takes pairs w, w + workers, ...: every pair is computed alone, so which
  // worker computes it cannot change its bits.
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(workers));
  auto work = [&](std::int64_t w) {
    try {
      MatrixD scores(problem.q_len, problem.kv_len);
      for (std::int64_t pair = w; pair < pairs; pair += workers) {
        const std::int64_t b = pair / problem.q_heads;
        const std::int64_t h = pair % problem.q_heads;
        const std::int64_t g = problem.kv_head_of(h);
        attend_one_head(problem, q.at(b, h), k.at(b, g), v.at(b, g), scores, result.out.at(b, h),
                        result.lse.row(pair).data());
      }
    } catch (...) {
      failures[static_cast<std::size_t>(w)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (std::int64_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return result;
}

}  // namespace fp8check::references
