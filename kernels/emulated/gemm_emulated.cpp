// The fast emulated GEMM: pack, run the K schedule tile by tile, reduce the split-K
// partials and apply the epilogue (docs/accumulation.md). Work is split over output
// tiles only, so every element's arithmetic is the same on any thread count. Kernel
// models run through gemm_kernel_model.cpp.
#include "kernels/emulated/gemm_emulated.hpp"

#include <algorithm>
#include <thread>
#include <type_traits>
#include <vector>

#include "harness/core/error.hpp"
#include "kernels/emulated/gemm_epilogue.hpp"
#include "kernels/emulated/gemm_kernel_model.hpp"
#include "kernels/emulated/gemm_pack.hpp"
#include "kernels/emulated/gemm_schedule.hpp"
#include "kernels/emulated/gemm_tile_kernels.hpp"
#include "kernels/emulated/parallel_for.hpp"

namespace fp8check {
namespace detail {
namespace {

constexpr std::int64_t R = kTileRows;
constexpr std::int64_t L = kTileLanes;
// Work item: up to kItemRows x kItemCols outputs. Runs are grouped into blocks of about
// kBlockK k so that a B panel block (kBlockK x 24 floats) stays in L1 while the item's
// rows pass over it. Sizes affect speed only.
constexpr std::int64_t kItemRows = 128;
constexpr std::int64_t kItemCols = 8 * L;
constexpr std::int64_t kBlockK = 256;

enum class Accumulator { f32, f64, i64 };

struct RunBlock {
  std::int64_t first = 0;
  std::int64_t count = 0;
};

struct WorkItem {
  std::int64_t unit = 0, row0 = 0, col0 = 0;
};

// Per-worker state: slices x kItemRows x kItemCols accumulators (only one type is used).
struct Scratch {
  std::vector<float> f32;
  std::vector<double> f64;
  std::vector<std::int64_t> i64;
};

struct Gemm {
  Gemm(const GemmProblem& p, const GemmOperand& a_, const GemmOperand& b_, const GemmConfig& c, const AccumulationModel& m,
       GemmFault f)
      : problem(p), a(a_), b(b_), config(c), model(m), fault(f) {}
  const GemmProblem& problem;
  const GemmOperand& a;
  const GemmOperand& b;
  const GemmConfig& config;
  const AccumulationModel& model;
  GemmFault fault;
  bool k_blocked = false;
  Accumulator accumulator = Accumulator::f32;
  void (*kernel)(const TileArgs&) = nullptr;
  std::vector<KSlice> slices;
  std::vector<std::vector<RunBlock>> blocks;  // per slice
  std::vector<RowUnit> units;
  PackedA packed_a;
  PackedB packed_b;
  std::vector<float> zeros, ones;  // rows past the tile's edge read these

