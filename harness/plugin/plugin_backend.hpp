// A plug-in's fp8check_plugin description as a Backend: each call becomes the C mirror of
// its arguments (plugin_arguments.hpp), a call through the plug-in's function table and
// back, with the plug-in's return code and message turned into what the contract expects
// (an empty reason, a reason to skip, or an InputError that makes the case an error).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "fp8check/plugin.h"
#include "harness/backend/backend.hpp"

namespace fp8check::plugin {

// A loaded plug-in: its description stays valid while the library is loaded (for good).
struct LoadedPlugin {
  std::string name;
  std::string path;
  const fp8check_plugin* table = nullptr;
  std::mutex calls;  // serialises calls into a plug-in that is not thread_safe
};

std::unique_ptr<Backend> make_plugin_backend(std::shared_ptr<LoadedPlugin> plugin, const BackendOptions& options);

}  // namespace fp8check::plugin
