// The CPU twin of fp8check's own GEMM kernel: the kernel's block program
// (kernels/cuda/index/gemm_program.hpp) for every block of the grid, on the twin machine
// (twin_machine.hpp), from the same plan the cuda backend launches (gemm_plan.hpp). Its
// output must carry the bits of the emulated GEMM of the kernel's model (sm89-mma with
// promotion every 128 k for the native path, sm80-mma.p128 on bf16 for the software path):
// tests/cuda/gemm_twin_test.cpp holds it to that on many shapes, recipes and configs.
#pragma once

#include <vector>

#include "harness/backend/gemm_arguments.hpp"
#include "kernels/cuda/index/gemm_kernel_table.hpp"
#include "kernels/cuda/twin/twin_machine.hpp"

namespace fp8check::cuda_twin {

struct TwinRun {
  std::int64_t blocks = 0;        // thread blocks run (both passes of split-K)
  std::int64_t instructions = 0;  // warp-wide mma.sync executed
};

// Runs the kernel `plan_own_gemm(args, family, path)` chooses and writes D and amax_D into
// `out` (prepared for the problem; rows the problem does not own keep their contents).
// `regions`: the global buffers the kernel may read (empty: unchecked). InputError when no
// kernel fits the arguments (why_no_own_gemm); InternalError on a race or an access outside
// shared memory or the buffers.
TwinRun run_gemm_twin(const GemmArguments& args, cuda_index::SmemFamily family, cuda_index::GemmPath path,
                      GemmOutput& out, const std::vector<TwinRegion>& regions = {}, const TwinModels& models = {});

}  // namespace fp8check::cuda_twin
