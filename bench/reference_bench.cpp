// Speed of the FP64 references (docs/performance.md):
// - GEMM: OpenBLAS cblas_dgemm called directly vs gemm_reference on the same shapes, in the
//   same run; counter flops is FP64 FLOP/s (2·M·N·K per product).
// - Attention: 8 heads × 1024 × 128 (Sq = Skv), causal and not, heads shared by `threads`
//   std::threads (0: the library's choice).
// Run: build/bench/reference_bench --benchmark_min_time=1
//      OPENBLAS_NUM_THREADS=1 build/bench/reference_bench --benchmark_filter=attention
// - Softmax rows: the references' exponential (softmax_row.hpp) against std::exp.
// Names read dgemm_cblas/M/N/K, gemm_reference_into/M/N/K, attention/<causal>/<threads>.
// Time is wall-clock; CPU is the whole process's CPU time, every thread included.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "references/attention_reference.hpp"
#include "references/gemm_reference.hpp"
#include "references/softmax_row.hpp"

namespace fp8check::references {
namespace {

MatrixD random_matrix(std::int64_t rows, std::int64_t cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  MatrixD m(rows, cols);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<double>(rng() >> 11) * 0x1p-52 - 1.0;
  return m;
}

void set_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["flops"] = benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(product_backend());
}

void dgemm_cblas(benchmark::State& state) {
  const std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const MatrixD a = random_matrix(m, k, 1), b = random_matrix(k, n, 2);
  MatrixD d(m, n);
  for (auto _ : state) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k), 1.0, a.data(), int(k), b.data(),
                int(n), 0.0, d.data(), int(n));
    benchmark::DoNotOptimize(d.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * double(m) * double(n) * double(k));
}

void gemm_reference_into(benchmark::State& state) {
  const GemmProblem p{state.range(0), state.range(1), state.range(2), {}};
  const MatrixD a = random_matrix(p.m, p.k, 1), b = random_matrix(p.k, p.n, 2);
  MatrixD d(p.m, p.n);
  for (auto _ : state) {
    gemm_reference_into(p, a, b, d);
    benchmark::DoNotOptimize(d.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * double(p.m) * double(p.n) * double(p.k));
}

// The returning form allocates D (and the kernel touches fresh pages) on every call.
void gemm_reference_returning(benchmark::State& state) {
  const GemmProblem p{state.range(0), state.range(1), state.range(2), {}};
  const MatrixD a = random_matrix(p.m, p.k, 1), b = random_matrix(p.k, p.n, 2);
  for (auto _ : state) {
    const MatrixD d = gemm_reference(p, a, b);
    benchmark::DoNotOptimize(d.data());
  }
  set_flops(state, 2.0 * double(p.m) * double(p.n) * double(p.k));
}

void gemm_shapes(benchmark::internal::Benchmark* b) {
  b->Args({512, 512, 512})->Args({1024, 1024, 1024})->Args({2048, 2048, 2048})->Args({4096, 4096, 512});
  b->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();
}

// Each shape measured by both callers back to back, so they see the same machine state.
BENCHMARK(dgemm_cblas)->Apply(gemm_shapes);
BENCHMARK(gemm_reference_into)->Apply(gemm_shapes);
BENCHMARK(gemm_reference_returning)
    ->Args({4096, 4096, 512})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

void attention(benchmark::State& state) {
  const bool causal = state.range(0) != 0;
  const auto threads = static_cast<unsigned>(state.range(1));
  const AttentionProblem p{1, 8, 8, 1024, 1024, 128, 128, 1.0 / std::sqrt(128.0), causal};
  HeadMatrices q(1, 8, 1024, 128), k(1, 8, 1024, 128), v(1, 8, 1024, 128);
  for (std::int64_t h = 0; h < 8; ++h) {
    q.at(0, h) = random_matrix(1024, 128, 10 + std::uint64_t(h));
    k.at(0, h) = random_matrix(1024, 128, 20 + std::uint64_t(h));
    v.at(0, h) = random_matrix(1024, 128, 30 + std::uint64_t(h));
  }
  for (auto _ : state) {
    AttentionResult r = attention_reference(p, q, k, v, threads);
    benchmark::DoNotOptimize(r.out.per_head.data());
  }
  state.SetLabel(std::string(product_backend()) + " with " + std::to_string(openblas_get_num_threads()) +
                 " threads, " + (causal ? "causal" : "not causal"));
}
BENCHMARK(attention)
    ->ArgsProduct({{0, 1}, {0, 1, 2}})
    ->ArgNames({"causal", "threads"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// The softmax numerator of 1024-score rows: the references' exponential against std::exp
// (with the same max and sum). items_per_second counts scores.
void softmax_row_std_exp(benchmark::State& state) {
  const MatrixD scores = random_matrix(64, 1024, 40) * 8.0;
  MatrixD row(1, 1024);
  double total = 0.0;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < scores.rows(); ++i) {
      row = scores.row(i);
      const double max = row.maxCoeff();
      double sum = 0.0;
      for (std::int64_t j = 0; j < row.cols(); ++j) sum += row(0, j) = std::exp(row(0, j) - max);
      total += sum;
    }
  }
  benchmark::DoNotOptimize(total);
  state.SetItemsProcessed(state.iterations() * scores.size());
}

void softmax_row_references(benchmark::State& state) {
  const MatrixD scores = random_matrix(64, 1024, 40) * 8.0;
  MatrixD row(1, 1024);
  double total = 0.0;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < scores.rows(); ++i) {
      row = scores.row(i);
      total += detail::exponentiate_row(row.data(), row.cols()).sum;
    }
  }
  benchmark::DoNotOptimize(total);
  state.SetItemsProcessed(state.iterations() * scores.size());
}
BENCHMARK(softmax_row_std_exp);
BENCHMARK(softmax_row_references);

}  // namespace
}  // namespace fp8check::references

BENCHMARK_MAIN();
