#include "harness/backend/backend.hpp"

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

std::string no_kernel(const Backend& b, std::string_view op) {
  return "backend " + std::string(b.name()) + " has no " + std::string(op) + " kernel";
}

[[noreturn]] void not_accepted(const Backend& b, std::string_view op) {
  throw InternalError("backend " + std::string(b.name()) + ": run_" + std::string(op) +
                      " called although can_implement refused the arguments");
}

}  // namespace

std::string Backend::can_implement(const GemmArguments&) const { return no_kernel(*this, "GEMM"); }
std::string Backend::can_implement(const AttentionArguments&) const { return no_kernel(*this, "attention"); }
std::string Backend::can_implement(const QuantizeArguments&) const { return no_kernel(*this, "quantize"); }
void Backend::run_gemm(const GemmArguments&, GemmOutput&) { not_accepted(*this, "gemm"); }
void Backend::run_attention(const AttentionArguments&, AttentionOutput&) { not_accepted(*this, "attention"); }
QuantizedMatrix Backend::run_quantize(const QuantizeArguments&) { not_accepted(*this, "quantize"); }

}  // namespace fp8check
