// Quantize and dequantize throughput per recipe, the bulk path beside the element-by-element
// reference and the memory bandwidth of this machine in the same run (a copy of the same
// FP64 tensor): docs/performance.md, "Quantize".
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

// quantize() (the bulk path where it applies) and quantize_reference() (element by
// element, the definition it is tested against) on the same tensor, in the same run.
void BM_Quantize(benchmark::State& state, const char* recipe, const char* element, bool reference,
                 const char* convention = "exact") {
  const fp8check::MatrixD x = input(1024, 4096);
  const fp8check::Recipe r = fp8check::parse_recipe(recipe, fp8check::parse_element_type(element));
  fp8check::QuantizeOptions o;
  o.scale.convention = fp8check::parse_quant_convention(convention);
  for (auto _ : state)
    benchmark::DoNotOptimize(reference ? fp8check::quantize_reference(x, r, o) : fp8check::quantize(x, r, o));
  state.SetItemsProcessed(state.iterations() * x.size());
  state.SetBytesProcessed(state.iterations() * x.size() * static_cast<std::int64_t>(sizeof(double) + 1));
}

void BM_Dequantize(benchmark::State& state, const char* recipe, const char* element, bool reference) {
  const fp8check::MatrixD x = input(1024, 4096);
  const fp8check::QuantizedMatrix q =
      fp8check::quantize(x, fp8check::parse_recipe(recipe, fp8check::parse_element_type(element)));
  for (auto _ : state)
    benchmark::DoNotOptimize(reference ? fp8check::dequantize_reference(q) : fp8check::dequantize(q));
  state.SetItemsProcessed(state.iterations() * x.size());
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
BENCHMARK_CAPTURE(BM_Quantize, tensor_e4m3, "tensor", "e4m3fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, tensor_e4m3_reference, "tensor", "e4m3fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, row_e4m3, "row", "e4m3fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, row_e4m3_reference, "row", "e4m3fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_e4m3, "vec128", "e4m3fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_e4m3_reference, "vec128", "e4m3fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, blk128x128_e4m3, "blk128x128", "e4m3fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, blk128x128_e4m3_reference, "blk128x128", "e4m3fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_e5m2, "vec128", "e5m2", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_e5m2_reference, "vec128", "e5m2", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, mxfp8, "mxfp8", "e4m3fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, mxfp8_reference, "mxfp8", "e4m3fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, mxfp4, "mxfp4", "e2m1fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, mxfp4_reference, "mxfp4", "e2m1fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, nvfp4, "nvfp4", "e2m1fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, nvfp4_reference, "nvfp4", "e2m1fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, int4_g32, "int4_g32", "int4", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, int4_g32_reference, "int4_g32", "int4", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_deepgemm, "vec128", "e4m3fn", false, "deepgemm")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_deepgemm_reference, "vec128", "e4m3fn", true, "deepgemm")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_vllm, "vec128", "e4m3fn", false, "vllm")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Quantize, vec128_vllm_reference, "vec128", "e4m3fn", true, "vllm")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Dequantize, vec128_e4m3, "vec128", "e4m3fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Dequantize, vec128_e4m3_reference, "vec128", "e4m3fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Dequantize, mxfp4, "mxfp4", "e2m1fn", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Dequantize, mxfp4_reference, "mxfp4", "e2m1fn", true)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
