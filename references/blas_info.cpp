#include "references/blas_info.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "references/dense.hpp"
#include "references/dense_product.hpp"

#ifdef FP8CHECK_REFERENCES_CBLAS
#include <cblas.h>
#endif

namespace fp8check::references {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A core to suggest per CPU level (OpenBLAS's names; OPENBLAS_CORETYPE accepts them).
const char* suggested_core(SimdLevel cpu) {
  switch (cpu) {
    case SimdLevel::avx512: return "SkylakeX";
    case SimdLevel::avx2: return "Haswell";
    case SimdLevel::avx: return "Sandybridge";
    case SimdLevel::sse: return "Prescott";
  }
  return "Haswell";
}

}  // namespace

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::sse: return "SSE";
    case SimdLevel::avx: return "AVX";
    case SimdLevel::avx2: return "AVX2";
    case SimdLevel::avx512: return "AVX-512";
  }
  return "?";
}

SimdLevel cpu_simd_level() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return SimdLevel::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::avx2;
  if (__builtin_cpu_supports("avx")) return SimdLevel::avx;
#endif
  return SimdLevel::sse;
}

std::optional<SimdLevel> openblas_core_level(std::string_view core) {
  // OpenBLAS's x86-64 cores (driver/others/dynamic.c) by the widest vectors of the CPUs they
  // are named after (Excavator, the first AMD core with AVX2, counts as AVX2).
  static constexpr std::string_view kAvx512[] = {"skylakex", "cooperlake", "sapphirerapids"};
  static constexpr std::string_view kAvx2[] = {"haswell", "zen", "excavator"};
  static constexpr std::string_view kAvx[] = {"sandybridge", "bulldozer", "piledriver", "steamroller"};
  static constexpr std::string_view kSse[] = {"katmai",     "coppermine", "northwood", "prescott", "banias",
                                              "atom",       "core2",      "penryn",    "dunnington", "nehalem",
                                              "athlon",     "opteron",    "opteron_sse3", "barcelona", "nano",
                                              "bobcat"};
  const std::string name = lowercase(core);
  const auto in = [&name](const auto& list) { return std::find(std::begin(list), std::end(list), name) != std::end(list); };
  if (in(kAvx512)) return SimdLevel::avx512;
  if (in(kAvx2)) return SimdLevel::avx2;
  if (in(kAvx)) return SimdLevel::avx;
  if (in(kSse)) return SimdLevel::sse;
  return std::nullopt;
}

std::string blas_fallback_warning(std::string_view core, SimdLevel cpu) {
  const std::optional<SimdLevel> level = openblas_core_level(core);
  if (!level || *level >= cpu) return "";
  return "OpenBLAS runs its " + std::string(core) + " kernels (" + simd_level_name(*level) + ") on a CPU with " +
         simd_level_name(cpu) + ": a fallback core, so the FP64 references run slower than they could (about 2x "
         "for Prescott); OPENBLAS_CORETYPE=" + suggested_core(cpu) + " chooses faster kernels (docs/performance.md)";
}

BlasInfo blas_info() {
  BlasInfo info;
  info.backend = product_backend();
  info.threads = detail::product_threads();
  info.cpu = cpu_simd_level();
#ifdef FP8CHECK_REFERENCES_CBLAS
  if (const char* config = openblas_get_config()) info.config = config;
  if (const char* core = openblas_get_corename()) info.core = core;
  info.warning = blas_fallback_warning(info.core, info.cpu);
#endif
  return info;
}

}  // namespace fp8check::references
