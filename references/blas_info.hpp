// Which BLAS kernels the references' products run on, and whether they are a fallback.
// Debian's OpenBLAS is built for every x86-64 CPU (DYNAMIC_ARCH) and picks its kernels ("core")
// at start-up from CPUID; a CPU it does not recognise (a new model, a hypervisor that hides
// or renames it) gets an older core such as Prescott (SSE3), about 2x slower than the AVX2
// kernels on the same machine. OPENBLAS_CORETYPE=Haswell (or SkylakeX, Zen) chooses one
// (docs/performance.md). fp8check never sets it: the user decides.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fp8check::references {

// The widest vector instructions a CPU (or a BLAS core's kernels) uses.
enum class SimdLevel { sse, avx, avx2, avx512 };
const char* simd_level_name(SimdLevel level);  // "SSE", "AVX", "AVX2", "AVX-512"

// This CPU's level, as the compiler's CPU detection sees it (which also checks that the OS
// saves the wider registers).
SimdLevel cpu_simd_level();

// The level of an OpenBLAS x86-64 core's kernels, by the name openblas_get_corename() returns
// (any case: "Prescott", "haswell", "SkylakeX", ...); nullopt for a name not known here.
std::optional<SimdLevel> openblas_core_level(std::string_view core);

// One line when `core` uses narrower vectors than the CPU offers (e.g. Prescott on an AVX2
// or AVX-512 CPU): what runs, what the CPU has, and the OPENBLAS_CORETYPE that fixes it.
// Empty when the core fits the CPU or is not known here.
std::string blas_fallback_warning(std::string_view core, SimdLevel cpu);

struct BlasInfo {
  std::string backend;  // "OpenBLAS" or "Eigen" (no BLAS found at build time)
  std::string config;   // openblas_get_config(): version and build options; "" with Eigen
  std::string core;     // openblas_get_corename(): "Haswell", "Prescott", ...; "" with Eigen
  int threads = 1;      // threads one product runs on (openblas_get_num_threads())
  SimdLevel cpu = SimdLevel::sse;
  std::string warning;  // blas_fallback_warning(core, cpu)

  bool fallback() const { return !warning.empty(); }
};

// Asked of the library each call (the thread count changes with set_product_threads).
BlasInfo blas_info();

}  // namespace fp8check::references
