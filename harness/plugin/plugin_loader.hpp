// Plug-in backends: a shared library implementing fp8check/plugin.h, loaded with dlopen,
// its ABI version checked, wrapped as a Backend (plugin_backend.hpp) and registered under
// its own name (docs/plugins.md). A loaded library stays loaded for the process.
#pragma once

#include <string>

#include "fp8check/plugin.h"

namespace fp8check::plugin {

// Loads the library at `path` and registers its backend; returns the backend's name.
// Loading the same library again registers it again. InputError, one line naming the file
// and the fix, for: a file dlopen cannot load, no fp8check_plugin_entry symbol, an entry
// that returns NULL, another ABI version (naming both), a missing or invalid name, a name
// another backend already has, or a run function without its can_implement (or back).
std::string load_backend_library(const std::string& path);

// Registers a plug-in's description that is already in this process (a plug-in linked in
// statically, or a test's) with the same checks; `origin` names it in messages. `table`
// must outlive every backend made from it.
std::string register_plugin(const fp8check_plugin* table, const std::string& origin);

// `fp8check run --backend-lib LIB [--backend NAME]`: loads LIB and returns the backend
// every case runs on: `backend` when given, else the plug-in's name.
std::string backend_from_library(const std::string& library, const std::string& backend);

}  // namespace fp8check::plugin
