// What one case produced: the data every later stage (HDF5 record, golden comparison,
// reports) reads. Nothing here knows how a kernel ran; only what came out and the
// verdict with its reasons.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/compare/error_statistics.hpp"

namespace fp8check {

// The outcome of a case (CUTLASS's Disposition is the model). Order = severity for
// summaries: a run's exit code is 1 if any case is fail or regression (docs/cli.md).
enum class Verdict : std::uint8_t {
  pass,        // within tolerance, and equal to the golden (or no golden)
  improved,    // within tolerance; error shrank against the golden (GPU backends)
  skipped,     // not run, with the reason (e.g. "e4m3fn needs native FP8, sm_89+; device is sm_86")
  fail,        // outside tolerance: which check and by how much
  regression,  // changed against the golden: how
  error,       // invalid config or input; the case could not be judged
};
std::string_view verdict_name(Verdict v);
Verdict parse_verdict(std::string_view name);  // InputError on unknown names
bool is_failure(Verdict v);                    // fail, regression, error

// One judged quantity, so a verdict explains itself: observed vs limit.
struct Check {
  std::string name;    // "kernel max_abs_error / a-priori bound", "unexpected NaN", ...
  double observed = 0;
  double limit = 0;
  bool passed = true;
  std::string detail;  // how the limit was derived, in a few words
};

// The kernel's output as recorded: exact values (every output type is a subset of
// double), their bit-level digest in the output type, and either all values (small
// outputs) or a deterministic sample of them.
struct OutputRecord {
  std::string type;            // "bf16", "fp32", "e4m3fn", ...
  std::int64_t rows = 0, cols = 0;
  std::string digest;          // 16 hex digits: FNV-1a 64 over the output's bit patterns, row-major
  bool complete = false;       // true: `values` holds every element, row-major
  std::vector<std::int64_t> sample_index;  // when !complete: flat indices of `values`
  std::vector<double> values;
};

// The stages of a case's pipeline, in order, whose wall time a case records
// (CaseResult::stage_seconds; what each covers: harness/run/stage_timer.hpp).
inline constexpr std::string_view kCaseStages[] = {"inputs",     "quantize", "reference", "kernel",
                                                  "statistics", "judge",    "golden"};

struct CaseResult {
  std::string id;       // stable id: golden key, filter target, report row
  std::string op;       // "gemm", "quantize", "attention"
  std::vector<std::pair<std::string, std::string>> params;  // axis -> value, in axis order
  std::string seed_key;  // "0x...": regenerates this case's inputs alone
  std::string backend;   // "emulated", "cuda", "cublaslt", ...
  // The backend's promise (Backend::deterministic): the same inputs give the same bits,
  // so goldens compare this case bit for bit; otherwise by statistics drift.
  bool deterministic = false;
  std::string config;    // config actually run ("bm128.bn128.bk128.s4"), or "-"
  Verdict verdict = Verdict::pass;
  std::string reason;    // one line; empty for pass
  std::vector<Check> checks;
  std::optional<ErrorStatistics> kernel_error;  // vs the FP64 reference from dequantized inputs
  std::optional<ErrorStatistics> total_error;   // vs the FP64 reference from the original inputs
  std::map<std::string, double> metrics;        // named scalars: "bound", "amax_d", "code_mismatches", ...
  std::optional<OutputRecord> output;
  double seconds = 0;  // wall time of the case (inputs to verdict)
  // Wall time per pipeline stage (kCaseStages; harness/run/stage_timer.hpp); sum <= seconds.
  std::map<std::string, double> stage_seconds;

  std::string_view param(std::string_view axis) const;  // "" if absent
};

// pass when every check passed; otherwise fail, with the first failing check as the
// one-line reason ("name: observed > limit").
void set_verdict_from_checks(CaseResult& result);

// Describes the run that produced a set of results (stored once per results file).
struct RunMetadata {
  int schema_version = 1;
  std::string fp8check_version;  // project version
  std::string git_sha;           // of the source tree, "unknown" outside git
  std::string compiler;          // "GNU 12.2.0"
  std::string compile_flags;
  std::string cuda_version;      // "13.0" or "none"
  std::string device;            // device profile / GPU description
  std::string host;
  std::string started_at;        // ISO 8601 UTC
  std::string suite_name;
  std::string suite_file;
  std::string suite_sha256;      // hash of the suite file's bytes
  std::string filter;            // as given ("*" when none)
  std::string shard;             // "i/n" (0 <= i < n) or "" when not sharded
  std::string shard_source;      // what chose the shard: "--shard", "GTEST_SHARD_INDEX", ... (shard.hpp)
  std::optional<std::int64_t> suite_case_count;  // the suite's cases before filter and shard; unknown in older files
  std::uint64_t seed = 0;
  std::string command_line;
  // Which BLAS runs the FP64 references (references::blas_info()): library and build
  // ("OpenBLAS 0.3.21 DYNAMIC_ARCH ..."), its kernel set ("Cooperlake"), the threads one
  // product runs on, and the one-line warning when the kernels are a fallback for this CPU.
  // Empty in files written before they were recorded.
  std::string blas;
  std::string blas_core;
  std::string blas_threads;
  std::string blas_warning;
};

}  // namespace fp8check
