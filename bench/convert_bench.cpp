// Throughput of whole-array conversion (harness/core/convert_bulk.hpp) per format and path,
// on arrays that stay in L1 (4096 elements: 16 KiB of floats) or L2 (65536: 256 KiB).
// Run: build/bench/convert_bench --benchmark_min_time=0.5  (results: docs/performance.md)
// Names read encode/<format>/<path>/<options>/<n>; items_per_second is elements per second.
#include <benchmark/benchmark.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/convert_bulk.hpp"

namespace fp8check {
namespace {

// Deterministic inputs spread over the format's range: values up to ~1.3x max with every
// sign and exponent, a few subnormals, NaNs and infinities (splitmix64, no std distributions).
std::vector<float> encode_inputs(Format f, std::size_t n) {
  const double max = decode(f, format_spec(f).max_magnitude_code());
  std::vector<float> v(n);
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < n; ++i) {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    const double unit = static_cast<double>(z >> 11) * 0x1.0p-53;  // [0, 1)
    const int octaves = 24;                                        // spread over 2^-24 .. 1.3 max
    double x = 1.3 * max * std::ldexp(1.0 + unit, -static_cast<int>(z % octaves)) / 2.0;
    if ((z >> 8) & 1) x = -x;
    v[i] = static_cast<float>(x);
  }
  for (std::size_t i = 0; i + 97 < n; i += 97) v[i] = std::bit_cast<float>(0x7FC00000u + static_cast<std::uint32_t>(i));
  for (std::size_t i = 13; i + 101 < n; i += 101) v[i] = std::bit_cast<float>(0xFF800000u);
  return v;
}

std::vector<std::uint8_t> all_codes(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  std::uint32_t x = 1;
  for (auto& c : v) {
    x = x * 1664525u + 1013904223u;  // every byte value, in a scrambled order
    c = static_cast<std::uint8_t>(x >> 24);
  }
  return v;
}

void encode_benchmark(benchmark::State& state, Format f, SimdPath path, EncodeOptions opt) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<float> in = encode_inputs(f, n);
  std::vector<std::uint8_t> out(n);
  for (auto _ : state) {
    detail::encode_array_on(path, f, in, out, opt);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * (sizeof(float) + 1)));
}

void decode_benchmark(benchmark::State& state, Format f, SimdPath path) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint8_t> in = all_codes(n);
  std::vector<float> out(n);
  for (auto _ : state) {
    detail::decode_array_on(path, f, in, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * (sizeof(float) + 1)));
}

std::string options_name(EncodeOptions opt) {
  return std::string(opt.saturate_finite ? "sat" : "nosat") + (opt.clamp_inf ? "_clampinf" : "_keepinf");
}

// The set follows the formats and the paths this CPU has.
void register_all() {
  std::vector<SimdPath> paths{SimdPath::scalar};
  if (cpu_has_avx2()) paths.push_back(SimdPath::avx2);
  const EncodeOptions all_options[] = {{Rounding::nearest_even, true, true},
                                       {Rounding::nearest_even, true, false},
                                       {Rounding::nearest_even, false, true},
                                       {Rounding::nearest_even, false, false}};
  for (Format f : kAllFormats) {
    if (format_spec(f).bits > 8) continue;
    for (SimdPath path : paths) {
      const std::string where = std::string(format_spec(f).name) + "/" + std::string(simd_path_name(path));
      // Every option set for the two OCP formats, the default (satfinite) for the others.
      const bool every_option = f == Format::e4m3fn || f == Format::e5m2;
      for (EncodeOptions opt : all_options) {
        if (!every_option && !(opt.saturate_finite && opt.clamp_inf)) continue;
        benchmark::RegisterBenchmark(("encode/" + where + "/" + options_name(opt)).c_str(), encode_benchmark, f,
                                     path, opt)
            ->Arg(4096)
            ->Arg(65536);
      }
      benchmark::RegisterBenchmark(("decode/" + where).c_str(), decode_benchmark, f, path)->Arg(4096)->Arg(65536);
    }
  }
}

}  // namespace
}  // namespace fp8check

int main(int argc, char** argv) {
  fp8check::register_all();
  benchmark::AddCustomContext("fp8check_active_simd_path",
                              std::string(fp8check::simd_path_name(fp8check::active_simd_path())));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
