// Quantize throughput per recipe, beside the memory bandwidth of this machine in the
// same run (a copy of the same FP64 tensor): docs/performance.md, "Quantize".
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "harness/generate/distributions.hpp"
#include "harness/quantize/quantize.hpp"

namespace {

fp8check::MatrixD input(std::int64_t rows, std::int64_t cols) {
  fp8check::MatrixD x(rows, cols);
  fp8check::generate(fp8check::Distribution::normal(), 42, std::span<double>(x.data(), static_cast<std::size_t>(x.size())));
  return x;
}

void BM_Quantize(benchmark::State& state, const char* recipe, const char* element) {
  const fp8check::MatrixD x = input(1024, 4096);
  const fp8check::Recipe r = fp8check::parse_recipe(recipe, fp8check::parse_element_type(element));
  for (auto _ : state) benchmark::DoNotOptimize(fp8check::quantize(x, r));
  state.SetItemsProcessed(state.iterations() * x.size());
  state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(double) + 1));
}

// What memory allows: reading the FP64 tensor and writing as many bytes as codes.
void BM_MemoryCopy(benchmark::State& state) {
  const fp8check::MatrixD x = input(1024, 4096);
  std::vector<double> out(static_cast<std::size_t>(x.size()));
  for (auto _ : state) {
    std::memcpy(out.data(), x.data(), out.size() * sizeof(double));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * x.size());
  state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(2 * sizeof(double)));
}

}  // namespace

BENCHMARK(BM_MemoryCopy)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, tensor_e4m3, "tensor", "e4m3fn")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, row_e4m3, "row", "e4m3fn")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_e4m3, "vec128", "e4m3fn")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, blk128x128_e4m3, "blk128x128", "e4m3fn")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, mxfp8, "mxfp8", "e4m3fn")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, mxfp4, "mxfp4", "e2m1fn")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, nvfp4, "nvfp4", "e2m1fn")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, int4_g32, "int4_g32", "int4")->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