  std::int64_t slice_stride() const { return kItemRows * kItemCols; }
};

std::vector<RunBlock> block_runs(const KSlice& slice) {
  std::vector<RunBlock> out;
  for (std::int64_t r = 0; r < static_cast<std::int64_t>(slice.runs.size()); ++r) {
    if (out.empty() || slice.runs[r].end - slice.runs[out.back().first].begin > kBlockK) out.push_back({r, 0});
    ++out.back().count;
  }
  return out;
}

// The kernel and accumulator type for the model and operands (gemm_tile_kernels.hpp).
void choose_kernel(Gemm& g, SimdPath path) {
  const bool exact = g.model.kind == AccumulationModel::Kind::exact;
  if (g.a.is_integer()) {
    g.accumulator = !g.k_blocked ? Accumulator::i64 : exact ? Accumulator::f64 : Accumulator::f32;
    g.kernel = tile_integer_scalar;
    return;
  }
  g.accumulator = exact ? Accumulator::f64 : Accumulator::f32;
  g.kernel = exact ? tile_exact_scalar : tile_fp32_scalar;
#if FP8C_HAVE_GEMM_AVX2
  if (path == SimdPath::avx2 && !exact) g.kernel = tile_fp32_avx2;
#else
  (void)path;
#endif
}

// The slices' accumulators of every output of the item, after the whole K schedule.
void accumulate_item(const Gemm& g, const WorkItem& item, std::int64_t rows, std::int64_t panels, Scratch& s) {
  const RowUnit& unit = g.units[static_cast<std::size_t>(item.unit)];
  const std::int64_t first_panel = item.col0 / L;
  for (std::size_t slice = 0; slice < g.slices.size(); ++slice) {
    const std::int64_t state0 = static_cast<std::int64_t>(slice) * g.slice_stride();
    for (const RunBlock& block : g.blocks[slice]) {
      for (std::int64_t p = 0; p < panels; ++p) {
        for (std::int64_t i0 = 0; i0 < rows; i0 += R) {
          TileArgs t;
          for (std::int64_t i = 0; i < R; ++i) {
            const bool inside = i0 + i < rows;
            const std::int64_t packed_row = unit.packed_row + item.row0 + i0 + i;
            t.a_rows[i] = inside ? g.packed_a.row(packed_row) : g.zeros.data();
            t.a_scales[i] = inside && g.k_blocked ? g.packed_a.scale_row(packed_row) : g.ones.data();
          }
          t.b_panel = g.packed_b.panel(unit.b_batch, first_panel + p);
          t.b_scales = g.k_blocked ? g.packed_b.panel_scales(unit.b_batch, first_panel + p) : g.ones.data();
          t.runs = g.slices[slice].runs.data() + block.first;
          t.run_count = block.count;
          t.k_blocked = g.k_blocked;
          t.state_ld = kItemCols;
          const std::int64_t at = state0 + i0 * kItemCols + p * L;
          if (g.accumulator == Accumulator::f32) t.acc_f32 = s.f32.data() + at;
          if (g.accumulator == Accumulator::f64) t.acc_f64 = s.f64.data() + at;
          if (g.accumulator == Accumulator::i64) t.acc_i64 = s.i64.data() + at;
          g.kernel(t);
        }
      }
    }
  }
}

// The accumulator of one output after the split-K reduction, in the epilogue's type.
template <typename T>
T reduced(const Gemm& g, const Scratch& s, std::int64_t at) {
  const auto count = static_cast<std::int64_t>(g.slices.size());
  if constexpr (std::is_same_v<T, double>) {
    if (g.accumulator == Accumulator::f64) return reduce_partials(s.f64.data() + at, count, g.slice_stride(), g.config.reduction);
  } else {
    if (g.accumulator == Accumulator::f32) return reduce_partials(s.f32.data() + at, count, g.slice_stride(), g.config.reduction);
  }
  std::int64_t total = 0;  // integers, outer recipe: exact, so the order does not matter
  for (std::int64_t sl = 0; sl < count; ++sl) total += s.i64[static_cast<std::size_t>(at + sl * g.slice_stride())];
  return static_cast<T>(total);
}

// Reduces, applies the epilogue and writes the item's outputs; returns their amax.
// T = float for fp32, double for exact.
template <typename T>
double finish_item(const Gemm& g, const WorkItem& item, std::int64_t rows, std::int64_t cols, const Scratch& s,
                   GemmOutput& out) {
  const RowUnit& unit = g.units[static_cast<std::size_t>(item.unit)];
  const GemmProblem& p = g.problem;
  // Outer-recipe scales of the item's columns (1 for K-blocked recipes, where they are not applied here).
  T col_scale[kItemCols];
  for (std::int64_t j = 0; j < cols; ++j) col_scale[j] = g.k_blocked ? T(1) : T(g.b.scale(unit.b_batch, item.col0 + j, 0));
  const T tensor_ab = T(g.a.tensor_scale) * T(g.b.tensor_scale);
  double amax = 0.0;
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::int64_t row = unit.row_begin + item.row0 + i;
    const T row_scale = g.k_blocked ? T(1) : T(g.a.scale(unit.a_batch, row, 0));
    const float* c = p.beta != 0.0f ? p.c + unit.a_batch * p.c_batch_stride + row * p.ldc + item.col0 : nullptr;
    for (std::int64_t j = 0; j < cols; ++j) {
      const Epilogued r = epilogue<T>(p, reduced<T>(g, s, i * kItemCols + j), row_scale, col_scale[j], tensor_ab,
                                      c != nullptr ? c + j : nullptr, p.bias != nullptr ? p.bias + item.col0 + j : nullptr);
      out.at(unit.a_batch, row, item.col0 + j) = r.bits;
      amax = amax_combine(amax, r.magnitude);
    }
  }
  return amax;
}

void run(Gemm& g, SimdPath path, GemmOutput& out, int threads) {
  g.k_blocked = g.a.k_blocked() || g.b.k_blocked();
  choose_kernel(g, path);
  g.slices = make_k_schedule(g.problem.k, g.config, g.a.scale_group_k(), g.b.scale_group_k(), g.fault);
  for (const KSlice& slice : g.slices) g.blocks.push_back(block_runs(slice));
  g.units = row_units(g.problem, g.fault);
  const int workers = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  g.packed_a = pack_a(g.a, g.units, g.k_blocked, workers);
  g.packed_b = pack_b(g.b, g.problem.n, g.k_blocked, workers);
  g.zeros.assign(static_cast<std::size_t>(g.problem.k), 0.0f);
  g.ones.assign(static_cast<std::size_t>(g.packed_a.groups), 1.0f);

  std::vector<WorkItem> items;
  for (std::int64_t u = 0; u < static_cast<std::int64_t>(g.units.size()); ++u)
    for (std::int64_t c = 0; c < g.problem.n; c += kItemCols)
      for (std::int64_t r = 0; r < g.units[static_cast<std::size_t>(u)].rows; r += kItemRows) items.push_back({u, r, c});

  std::vector<Scratch> scratch(static_cast<std::size_t>(workers));
  std::vector<double> amax(static_cast<std::size_t>(workers), 0.0);
  const std::size_t state_size = g.slices.size() * static_cast<std::size_t>(g.slice_stride());
  parallel_for(static_cast<std::int64_t>(items.size()), workers, [&](std::int64_t index, int worker) {
    const WorkItem& item = items[static_cast<std::size_t>(index)];
    const std::int64_t rows = std::min(kItemRows, g.units[static_cast<std::size_t>(item.unit)].rows - item.row0);
    const std::int64_t cols = std::min(kItemCols, g.problem.n - item.col0);
    Scratch& s = scratch[static_cast<std::size_t>(worker)];
    if (g.accumulator == Accumulator::f32) s.f32.assign(state_size, 0.0f);
    if (g.accumulator == Accumulator::f64) s.f64.assign(state_size, 0.0);
    if (g.accumulator == Accumulator::i64) s.i64.assign(state_size, 0);
    accumulate_item(g, item, rows, (cols + L - 1) / L, s);
    double& m = amax[static_cast<std::size_t>(worker)];
    m = amax_combine(m, g.model.kind == AccumulationModel::Kind::exact ? finish_item<double>(g, item, rows, cols, s, out)
                                                                      : finish_item<float>(g, item, rows, cols, s, out));
  });
  out.amax = 0.0;
  for (double m : amax) out.amax = amax_combine(out.amax, m);
}

}  // namespace

void gemm_emulated_on(SimdPath path, const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b,
                      const GemmConfig& config, const AccumulationModel& model, GemmOutput& out, int threads,
                      GemmFault fault) {
  validate_gemm_arguments(problem, a, b, config, model, threads);
  if (path == SimdPath::avx2 && !cpu_has_avx2())
    throw InputError("the avx2 GEMM path was requested but this CPU lacks AVX2; accepted here: scalar");
  out.prepare_for(problem);
  if (model.is_kernel_model()) return gemm_kernel_model(path, problem, a, b, config, model.kernel, out, threads, fault);
  Gemm g(problem, a, b, config, model, fault);
  run(g, path, out, threads);
}

}  // namespace detail

void gemm_emulated(const GemmProblem& problem, const GemmOperand& a, const GemmOperand& b, const GemmConfig& config,
                   const AccumulationModel& model, GemmOutput& out, int threads, GemmFault fault) {
  detail::gemm_emulated_on(active_simd_path(), problem, a, b, config, model, out, threads, fault);
}

}  // namespace fp8check
