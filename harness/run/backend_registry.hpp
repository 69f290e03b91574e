// Backends by name. Registered here: emulated, and the names cuda and cublaslt, whose
// cases skip with the reason until a program registers the real backend (the fp8check
// program built with CUDA registers cublaslt: kernels/cuda/cublaslt/cublaslt_backend.hpp).
// A plug-in (harness/plugin) or a program linking fp8check registers its own with
// register_backend before running a suite.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/backend/backend.hpp"

namespace fp8check {

// Makes a backend for one case. Throws InputError for options it cannot take (an unknown
// kernel model or fault name).
using BackendFactory = std::function<std::unique_ptr<Backend>(const BackendOptions& options)>;

// Replaces an existing registration of the same name.
void register_backend(std::string name, BackendFactory factory);
// InputError listing the registered names when `name` is unknown.
std::unique_ptr<Backend> make_backend(std::string_view name, const BackendOptions& options = {});
std::vector<std::string> backend_names();

}  // namespace fp8check
