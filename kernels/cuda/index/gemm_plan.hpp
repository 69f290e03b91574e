// From the backend-neutral GemmArguments to one launch of fp8check's own GEMM kernel: which
// instantiation (gemm_kernel_table.hpp), its parameters, the tile rows and the grid. Host
// code without CUDA: the cuda backend copies the buffers to the device and replaces the
// pointers; the CPU twin runs the plan as it is. why_no_own_gemm is can_implement's reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/backend/gemm_arguments.hpp"
#include "kernels/cuda/index/gemm_kernel_table.hpp"
#include "kernels/cuda/index/gemm_params.hpp"

namespace fp8check::cuda_index {

struct GemmPlan {
  OwnGemmKernel kernel;
  GemmKernelParams params;         // pointers into the arguments (host memory)
  std::vector<TileRow> tile_rows;  // params.tile_rows points here
  std::int64_t grid_x = 0;         // tile rows
  std::int64_t grid_y = 0;         // N tiles
  int grid_z = 1;                  // split-K slices
  std::int64_t d_elements = 0;     // batches x rows x N
  std::int64_t workspace_elements = 0;  // split-K partials (0 without split-K)

  // Bytes of the D buffer the kernel writes.
  std::int64_t d_bytes() const { return d_elements * kernel.out_bytes; }
};

// The path a device takes: native FP8 from sm_89, the software path below; and the
// shared-memory model of its selector profile (gemm_tiling.hpp).
GemmPath gemm_path_for_sm(int sm);
SmemFamily smem_family_for_sm(int sm);

// Empty when an instantiated kernel of `path` and `family` runs these arguments; otherwise
// the reason, one line, naming what is missing and what the kernels take.
std::string why_no_own_gemm(const GemmArguments& args, SmemFamily family, GemmPath path);

// The launch for these arguments; InputError with why_no_own_gemm's reason when there is none.
GemmPlan plan_own_gemm(const GemmArguments& args, SmemFamily family, GemmPath path);

// Tile rows of block_m rows over the problem's row units (dense, batches, groups; masked
// groups: their valid rows only), in unit order.
std::vector<TileRow> make_tile_rows(const GemmProblem& p, int block_m);

// Elements each argument buffer spans (what a device copy must hold): codes of A and B,
// scales of A and B, C, bias; 0 for an absent one.
struct GemmExtents {
  std::int64_t a_codes = 0, b_codes = 0, a_scales = 0, b_scales = 0, c = 0, bias = 0;
};
GemmExtents gemm_extents(const GemmArguments& args);

// D's codes as GemmOutput bits (1-, 2- or 4-byte elements, batches x rows x N).
void unpack_output(const GemmPlan& plan, const void* d_codes, const AmaxSlot& amax, GemmOutput& out);

}  // namespace fp8check::cuda_index
