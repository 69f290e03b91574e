// The emulated GEMM (fp32 and the sm90-wgmma.p128 kernel model, per-tensor and DeepSeek-V3
// scales), and the kernel models' chain GEMM alone, against Eigen's float GEMM
// (Eigen::MatrixXf product) on the same shape, same build flags, 1 and 2 threads each
// (docs/performance.md, "Emulated GEMM", "Tensor-core kernel models").
// Eigen runs multi-threaded only under OpenMP; this program is built with it when
// available and says so in the context ("eigen_openmp"). Wall time (UseRealTime).
//
// The emulated runs include packing (decoding e4m3 codes once), as every call does.
// Arguments: size (M = N = K), threads. FP8CHECK_SIMD=scalar forces the scalar kernels.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/convert_bulk.hpp"
#include "kernels/emulated/gemm_emulated.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"
#include "kernels/emulated/mma/fp8_chain_gemm.hpp"

namespace fp8check {
namespace {

std::uint64_t next_random(std::uint64_t& state) {  // splitmix64
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Finite e4m3fn codes (the NaN codes 0x7F, 0xFF are skipped).
std::vector<std::uint8_t> random_e4m3_codes(std::int64_t count, std::uint64_t seed) {
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(count));
  for (auto& c : codes) {
    const std::uint64_t r = next_random(seed);
    c = static_cast<std::uint8_t>((r % 0x7F) | ((r >> 8) & 0x80));
  }
  return codes;
}

void BM_EigenFloatGemm(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  Eigen::setNbThreads(static_cast<int>(state.range(1)));
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(n, n), b = Eigen::MatrixXf::Random(n, n);
  Eigen::MatrixXf c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["threads_used"] = Eigen::nbThreads();
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

// recipe 0: per-tensor scales (applied in the epilogue); 1: DeepSeek-V3 1x128 / 128x128.
void run_emulated(benchmark::State& state, const char* model_id, int recipe) {
  const std::int64_t n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const std::vector<std::uint8_t> a_codes = random_e4m3_codes(n * n, 1), b_codes = random_e4m3_codes(n * n, 2);
  GemmOperand a = GemmOperand::of_codes(a_codes.data(), Format::e4m3fn, n, n, true);
  GemmOperand b = GemmOperand::of_codes(b_codes.data(), Format::e4m3fn, n, n, true);
  const std::int64_t groups = (n + 127) / 128;
  std::vector<float> a_scales(static_cast<std::size_t>(n * groups), 0.01f),
      b_scales(static_cast<std::size_t>(groups * groups), 0.02f);
  if (recipe == 0) {
    a.scales = BlockScales::k_contiguous(a_scales.data(), {0, 0}, 1);
    b.scales = BlockScales::k_contiguous(b_scales.data(), {0, 0}, 1);
  } else {
    a.scales = BlockScales::mn_contiguous(a_scales.data(), {1, 128}, n);  // DeepGEMM: column-major A scales
    b.scales = BlockScales::k_contiguous(b_scales.data(), {128, 128}, groups);
  }
  GemmProblem p;
  p.m = p.n = p.k = n;
  p.output = OutputType::bf16;
  const GemmConfig config = parse_gemm_config("bm128.bn128.bk128.s4");
  const AccumulationModel model = parse_accumulation_model(model_id);
  GemmOutput out;
  for (auto _ : state) {
    gemm_emulated(p, a, b, config, model, out, threads);
    benchmark::DoNotOptimize(out.bits.data());
  }
  state.SetLabel(std::string(model_id) + (recipe == 0 ? " per-tensor" : " 1x128/128x128") + " simd=" +
                 std::string(simd_path_name(active_simd_path())));
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

// A tensor-core kernel model through mma_chain_gemm (kernels/emulated/mma/): the FP8 lanes
// when the CPU has AVX2; FP8CHECK_SIMD=scalar runs the scalar model (minutes at 4096).
// Includes packing; the output is the FP32 d bits (no epilogue).
void run_chain(benchmark::State& state, const char* kernel) {
  const std::int64_t n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const std::vector<std::uint8_t> a8 = random_e4m3_codes(n * n, 1), b8 = random_e4m3_codes(n * n, 2);
  const std::vector<std::uint16_t> a(a8.begin(), a8.end()), b(b8.begin(), b8.end());
  ChainGemmOperands p;
  p.m = p.n = p.k = n, p.a = a, p.b = b;
  const KernelModel model = parse_kernel_model(kernel);
  const bool lanes = detail::fp8_chain_gemm_applies(model.instruction(Format::e4m3fn, Format::e4m3fn));
  for (auto _ : state) {
    const std::vector<std::uint32_t> d = mma_chain_gemm(model, p, threads);
    benchmark::DoNotOptimize(d.data());
  }
  state.SetLabel(std::string(kernel) + (lanes ? " fp8 lanes (avx2)" : " scalar model"));
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::kIs1000);
}

void BM_MmaSm90WgmmaP128(benchmark::State& s) { run_chain(s, "sm90-wgmma.p128"); }
void BM_MmaSm90Wgmma(benchmark::State& s) { run_chain(s, "sm90-wgmma"); }
void BM_MmaSm89Mma(benchmark::State& s) { run_chain(s, "sm89-mma"); }

void BM_EmulatedFp32(benchmark::State& s) { run_emulated(s, "fp32", 0); }
void BM_EmulatedFp32DeepSeekScales(benchmark::State& s) { run_emulated(s, "fp32", 1); }
// Kernel models through the GEMM emulation (packing, windows, split-K reduction, epilogue).
void BM_EmulatedSm90WgmmaP128(benchmark::State& s) { run_emulated(s, "sm90-wgmma.p128", 0); }
void BM_EmulatedSm90WgmmaP128DeepSeekScales(benchmark::State& s) { run_emulated(s, "sm90-wgmma.p128", 1); }

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"size", "threads"});
  for (int threads : {1, 2}) b->Args({1024, threads})->Args({4096, threads});
  b->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(1.0);
}

BENCHMARK(BM_EigenFloatGemm)->Apply(shapes);
BENCHMARK(BM_EmulatedFp32)->Apply(shapes);
BENCHMARK(BM_EmulatedFp32DeepSeekScales)->Apply(shapes);
BENCHMARK(BM_EmulatedSm90WgmmaP128)->Apply(shapes);
BENCHMARK(BM_EmulatedSm90WgmmaP128DeepSeekScales)->Apply(shapes);
BENCHMARK(BM_MmaSm90WgmmaP128)->Apply(shapes);
BENCHMARK(BM_MmaSm90Wgmma)->Apply(shapes);
BENCHMARK(BM_MmaSm89Mma)->Apply(shapes);

}  // namespace
}  // namespace fp8check

int main(int argc, char** argv) {
#ifdef _OPENMP
  benchmark::AddCustomContext("eigen_openmp", "yes");
#else
  benchmark::AddCustomContext("eigen_openmp", "no (Eigen runs single-threaded whatever threads says)");
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
