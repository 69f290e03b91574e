#include <map>
#include <mutex>

#include "harness/core/error.hpp"
#include "harness/run/backend.hpp"
#include "kernels/emulated/gemm_emulated.hpp"

namespace fp8check {

QuantizedMatrix Backend::run_quantize(const MatrixD&, const Recipe&, const QuantizeOptions&) {
  throw InputError("backend " + std::string(name()) + " has no quantize kernel");
}

namespace {

// The CPU models of device numerics: always available, deterministic.
class EmulatedBackend final : public Backend {
 public:
  std::string_view name() const override { return "emulated"; }
  bool deterministic() const override { return true; }
  std::string why_unavailable() const override { return ""; }
  void run_gemm(const GemmLaunch& l, GemmOutput& out) override {
    gemm_emulated(l.problem, l.a, l.b, l.config, l.model, out, l.threads, l.fault);
  }
  // The emulated quantize kernel is the reference quantizer itself: quantize cases on
  // this backend measure the recipe (error statistics, bound); exact agreement of codes
  // and scales becomes a real check with device or external quantize kernels.
  QuantizedMatrix run_quantize(const MatrixD& x, const Recipe& r, const QuantizeOptions& o) override {
    return quantize(x, r, o);
  }
};

// GPU backends are named in suites even where they cannot run: the case is skipped
// with the reason, never silently dropped.
class UnavailableBackend final : public Backend {
 public:
  UnavailableBackend(std::string name, std::string why) : name_(std::move(name)), why_(std::move(why)) {}
  std::string_view name() const override { return name_; }
  bool deterministic() const override { return false; }
  std::string why_unavailable() const override { return why_; }
  void run_gemm(const GemmLaunch&, GemmOutput&) override { throw InternalError("backend " + name_ + " is unavailable: " + why_); }

 private:
  std::string name_, why_;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, BackendFactory, std::less<>> factories;
  Registry() {
    factories["emulated"] = [] { return std::make_unique<EmulatedBackend>(); };
    for (const char* gpu : {"cuda", "cublaslt"}) {
      factories[gpu] = [name = std::string(gpu)] {
        return std::make_unique<UnavailableBackend>(
            name, "fp8check has no " + name + " kernels yet: this backend is named so suites can list GPU cases (docs/backends.md)");
      };
    }
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_backend(std::string name, BackendFactory factory) {
  std::lock_guard lock(registry().mutex);
  registry().factories[std::move(name)] = std::move(factory);
}

std::vector<std::string> backend_names() {
  std::lock_guard lock(registry().mutex);
  std::vector<std::string> names;
  for (const auto& [name, f] : registry().factories) names.push_back(name);
  return names;
}

std::unique_ptr<Backend> make_backend(std::string_view name) {
  std::lock_guard lock(registry().mutex);
  const auto it = registry().factories.find(name);
  if (it == registry().factories.end()) {
    std::string known;
    for (const auto& [n, f] : registry().factories) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown backend '" + std::string(name) + "': expected one of " + known);
  }
  return it->second();
}

}  // namespace fp8check
