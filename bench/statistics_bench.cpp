// Error statistics of one output against its FP64 reference, per output type, beside a plain
// sum of squared differences over the same arrays in the same run: docs/performance.md,
// "Statistics". 1M elements (a 128 x 8192 output), one thread; the accumulator the GEMM judge
// runs element by element (add) and the whole-array form (add_range); bf16 ordinals through
// the codec and from the bits.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "harness/compare/error_statistics.hpp"
#include "harness/core/convert.hpp"
#include "harness/generate/distributions.hpp"

namespace {

constexpr std::int64_t kRows = 128, kCols = 8192;

struct Data {
  std::vector<double> out, ref;
};

// ref ~ N(0, 64); out = ref rounded to the output type, as a correctly rounding kernel writes it.
Data make_data(const fp8check::NumericType& type) {
  Data d;
  d.ref.resize(static_cast<std::size_t>(kRows * kCols));
  fp8check::generate(fp8check::Distribution::normal(0, 8), 7, d.ref);
  d.out.resize(d.ref.size());
  for (std::size_t i = 0; i < d.ref.size(); ++i) {
    if (const auto* f = std::get_if<fp8check::Format>(&type))
      d.out[i] = fp8check::decode(*f, fp8check::encode(*f, d.ref[i], fp8check::default_encode_options(*f)));
    else if (std::get<fp8check::IeeeFloat>(type) == fp8check::IeeeFloat::fp32)
      d.out[i] = static_cast<float>(d.ref[i]);
    else
      d.out[i] = d.ref[i] + 1e-9;
  }
  return d;
}

void BM_StatisticsAdd(benchmark::State& state, fp8check::NumericType type) {
  const Data d = make_data(type);
  fp8check::StatisticsOptions options;
  options.output_type = type;
  for (auto _ : state) {
    fp8check::StatisticsAccumulator acc(kCols, options);
    for (std::size_t i = 0; i < d.out.size(); ++i) acc.add(d.out[i], d.ref[i], static_cast<std::int64_t>(i));
    benchmark::DoNotOptimize(acc.finish());
  }
  state.SetItemsProcessed(state.iterations() * kRows * kCols);
}

void BM_StatisticsAddRange(benchmark::State& state, fp8check::NumericType type) {
  const Data d = make_data(type);
  fp8check::StatisticsOptions options;
  options.output_type = type;
  for (auto _ : state) {
    fp8check::StatisticsAccumulator acc(kCols, options);
    acc.add_range(d.out, d.ref, 0);
    benchmark::DoNotOptimize(acc.finish());
  }
  state.SetItemsProcessed(state.iterations() * kRows * kCols);
}

// What one pass over the two arrays costs at least: a plain sum of squared differences.
void BM_SumOfSquares(benchmark::State& state) {
  const Data d = make_data(fp8check::Format::bf16);
  for (auto _ : state) {
    double sum = 0;
    for (std::size_t i = 0; i < d.out.size(); ++i) sum += (d.out[i] - d.ref[i]) * (d.out[i] - d.ref[i]);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kRows * kCols);
}

// The two ordinals of one element in bf16: through the exact codec (what add() used before
// issue 14, still the reference) and from the double's bits (ulp_distance.hpp).
void BM_Bf16Ordinals(benchmark::State& state, bool codec) {
  const Data d = make_data(fp8check::Format::bf16);
  for (auto _ : state) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < d.out.size(); ++i) {
      if (codec)
        sum += *fp8check::detail::format_ordinal<fp8check::Format::bf16>(d.out[i]) -
               *fp8check::detail::format_rounded_ordinal<fp8check::Format::bf16>(d.ref[i]);
      else
        sum += *fp8check::detail::ieee_value_ordinal<fp8check::Format::bf16>(d.out[i]) -
               fp8check::detail::ieee_rounded_ordinal<fp8check::Format::bf16>(d.ref[i]);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kRows * kCols);
}

using fp8check::Format;
using fp8check::IeeeFloat;

}  // namespace

BENCHMARK(BM_SumOfSquares)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Bf16Ordinals, codec, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Bf16Ordinals, bits, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAdd, bf16, Format::bf16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAddRange, bf16, Format::bf16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAdd, fp16, Format::fp16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAddRange, fp16, Format::fp16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAdd, fp32, IeeeFloat::fp32)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAddRange, fp32, IeeeFloat::fp32)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAdd, e4m3fn, Format::e4m3fn)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAddRange, e4m3fn, Format::e4m3fn)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAdd, fp64, IeeeFloat::fp64)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StatisticsAddRange, fp64, IeeeFloat::fp64)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
