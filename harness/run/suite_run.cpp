#include "harness/run/suite_run.hpp"

#include <set>
#include <thread>

#include "harness/core/error.hpp"
#include "harness/run/build_info.hpp"
#include "references/blas_info.hpp"
#include "references/dense.hpp"

namespace fp8check {
namespace {

// "sm_90 (H100, H800, H200) profile; kernels run on the CPU (emulated)" or the backends.
std::string device_text(const DeviceProfile& device, const std::vector<CaseResult>& results) {
  std::set<std::string> backends;
  for (const CaseResult& r : results) backends.insert(r.backend);
  std::string text = device.name + " (" + device.examples + ") profile; ";
  if (backends.size() == 1 && *backends.begin() == "emulated") return text + "kernels run on the CPU (emulated)";
  std::string names;
  for (const std::string& b : backends) names += (names.empty() ? "" : ", ") + b;
  return text + "backends " + (names.empty() ? "(none)" : names);
}

}  // namespace

RunMetadata describe_this_run() {
  RunMetadata meta;
  const BuildInfo& b = build_info();
  meta.fp8check_version = b.version;
  meta.git_sha = b.git_sha;
  meta.compiler = b.compiler;
  meta.compile_flags = b.compile_flags;
  meta.cuda_version = b.cuda_version;
  meta.host = host_name();
  meta.started_at = utc_now_iso8601();
  const references::BlasInfo blas = references::blas_info();
  meta.blas = blas.config.empty() ? blas.backend : blas.config;  // OpenBLAS's config starts with its name
  meta.blas_core = blas.core;
  meta.blas_threads = std::to_string(blas.threads);
  meta.blas_warning = blas.warning;
  return meta;
}

int case_threads(int jobs) {
  return jobs > 1 ? 1 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void configure_blas_threads(int jobs) {
  // The count the process started with, read before any run changed it.
  static const int initial = references::blas_info().threads;
  references::set_product_threads(jobs > 1 ? 1 : initial);
}

std::string blas_summary(const RunMetadata& m) {
  std::string text = m.blas.empty() ? "unknown" : m.blas;
  if (!m.blas_core.empty()) text += ", core " + m.blas_core;
  if (!m.blas_threads.empty()) text += ", " + m.blas_threads + (m.blas_threads == "1" ? " thread" : " threads") + " per product";
  return text;
}

RunOutcome run_suite(const SuiteRun& run) {
  if (run.spec == nullptr || run.device == nullptr) throw InputError("run_suite needs a suite and a device profile");
  RunOutcome outcome;
  // Parallelism is across cases; the FP64 references' BLAS then runs one thread per job.
  configure_blas_threads(run.jobs);
  outcome.metadata = describe_this_run();

  RunContext ctx;
  ctx.threads = run.threads_per_case > 0 ? run.threads_per_case : case_threads(run.jobs);
  ctx.seed = run.seed;
  ctx.device = run.device;
  ctx.baseline = run.baseline;
  ctx.declared_kernel_model = run.declared_kernel_model;
  outcome.results = run_cases(run.cases, ctx, run.jobs, run.on_done);

  if (run.golden) {
    std::vector<double> seconds;
    outcome.golden = record::compare_with_golden(outcome.results, *run.golden, run.golden_policy, &seconds);
    record::apply_golden_verdicts(outcome.results, *outcome.golden);
    for (std::size_t i = 0; i < seconds.size(); ++i) {
      outcome.results[i].stage_seconds["golden"] = seconds[i];
      outcome.results[i].seconds += seconds[i];
    }
  }

  RunMetadata& meta = outcome.metadata;
  meta.device = device_text(*run.device, outcome.results);
  meta.suite_name = run.spec->name;
  meta.suite_file = run.spec->file;
  meta.suite_sha256 = run.spec->sha256;
  meta.filter = run.filter;
  meta.shard = run.shard;
  meta.seed = run.seed;
  meta.command_line = run.command_line;
  outcome.status = run_status(outcome.results, run.fail_on_skip);
  return outcome;
}

}  // namespace fp8check
