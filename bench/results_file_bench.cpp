// Results files (harness/record/results_file.hpp): write and read time and file size of a
// realistic run - 200 GEMM cases with SxS outputs (S = 32, 64, 256: 1K, 4K, 64K elements)
// and full statistics - stored contiguous, deflate-compressed, and byte-shuffled +
// deflate-compressed (every output, whatever its size). This is what ResultsWriteOptions'
// defaults were chosen from (docs/performance.md, "Results files").
// Run: build/bench/results_file_bench   (writes to $TMPDIR; each write ends with fsync)
// Names read write|read/<type>/<side>/<storage>. Counters: file_MiB = file size;
// bytes_per_second = output values (8 bytes each) per second.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/record/results_file.hpp"

namespace fp8check::record {
namespace {

namespace fs = std::filesystem;

constexpr int kCases = 200;

// The output of a K=4096 GEMM of N(0,1) inputs, N(0, 64) entries, rounded to `type` as a
// kernel writing it would (bf16: 8 significant bits; fp32: 24).
std::vector<double> output_values(const std::string& type, std::int64_t side, std::uint64_t key) {
  std::vector<double> v(static_cast<std::size_t>(side * side));
  generate(Distribution::normal(0.0, 64.0), key, v);
  for (double& x : v)
    x = type == "bf16" ? decode(Format::bf16, encode(Format::bf16, x)) : static_cast<double>(static_cast<float>(x));
  return v;
}

ErrorStatistics statistics(const std::vector<double>& out, std::int64_t side) {
  ErrorStatistics s;
  s.output_type = Format::bf16;
  s.element_count = s.finite_count = static_cast<std::int64_t>(out.size());
  s.max_abs_error = 0.25;
  s.relative_frobenius = 0.002;
  for (std::int64_t i = 0; i < 10; ++i) {
    const std::int64_t at = i * 97;
    s.worst.push_back({at, at / side, at % side, out[at], out[at] + 0.125, 0.125});
  }
  s.ulp_histogram[0] = s.element_count;
  return s;
}

std::vector<CaseResult> realistic_run(const std::string& type, std::int64_t side) {
  std::vector<CaseResult> cases(kCases);
  for (int i = 0; i < kCases; ++i) {
    CaseResult& c = cases[static_cast<std::size_t>(i)];
    c.id = "gemm/m=" + std::to_string(side) + "/n=" + std::to_string(side) + "/k=4096/case=" + std::to_string(i);
    c.op = "gemm";
    c.params = {{"m", std::to_string(side)}, {"n", std::to_string(side)}, {"k", "4096"}, {"format", "e4m3fn"}};
    c.backend = "emulated";
    c.config = "bm128.bn128.bk128.s4";
    c.checks = {{"kernel max_abs_error / a-priori bound", 0.25, 1.0, true, "gamma_K u"}};
    c.output = OutputRecord{type, side, side, "0123456789abcdef", true, {}, output_values(type, side, 1000 + i)};
    c.kernel_error = c.total_error = statistics(c.output->values, side);
    c.metrics = {{"bound", 1.0}};
  }
  return cases;
}

ResultsWriteOptions storage(int mode) {
  ResultsWriteOptions o;
  o.compress_min_elements = mode == 0 ? 0 : 1;
  o.gzip_level = mode == 3 ? 6 : 1;
  o.shuffle = mode >= 2;
  return o;
}

const char* const kModes[] = {"contiguous", "deflate1", "shuffle+deflate1", "shuffle+deflate6"};

fs::path bench_path(const char* what) {
  return fs::temp_directory_path() / ("fp8check_results_bench." + std::to_string(::getpid()) + "." + what + ".h5");
}

void write_benchmark(benchmark::State& state, const std::string& type, std::int64_t side, int mode) {
  const std::vector<CaseResult> cases = realistic_run(type, side);
  const fs::path path = bench_path("write");
  for (auto _ : state) write_results(path, RunMetadata{}, cases, storage(mode));
  state.counters["file_MiB"] = static_cast<double>(fs::file_size(path)) / (1 << 20);
  state.SetBytesProcessed(state.iterations() * kCases * side * side * 8);
  fs::remove(path);
}

void read_benchmark(benchmark::State& state, const std::string& type, std::int64_t side, int mode) {
  const fs::path path = bench_path("read");
  write_results(path, RunMetadata{}, realistic_run(type, side), storage(mode));
  for (auto _ : state) benchmark::DoNotOptimize(read_results(path).cases.size());
  state.SetBytesProcessed(state.iterations() * kCases * side * side * 8);
  fs::remove(path);
}

[[maybe_unused]] const bool registered = [] {
  for (const std::int64_t side : {32, 64, 256}) {
    for (const std::string type : {"bf16", "fp32"}) {
      for (int mode = 0; mode < 4; ++mode) {
        const std::string name = type + "/" + std::to_string(side) + "/" + kModes[mode];
        benchmark::RegisterBenchmark(("write/" + name).c_str(), write_benchmark, type, side, mode)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->Iterations(3);
        benchmark::RegisterBenchmark(("read/" + name).c_str(), read_benchmark, type, side, mode)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->Iterations(3);
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace fp8check::record

BENCHMARK_MAIN();
