#include "kernels/cuda/twin/attention_twin.hpp"

#include "harness/core/error.hpp"
#include "kernels/cuda/index/attention_plan.hpp"
#include "kernels/cuda/index/attention_program.hpp"

namespace fp8check::cuda_twin {
namespace {

using namespace cuda_index;

template <class Tile>
TwinRun run_plan(const AttentionPlan& plan, const TwinModels& models, std::vector<std::uint32_t>& o,
                 std::vector<float>& lse, std::vector<std::uint32_t>& stats, std::vector<float>& workspace) {
  using Program = AttentionProgram<Tile>;
  AttentionKernelParams p = plan.params;
  p.o = o.data();
  p.lse = lse.data();
  p.block_stats = stats.data();
  p.workspace = workspace.empty() ? nullptr : workspace.data();
  const auto bytes = [](std::int64_t n, std::size_t size) { return static_cast<std::size_t>(n) * size; };
  const std::vector<TwinRegion> regions = {
      {p.q, bytes(plan.q_codes, 1)},           {p.k, bytes(plan.kv_codes, 1)},
      {p.v, bytes(plan.kv_codes, 1)},          {p.q_descale, bytes(plan.q_descales, sizeof(float))},
      {p.k_descale, bytes(plan.kv_descales, sizeof(float))}, {p.v_descale, bytes(plan.kv_descales, sizeof(float))}};
  TwinRun run;
  const auto block = [&](auto&& body) {
    TwinMachine<typename Program::Regs> m(Tile::threads, Tile::smem_bytes, models, regions);
    m.add_output(o.data(), o.size() * sizeof(std::uint32_t));
    m.add_output(lse.data(), lse.size() * sizeof(float));
    m.add_output(stats.data(), stats.size() * sizeof(std::uint32_t));
    if (!workspace.empty()) m.add_output(workspace.data(), workspace.size() * sizeof(float));
    body(m);
    run.instructions += m.instructions();
    ++run.blocks;
  };
  for (std::int64_t z = 0; z < plan.grid_z; ++z)
    for (std::int64_t y = 0; y < plan.grid_y; ++y)
      for (std::int64_t x = 0; x < plan.grid_x; ++x) block([&](auto& m) { Program::run(m, p, x, y, z); });
  for (std::int64_t x = 0; x < plan.combine_blocks; ++x) {
    using Combine = AttentionCombineProgram<Tile::head_dim>;
    TwinMachine<typename Combine::Regs> m(Combine::THREADS, 16, models, regions);
    m.add_output(o.data(), o.size() * sizeof(std::uint32_t));
    m.add_output(lse.data(), lse.size() * sizeof(float));
    m.add_output(workspace.data(), workspace.size() * sizeof(float));
    Combine::run(m, p, x);
    ++run.blocks;
  }
  return run;
}

}  // namespace

TwinModels attention_twin_models() {
  const KernelModel ada = parse_kernel_model("sm89-mma");
  return {ada, ada};
}

TwinRun run_attention_twin(const AttentionArguments& args, AttentionOutput& out, const TwinModels& models) {
  const AttentionPlan plan = plan_own_attention(args, 89);
  std::vector<std::uint32_t> o(static_cast<std::size_t>(plan.o_elements), 0);
  std::vector<float> lse(static_cast<std::size_t>(plan.rows), 0.0f);
  std::vector<std::uint32_t> stats(static_cast<std::size_t>(plan.stats_words()), 0);
  std::vector<float> workspace(static_cast<std::size_t>(plan.workspace_elements), 0.0f);
  const OwnAttentionKernel& k = plan.kernel;
  TwinRun run;
  bool found = false;
#define FP8C_TILE(d, bkv, s)                                                                          \
  if (!found && k.head_dim == d && k.block_kv == bkv && k.stages == s) {                              \
    run = k.p_bf16 ? run_plan<AttentionTile<d, bkv, s, true>>(plan, models, o, lse, stats, workspace)   \
                   : run_plan<AttentionTile<d, bkv, s, false>>(plan, models, o, lse, stats, workspace); \
    found = true;                                                                                     \
  }
  FP8CHECK_OWN_ATTENTION_TILES(FP8C_TILE)
#undef FP8C_TILE
  if (!found) throw InternalError("twin: no compiled program for kernel " + k.symbol());
  unpack_attention_output(plan, o.data(), lse.data(), stats.data(), out);
  return run;
}

}  // namespace fp8check::cuda_twin
