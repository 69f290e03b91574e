#include "harness/plugin/plugin_loader.hpp"

#include <dlfcn.h>

#include <map>
#include <memory>
#include <mutex>

#include "harness/core/error.hpp"
#include "harness/plugin/plugin_backend.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/suite/case_id.hpp"

namespace fp8check::plugin {
namespace {

// Plug-ins loaded so far, by backend name.
struct Loaded {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<LoadedPlugin>> by_name;
};

Loaded& loaded() {
  static Loaded l;
  return l;
}

[[noreturn]] void refuse(const std::string& path, const std::string& what) {
  throw InputError("plug-in '" + path + "' " + what);
}

void check_table(const std::string& path, const fp8check_plugin& t) {
  if (t.abi_version != FP8CHECK_PLUGIN_ABI_VERSION)
    refuse(path, "was built for fp8check plug-in ABI version " + std::to_string(t.abi_version) +
                     "; this fp8check loads version " + std::to_string(FP8CHECK_PLUGIN_ABI_VERSION) +
                     ": rebuild it against this fp8check's fp8check/plugin.h");
  if (t.name == nullptr) refuse(path, "has no name (fp8check_plugin.name is NULL)");
  if (std::string problem = case_id_value_problem(t.name); !problem.empty())
    refuse(path, "names itself '" + std::string(t.name) + "', which " + problem +
                     " (expected a backend name of " + kCaseIdCharset + ")");
  const auto pair = [&](bool can, bool run, const char* op) {
    if (can != run)
      refuse(path, std::string("gives ") + (can ? "can_implement_" : "run_") + op + " without " +
                       (can ? "run_" : "can_implement_") + op + ": give both or neither");
  };
  pair(t.can_implement_gemm != nullptr, t.run_gemm != nullptr, "gemm");
  pair(t.can_implement_attention != nullptr, t.run_attention != nullptr, "attention");
  pair(t.can_implement_quantize != nullptr, t.run_quantize != nullptr, "quantize");
}

}  // namespace

std::string load_backend_library(const std::string& path) {
  if (path.empty()) throw InputError("--backend-lib needs the path of a plug-in library (docs/plugins.md)");
  // RTLD_LOCAL: the plug-in's symbols cannot shadow fp8check's or another plug-in's.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    refuse(path, std::string("cannot be loaded: ") + (why ? why : "dlopen failed") +
                     " (expected a shared library built against fp8check/plugin.h)");
  }
  dlerror();
  void* symbol = dlsym(handle, FP8CHECK_PLUGIN_ENTRY_SYMBOL);
  if (symbol == nullptr)
    refuse(path, "has no symbol " FP8CHECK_PLUGIN_ENTRY_SYMBOL
                 ": define it with FP8CHECK_PLUGIN_EXPORT from fp8check/plugin.h (docs/plugins.md)");
  const auto entry = reinterpret_cast<fp8check_plugin_entry_fn>(symbol);
  const fp8check_plugin* table = entry();
  if (table == nullptr) refuse(path, FP8CHECK_PLUGIN_ENTRY_SYMBOL "() returned NULL: expected its description");
  return register_plugin(table, path);
}

std::string register_plugin(const fp8check_plugin* table, const std::string& origin) {
  if (table == nullptr) refuse(origin, "has no description (NULL)");
  check_table(origin, *table);
  const std::string name = table->name;
  std::lock_guard lock(loaded().mutex);
  auto& known = loaded().by_name;
  const auto same = known.find(name);
  if (same != known.end() && same->second->table != table)
    refuse(origin, "names itself '" + name + "', as the plug-in '" + same->second->path + "' already loaded does");
  if (same == known.end()) {
    for (const std::string& existing : backend_names())
      if (existing == name)
        refuse(origin, "names itself '" + name +
                           "', which is already a backend (built in, or registered by this program): rename it");
  }
  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->name = name;
  plugin->path = origin;
  plugin->table = table;
  known[name] = plugin;
  register_backend(name, [plugin](const BackendOptions& options) { return make_plugin_backend(plugin, options); });
  return name;
}

std::string backend_from_library(const std::string& library, const std::string& backend) {
  const std::string name = load_backend_library(library);
  return backend.empty() ? name : backend;
}

}  // namespace fp8check::plugin
