#include "harness/run/backend_registry.hpp"

#include <map>
#include <mutex>

#include "harness/core/error.hpp"
#include "kernels/emulated/emulated_backend.hpp"
#if FP8CHECK_HAVE_CUDA
#include "kernels/cuda/own/cuda_backend.hpp"
#endif

namespace fp8check {
namespace {

// GPU backends are named in suites even where they cannot run: the case is skipped with
// the reason, never silently dropped.
class UnavailableBackend final : public Backend {
 public:
  UnavailableBackend(std::string name, std::string why) : name_(std::move(name)), why_(std::move(why)) {}
  std::string_view name() const override { return name_; }
  bool deterministic() const override { return false; }
  std::string why_unavailable() const override { return why_; }

 private:
  std::string name_, why_;
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, BackendFactory, std::less<>> factories;
  Registry() {
    factories["emulated"] = make_emulated_backend;
    // The GPU backends keep their names in a CPU-only build, so suites can list GPU cases;
    // their cases skip with the reason. A build with CUDA has the real ones: cuda here,
    // cublaslt through register_cublaslt_backend (kernels/cuda/cublaslt/cublaslt_backend.hpp).
    for (const char* gpu : {"cuda", "cublaslt"})
      factories[gpu] = [name = std::string(gpu)](const BackendOptions&) {
        return std::make_unique<UnavailableBackend>(
            name, "the " + name + " backend is not built into this program (CPU-only build: FP8CHECK_ENABLE_CUDA=OFF or "
                  "no CUDA toolkit; docs/backends.md)");
      };
#if FP8CHECK_HAVE_CUDA
    factories["cuda"] = cuda_own::make_cuda_backend;  // fp8check's own kernels (docs/cuda-kernels.md)
#endif
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

std::unique_ptr<Backend> make_backend(std::string_view name, const BackendOptions& options) {
  BackendFactory factory;
  {
    std::lock_guard lock(registry().mutex);
    const auto it = registry().factories.find(name);
    if (it == registry().factories.end()) {
      std::string known;
      for (const auto& [n, f] : registry().factories) known += (known.empty() ? "" : ", ") + n;
      throw InputError("unknown backend '" + std::string(name) + "': expected one of " + known);
    }
    factory = it->second;
  }
  return factory(options);
}

}  // namespace fp8check
