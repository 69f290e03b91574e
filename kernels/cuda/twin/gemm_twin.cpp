#include "kernels/cuda/twin/gemm_twin.hpp"

#include "harness/core/error.hpp"
#include "kernels/cuda/index/gemm_plan.hpp"
#include "kernels/cuda/index/gemm_program.hpp"

namespace fp8check::cuda_twin {
namespace {

using namespace cuda_index;

void merge(AmaxSlot& into, const AmaxSlot& from) {
  into.nan |= from.nan;
  if (from.max_bits > into.max_bits) into.max_bits = from.max_bits;
}

template <class Tile, class Path>
TwinRun run_plan(const GemmPlan& plan, const std::vector<TwinRegion>& regions, const TwinModels& models,
                 std::vector<std::uint8_t>& d, std::vector<float>& workspace, AmaxSlot& amax) {
  using Program = GemmProgram<Tile, Path>;
  using Machine = TwinMachine<typename Program::Regs>;
  GemmKernelParams p = plan.params;
  p.d = d.data();
  p.workspace = workspace.empty() ? nullptr : workspace.data();
  TwinRun run;
  const auto block = [&](auto&& body) {
    Machine m(Tile::threads, Tile::smem_bytes, models, regions);
    m.add_output(d.data(), d.size());
    if (!workspace.empty()) m.add_output(workspace.data(), workspace.size() * sizeof(float));
    body(m);
    merge(amax, m.amax_slot());
    run.instructions += m.instructions();
    ++run.blocks;
  };
  for (int z = 0; z < plan.grid_z; ++z)
    for (std::int64_t y = 0; y < plan.grid_y; ++y)
      for (std::int64_t x = 0; x < plan.grid_x; ++x) block([&](Machine& m) { Program::run(m, p, x, y, z); });
  if (plan.params.split_k > 1)
    for (std::int64_t y = 0; y < plan.grid_y; ++y)
      for (std::int64_t x = 0; x < plan.grid_x; ++x) block([&](Machine& m) { Program::finish_split_k(m, p, x, y); });
  return run;
}

// The compile-time kernel the plan names (gemm_kernel_table.hpp's X-macro).
template <SmemFamily F, int BM, int BN, int BK, int S, bool Software>
bool dispatch(const GemmPlan& plan, const std::vector<TwinRegion>& regions, const TwinModels& models,
              std::vector<std::uint8_t>& d, std::vector<float>& workspace, AmaxSlot& amax, TwinRun& run) {
  const OwnGemmKernel& k = plan.kernel;
  if (k.family != F || k.block_m != BM || k.block_n != BN || k.block_k != BK || k.stages != S) return false;
  const auto with_path = [&]<int OB, int AS, int BS>() {
    using Tile = GemmTile<BM, BN, BK, S, F, OB, AS, BS>;
    if (k.path == GemmPath::native) {
      run = run_plan<Tile, NativeFp8Path>(plan, regions, models, d, workspace, amax);
      return true;
    }
    if constexpr (Software) {
      run = run_plan<Tile, SoftwareBf16Path>(plan, regions, models, d, workspace, amax);
      return true;
    }
    return false;
  };
  constexpr int kAS = BM, kBS = (BN + kBlockedScaleK - 1) / kBlockedScaleK;
  const bool blocked = k.scales == ScaleVariant::blocked;
  switch (k.out_bytes) {
    case 1: return blocked ? with_path.template operator()<1, kAS, kBS>() : with_path.template operator()<1, 0, 0>();
    case 2: return blocked ? with_path.template operator()<2, kAS, kBS>() : with_path.template operator()<2, 0, 0>();
    case 4: return blocked ? with_path.template operator()<4, kAS, kBS>() : with_path.template operator()<4, 0, 0>();
  }
  return false;
}

}  // namespace

TwinRun run_gemm_twin(const GemmArguments& args, SmemFamily family, GemmPath path, GemmOutput& out,
                      const std::vector<TwinRegion>& regions, const TwinModels& models) {
  const GemmPlan plan = plan_own_gemm(args, family, path);
  out.prepare_for(args.problem);
  std::vector<std::uint8_t> d(static_cast<std::size_t>(plan.d_bytes()), 0);
  std::vector<float> workspace(static_cast<std::size_t>(plan.workspace_elements), 0.0f);
  AmaxSlot amax;
  TwinRun run;
  bool found = false;
#define FP8C_TILE(family_, bm, bn, bk, s, software) \
  found = found || dispatch<SmemFamily::family_, bm, bn, bk, s, software>(plan, regions, models, d, workspace, amax, run);
  FP8CHECK_OWN_GEMM_TILES(FP8C_TILE)
#undef FP8C_TILE
  if (!found) throw InternalError("twin: no compiled program for kernel " + plan.kernel.symbol());
  unpack_output(plan, d.data(), amax, out);
  return run;
}

}  // namespace fp8check::cuda_twin
