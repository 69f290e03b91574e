// Shared by the results, merge and golden tests: sample run metadata
// and cases with every field set, and a field-by-field comparison with doubles compared
// by their bits (so NaN payloads, -0 and infinities must survive).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "harness/record/results_file.hpp"

namespace fp8check::record::testing {

namespace fs = std::filesystem;

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline const double kNaN = std::numeric_limits<double>::quiet_NaN();

// A fresh directory per test, removed afterwards.
class ResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("fp8check_results_test." + std::to_string(::getpid()) + "." + info->test_suite_name() + "." + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

inline RunMetadata sample_metadata() {
  RunMetadata m;
  m.fp8check_version = "0.1.0";
  m.git_sha = "8ea982f";
  m.compiler = "GNU 12.2.0";
  m.compile_flags = "-O3 -ffp-contract=off";
  m.cuda_version = "none";
  m.device = "cpu (emulated)";
  m.host = "ci-1";
  m.started_at = "2026-11-22T00:00:00Z";
  m.suite_name = "smoke";
  m.suite_file = "suites/smoke.toml";
  m.suite_sha256 = std::string(64, 'a');
  m.filter = "*";
  m.seed = std::numeric_limits<std::uint64_t>::max();
  m.command_line = "fp8check run suites/smoke.toml --out r.h5";
  m.blas = "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64";
  m.blas_core = "Prescott";
  m.blas_threads = "2";
  m.blas_warning = "OpenBLAS runs its Prescott kernels (SSE) on a CPU with AVX-512";
  return m;
}

// Kernel-error statistics with both optional elements and a worst table; the given
// drift statistics, everything else fixed.
inline ErrorStatistics sample_statistics(double max_abs_error, double relative_frobenius) {
  ErrorStatistics s;
  s.output_type = Format::bf16;
  s.relative_floor = 0x1p-126;
  s.atol = 1e-5;
  s.rtol = 0.016;
  s.element_count = 4096;
  s.finite_count = 4094;
  s.max_abs_error = max_abs_error;
  s.max_relative_error = 0.00390625;
  s.max_relative_element = ElementReport{17, 0, 17, 1.25, 1.2578125, 0.0078125};
  s.mean_abs_error = 0.001;
  s.rms_error = 0.002;
  s.relative_frobenius = relative_frobenius;
  s.calc_diff = 1e-6;
  s.cosine_similarity = 0.999999;
  s.sqnr_db = 48.5;
  s.max_ulp = std::numeric_limits<std::uint64_t>::max();  // needs all 64 bits
  for (std::size_t b = 0; b < s.ulp_histogram.size(); ++b) s.ulp_histogram[b] = static_cast<std::int64_t>(b * b);
  s.over_tolerance_count = 2;
  s.over_tolerance_fraction = 2.0 / 4096;
  s.expected_specials = {1, 0, 0};
  s.unexpected_specials = {0, 1, 0};
  s.missing_specials = {0, 0, 1};
  s.special_mismatch_count = 2;
  s.first_special_mismatch = ElementReport{5, 0, 5, kInf, 3.0, kInf};
  s.worst = {{17, 0, 17, 1.25, 1.2578125, 0.0078125}, {64, 1, 0, -0.0, 1e-300, 1e-300}};
  return s;
}

// rows x cols output of `type` holding value(i) at flat index i.
template <class F>
OutputRecord complete_output(std::int64_t rows, std::int64_t cols, const std::string& type, F value) {
  OutputRecord o{type, rows, cols, "0123456789abcdef", true, {}, {}};
  for (std::int64_t i = 0; i < rows * cols; ++i) o.values.push_back(value(i));
  return o;
}

// A case with every field set: checks, both statistics, metrics and a complete output.
inline CaseResult full_case(const std::string& id, const std::string& backend = "emulated") {
  CaseResult c;
  c.id = id;
  c.op = "gemm";
  c.params = {{"m", "64"}, {"n", "64"}, {"k", "128"}, {"format", "e4m3fn"}};
  c.seed_key = "0x9e3779b97f4a7c15";
  c.backend = backend;
  c.config = "bm128.bn128.bk128.s4";
  c.verdict = Verdict::pass;
  c.checks = {{"kernel max_abs_error / a-priori bound", 0.5, 1.0, true, "gamma_K u"},
              {"unexpected NaN", kNaN, 0.0, false, "none allowed"},
              {"allclose", 3.0, kInf, true, ""}};
  c.kernel_error = sample_statistics(0.0625, 0.002);
  c.total_error = sample_statistics(0.25, 0.03);
  c.metrics = {{"bound", 0.125}, {"amax_d", 448.0}, {"nan_metric", kNaN}};
  c.output =
      complete_output(64, 64, "bf16", [](std::int64_t i) { return std::ldexp(static_cast<double>(i % 97) - 48, -4); });
  c.seconds = 0.0123;
  c.stage_seconds = {{"inputs", 0.001}, {"kernel", 0.0075}, {"statistics", 0.0012}};
  return c;
}

// A golden file read into memory.
inline ResultsFile golden_of(std::vector<CaseResult> cases) {
  return ResultsFile{"golden/smoke.h5", sample_metadata(), "", std::move(cases)};
}

// A GPU case (compared by drift) whose kernel error has these drift statistics.
inline CaseResult gpu_case(double max_abs_error, double relative_frobenius) {
  CaseResult c = full_case("gemm/cuda", "cuda");
  c.kernel_error = sample_statistics(max_abs_error, relative_frobenius);
  return c;
}

inline std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

inline void expect_same_element(const std::optional<ElementReport>& a, const std::optional<ElementReport>& b) {
  ASSERT_EQ(a.has_value(), b.has_value());
  if (!a) return;
  EXPECT_EQ(a->index, b->index);
  EXPECT_EQ(a->row, b->row);
  EXPECT_EQ(a->col, b->col);
  EXPECT_TRUE(same_bits(a->out, b->out) && same_bits(a->ref, b->ref) && same_bits(a->abs_error, b->abs_error));
}

inline void expect_same_statistics(const ErrorStatistics& a, const ErrorStatistics& b) {
  EXPECT_EQ(a.output_type, b.output_type);
  for (auto m :
       {&ErrorStatistics::relative_floor, &ErrorStatistics::atol, &ErrorStatistics::rtol,
        &ErrorStatistics::max_abs_error, &ErrorStatistics::max_relative_error, &ErrorStatistics::mean_abs_error,
        &ErrorStatistics::rms_error, &ErrorStatistics::relative_frobenius, &ErrorStatistics::calc_diff,
        &ErrorStatistics::cosine_similarity, &ErrorStatistics::sqnr_db, &ErrorStatistics::over_tolerance_fraction})
    EXPECT_TRUE(same_bits(a.*m, b.*m)) << a.*m << " vs " << b.*m;
  EXPECT_EQ(a.element_count, b.element_count);
  EXPECT_EQ(a.finite_count, b.finite_count);
  EXPECT_EQ(a.over_tolerance_count, b.over_tolerance_count);
  EXPECT_EQ(a.special_mismatch_count, b.special_mismatch_count);
  EXPECT_EQ(a.max_ulp, b.max_ulp);
  EXPECT_EQ(a.ulp_histogram, b.ulp_histogram);
  EXPECT_EQ(a.expected_specials, b.expected_specials);
  EXPECT_EQ(a.unexpected_specials, b.unexpected_specials);
  EXPECT_EQ(a.missing_specials, b.missing_specials);
  expect_same_element(a.max_relative_element, b.max_relative_element);
  expect_same_element(a.first_special_mismatch, b.first_special_mismatch);
  ASSERT_EQ(a.worst.size(), b.worst.size());
  for (std::size_t i = 0; i < a.worst.size(); ++i) expect_same_element(a.worst[i], b.worst[i]);
}

inline void expect_same_case(const CaseResult& a, const CaseResult& b) {
  SCOPED_TRACE(a.id);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.op, b.op);
  EXPECT_EQ(a.params, b.params);
  EXPECT_EQ(a.seed_key, b.seed_key);
  EXPECT_EQ(a.backend, b.backend);
  EXPECT_EQ(a.config, b.config);
  EXPECT_EQ(a.verdict, b.verdict);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_TRUE(same_bits(a.seconds, b.seconds));
  EXPECT_EQ(a.stage_seconds, b.stage_seconds);
  EXPECT_EQ(a.deterministic, b.deterministic);
  ASSERT_EQ(a.checks.size(), b.checks.size());
  for (std::size_t i = 0; i < a.checks.size(); ++i) {
    EXPECT_EQ(a.checks[i].name, b.checks[i].name);
    EXPECT_TRUE(same_bits(a.checks[i].observed, b.checks[i].observed));
    EXPECT_TRUE(same_bits(a.checks[i].limit, b.checks[i].limit));
    EXPECT_EQ(a.checks[i].passed, b.checks[i].passed);
    EXPECT_EQ(a.checks[i].detail, b.checks[i].detail);
  }
  ASSERT_EQ(a.kernel_error.has_value(), b.kernel_error.has_value());
  if (a.kernel_error) expect_same_statistics(*a.kernel_error, *b.kernel_error);
  ASSERT_EQ(a.total_error.has_value(), b.total_error.has_value());
  if (a.total_error) expect_same_statistics(*a.total_error, *b.total_error);
  ASSERT_EQ(a.metrics.size(), b.metrics.size());
  for (const auto& [name, value] : a.metrics) {
    ASSERT_TRUE(b.metrics.contains(name)) << name;
    EXPECT_TRUE(same_bits(value, b.metrics.at(name))) << name;
  }
  ASSERT_EQ(a.output.has_value(), b.output.has_value());
  if (!a.output) return;
  EXPECT_EQ(a.output->type, b.output->type);
  EXPECT_EQ(a.output->rows, b.output->rows);
  EXPECT_EQ(a.output->cols, b.output->cols);
  EXPECT_EQ(a.output->digest, b.output->digest);
  EXPECT_EQ(a.output->complete, b.output->complete);
  EXPECT_EQ(a.output->sample_index, b.output->sample_index);
  ASSERT_EQ(a.output->values.size(), b.output->values.size());
  for (std::size_t i = 0; i < a.output->values.size(); ++i)
    ASSERT_TRUE(same_bits(a.output->values[i], b.output->values[i])) << "element " << i;
}

}  // namespace fp8check::record::testing
