// Input generation per distribution and path (scalar, avx2), beside Philox alone and a
// plain fill of the same buffer in the same run: docs/performance.md, "Inputs".
// The buffer (1M doubles, 8 MiB) is allocated once, so page faults are not measured.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "harness/core/convert_bulk.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/generate/philox_bits.hpp"
#include "harness/generate/seed.hpp"

namespace {

constexpr std::size_t kElements = std::size_t{1} << 20;
const std::uint64_t kKey = fp8check::tensor_key(1, "bench/generate", "B");

bool skip_unavailable(benchmark::State& state, fp8check::SimdPath path) {
  if (path == fp8check::SimdPath::avx2 && !fp8check::cpu_has_avx2()) {
    state.SkipWithError("this CPU lacks AVX2");
    return true;
  }
  return false;
}

void BM_Generate(benchmark::State& state, fp8check::SimdPath path, const char* distribution) {
  if (skip_unavailable(state, path)) return;
  const fp8check::Distribution d = fp8check::parse_distribution(distribution);
  std::vector<double> out(kElements);
  for (auto _ : state) {
    fp8check::detail::generate_on(path, d, kKey, out);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kElements));
}

// generate() on `threads` threads (the default path), wall time.
void BM_GenerateThreads(benchmark::State& state, const char* distribution) {
  const fp8check::Distribution d = fp8check::parse_distribution(distribution);
  std::vector<double> out(kElements);
  for (auto _ : state) {
    fp8check::generate(d, kKey, out, 0, static_cast<int>(state.range(0)));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kElements));
}

// Philox4x32-10 alone: words 0-1 of one block per element (what most distributions use).
void BM_PhiloxBits(benchmark::State& state, fp8check::SimdPath path) {
  if (skip_unavailable(state, path)) return;
  std::vector<std::uint64_t> lo(kElements);
  for (auto _ : state) {
    fp8check::detail::philox_bits_on(path, kKey, 0, 0, lo);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kElements));
}

// What memory allows: writing the same buffer.
void BM_Fill(benchmark::State& state) {
  std::vector<double> out(kElements);
  for (auto _ : state) {
    std::fill(out.begin(), out.end(), 1.0);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kElements));
}

using fp8check::SimdPath;

}  // namespace

BENCHMARK(BM_Fill)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PhiloxBits, scalar, SimdPath::scalar)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PhiloxBits, avx2, SimdPath::avx2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, normal/scalar, SimdPath::scalar, "normal")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, normal/avx2, SimdPath::avx2, "normal")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, outliers/scalar, SimdPath::scalar, "llm_activation")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, outliers/avx2, SimdPath::avx2, "llm_activation")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, uniform/scalar, SimdPath::scalar, "uniform")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, uniform/avx2, SimdPath::avx2, "uniform")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, integers/scalar, SimdPath::scalar, "integers")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, integers/avx2, SimdPath::avx2, "integers")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, tiny/scalar, SimdPath::scalar, "tiny")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, tiny/avx2, SimdPath::avx2, "tiny")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, all_zero_blocks/scalar, SimdPath::scalar, "all_zero_blocks")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, all_zero_blocks/avx2, SimdPath::avx2, "all_zero_blocks")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, normal_specials/scalar, SimdPath::scalar, "normal+specials")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, normal_specials/avx2, SimdPath::avx2, "normal+specials")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GenerateThreads, normal, "normal")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
