// Writes a small results file with known contents for the Python tests
// (results_h5py_test.py reads it with h5py and h5dump; tests/cli/results_cli_test.py
// drives compare, golden update and merge with it).
//   results_sample OUT.h5 base|changed|shard1|shard2
// changed: one output element of the emulated case differs from base (index 2: 1.5078125
// instead of 1.5). shard1/shard2: the cases split into shards 0/2 and 1/2 of one run.
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "harness/core/error.hpp"
#include "harness/record/results_file.hpp"

namespace {

using namespace fp8check;
constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

ErrorStatistics statistics(double max_abs_error, double relative_frobenius) {
  ErrorStatistics s;
  s.output_type = Format::bf16;
  s.element_count = 6;
  s.finite_count = 4;
  s.max_abs_error = max_abs_error;
  s.relative_frobenius = relative_frobenius;
  s.sqnr_db = -kInf;
  s.max_ulp = std::numeric_limits<std::uint64_t>::max();
  for (std::size_t b = 0; b < s.ulp_histogram.size(); ++b) s.ulp_histogram[b] = static_cast<std::int64_t>(b * b);
  s.worst = {{1, 0, 1, -0.0, 1e-300, 1e-300}};
  return s;
}

CaseResult emulated_case(bool changed) {
  CaseResult c;
  c.id = "gemm/emulated/m=2/n=3";
  c.op = "gemm";
  c.params = {{"m", "2"}, {"n", "3"}, {"format", "e4m3fn"}};
  c.seed_key = "0x0123456789abcdef";
  c.backend = "emulated";
  c.config = "-";
  c.checks = {{"kernel max_abs_error / bound", 0.5, 1.0, true, "gamma_K u"},
              {"unexpected NaN", kNaN, 0.0, false, "none allowed"}};
  c.kernel_error = statistics(0.0625, kInf);
  c.metrics = {{"bound", 0.125}};
  c.output = OutputRecord{"bf16", 2, 3, "0123456789abcdef", true, {}, {1.0, -0.0, 1.5, kInf, kNaN, 0x1p-133}};
  if (changed) c.output->values[2] = 1.5078125;
  c.seconds = 0.25;
  return c;
}

CaseResult cuda_case() {
  CaseResult c;
  c.id = "gemm/cuda/m=64/n=128";
  c.op = "gemm";
  c.params = {{"m", "64"}, {"n", "128"}};
  c.backend = "cuda";
  c.config = "bm128.bn128.bk128.s4";
  c.kernel_error = statistics(0.001, 1e-4);
  c.output = OutputRecord{"fp32", 64, 128, "00000000deadbeef", true, {}, {}};
  for (int i = 0; i < 64 * 128; ++i) c.output->values.push_back(0.5 * i);  // 8192 elements: compressed
  return c;
}

CaseResult skipped_case() {
  CaseResult c;
  c.id = "quantize/skipped";
  c.op = "quantize";
  c.backend = "cuda";
  c.config = "-";
  c.verdict = Verdict::skipped;
  c.reason = "e4m3fn needs native FP8, sm_89+; device is sm_86";
  return c;
}

CaseResult sampled_case() {
  CaseResult c;
  c.id = "gemm/cuda/sampled";
  c.op = "gemm";
  c.backend = "cuda";
  c.config = "-";
  c.total_error = statistics(2.0, 0.5);
  c.output = OutputRecord{"fp32", 1000, 3000, "fedcba9876543210", false, {0, 2999999, 12345}, {-0.0, kNaN, -kInf}};
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string variant = argc == 3 ? argv[2] : "";
  if (variant != "base" && variant != "changed" && variant != "shard1" && variant != "shard2") {
    std::fprintf(stderr, "usage: results_sample OUT.h5 base|changed|shard1|shard2\n");
    return 2;
  }
  RunMetadata m;
  m.fp8check_version = "0.1.0";
  m.git_sha = "unknown";
  m.compiler = "test";
  m.cuda_version = "none";
  m.device = "cpu";
  m.host = variant == "shard2" ? "host-b" : "host-a";
  m.started_at = variant == "shard2" ? "2026-11-22T00:02:00Z" : "2026-11-22T00:01:00Z";
  m.suite_name = "smoke";
  m.suite_file = "suites/smoke.toml";
  m.filter = "*";
  m.seed = std::numeric_limits<std::uint64_t>::max();
  m.command_line = std::string("results_sample OUT.h5 ") + variant;
  std::vector<CaseResult> cases;
  if (variant == "shard1" || variant == "shard2") {
    m.shard = variant == "shard1" ? "0/2" : "1/2";
    m.shard_source = "--shard";
    cases = variant == "shard1" ? std::vector{emulated_case(false), skipped_case()}
                                : std::vector{cuda_case(), sampled_case()};
  } else {
    cases = {emulated_case(variant == "changed"), cuda_case(), skipped_case(), sampled_case()};
  }
  try {
    record::write_results(argv[1], m, cases);
  } catch (const Error& e) {
    std::fprintf(stderr, "results_sample: %s\n", e.what());
    return 2;
  }
  return 0;
}
