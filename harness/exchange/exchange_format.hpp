// Names and shared rules of the exchange files (docs/exchange-format.md, version 1):
// cases.h5, written by `fp8check export`, and outputs.h5, written by the user's program
// and judged by `fp8check verify`. The document is the contract; this header spells its
// names once for the writer (export_cases.cpp) and the readers (cases_file.cpp,
// outputs_file.cpp, external_backend.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/format_spec.hpp"
#include "harness/exchange/h5_tree.hpp"
#include "harness/problem/gemm_desc.hpp"
#include "harness/quantize/scale_policy.hpp"

namespace fp8check::exchange {

inline constexpr const char* kKindAttribute = "fp8check_exchange";  // "cases" or "outputs"
inline constexpr std::int64_t kVersion = 1;
inline constexpr const char* kCasesGroup = "cases";
inline constexpr const char* kOutputsGroup = "outputs";
inline constexpr const char* kFormatsGroup = "formats";
// The backend every exported case names: verify registers it (external_backend.hpp).
inline constexpr const char* kExternalBackend = "external";

// Case statuses in cases.h5: only "ready" cases carry inputs and expect an output.
inline constexpr const char* kReady = "ready";
inline constexpr const char* kSkipped = "skipped";  // the pipeline skips it (device, config)
inline constexpr const char* kError = "error";      // the pipeline cannot build it

// "000000": the name of entry `index` under /cases and /outputs (run order).
std::string entry_name(std::size_t index);
// The index of a six-digit entry name; nullopt for anything else.
std::optional<std::size_t> parse_entry_name(std::string_view name);

// What identifies one export: suite, seed, device profile and the case ids in order.
// outputs.h5 repeats it (attribute cases_digest) so verify refuses outputs computed for
// other cases (another suite, seed, filter or shard). Lowercase SHA-256 hex.
std::string cases_digest(const std::string& suite, std::uint64_t seed, const std::string& device,
                         const std::vector<std::string>& ids);

// The root of an exchange file of `kind`: InputError naming the file and the fix when it
// is another kind of file or another version.
void check_root(const H5Node& root, const std::string& kind);

// Why a case with an injected kernel fault (the axis `fault`) cannot be exchanged: the
// fault is a bug the emulated backend plays; an external kernel has its own bugs.
std::string injected_fault_reason(std::string_view fault);

// GEMM outputs (and C) in the exchange layout: A's shape with K replaced by N, i.e.
// (rows, N) for dense and contiguous-grouped problems, (groups, m, N) for batched and
// masked-grouped ones.
Shape gemm_output_shape(const GemmDesc& d);
// A's exchange shape: (rows, K), or (groups, m, K) for batched and masked-grouped problems.
Shape gemm_a_shape(const GemmDesc& d);

// Scale kinds: "fp32" and "fp16" scales are float32 values; "e8m0" and "ue4m3" scales are
// uint8 codes of the formats /formats/e8m0fnu and /formats/e4m3fn.
std::string_view scale_kind_name(ScaleType t);

}  // namespace fp8check::exchange
