// A program linking fp8check (find_package(fp8check), fp8check::run) that registers its
// own backend and runs a suite through run_suite. Exit 0 when the quantize cases were
// judged and passed and the GEMM case was skipped with the contract's reason.
// Usage: consumer SUITE.toml
#include <cstdio>
#include <memory>

#include "harness/core/error.hpp"
#include "harness/quantize/quantize.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/ops.hpp"
#include "harness/run/suite_run.hpp"
#include "harness/suite/suite_loader.hpp"

namespace {

// The consumer's kernel: quantize with fp8check's reference quantizer (a real consumer
// calls its own kernel here). No GEMM or attention: the Backend defaults decline them.
class ConsumerBackend final : public fp8check::Backend {
 public:
  std::string_view name() const override { return "consumer"; }
  bool deterministic() const override { return true; }
  std::string why_unavailable() const override { return ""; }
  std::string can_implement(const fp8check::QuantizeArguments&) const override { return ""; }
  fp8check::QuantizedMatrix run_quantize(const fp8check::QuantizeArguments& args) override {
    return fp8check::quantize(*args.x, args.recipe, args.options);
  }
};

int check(bool ok, const char* what) {
  if (!ok) std::fprintf(stderr, "consumer: FAILED: %s\n", what);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace fp8check;
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer SUITE.toml\n");
    return 2;
  }
  try {
    // Registered before the suite is loaded: the backend axis accepts registered names.
    register_backend("consumer", [](const BackendOptions&) { return std::make_unique<ConsumerBackend>(); });
    const DeviceProfile& device = find_device_profile("sm_90");
    const SuiteSpec spec = load_suite(argv[1], builtin_op_schemas(device));
    SuiteRun run;
    run.spec = &spec;
    run.device = &device;
    for (const CaseSpec& c : spec.cases) run.cases.push_back({c.id, c.op, c.params, c.tolerance, c.seed_bug});
    run.seed = spec.seed;
    run.jobs = 2;
    const RunOutcome outcome = run_suite(run);

    int failures = 0, judged = 0;
    for (const CaseResult& r : outcome.results) {
      std::printf("%-8s %s%s%s\n", std::string(verdict_name(r.verdict)).c_str(), r.id.c_str(), r.reason.empty() ? "" : ": ",
                  r.reason.c_str());
      if (r.op == "quantize") {
        ++judged;
        failures += check(r.verdict == Verdict::pass && r.backend == "consumer", "a quantize case did not pass");
      } else {
        failures += check(r.verdict == Verdict::skipped && r.reason == "backend consumer has no GEMM kernel",
                          "the GEMM case was not skipped with the contract's reason");
      }
    }
    failures += check(judged == 3, "expected 3 quantize cases");
    failures += check(outcome.status.exit_code == 0, "run_suite's status is not a pass");
    std::printf("consumer: %s\n", outcome.status.line.c_str());
    return failures == 0 ? 0 : 1;
  } catch (const InputError& e) {
    std::fprintf(stderr, "consumer: error: %s\n", e.what());
    return 2;
  }
}
