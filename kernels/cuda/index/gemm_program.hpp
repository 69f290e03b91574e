// The program of one thread block of fp8check's own GEMM kernel, written once for two
// machines: the GPU (kernels/cuda/own/device_machine.cuh: cp.async, mma.sync, registers)
// and the CPU twin (kernels/cuda/twin/twin_machine.hpp: 32-lane warps simulated one
// thread after another, shared memory with a race checker, the MMA-Sim instruction models).
// Everything that decides which bytes go where is here or in gemm_block_map.hpp and
// mma_fragments.hpp, so the twin runs the kernel's own index arithmetic.
//
// Block (x, y, z) = (tile row, N tile, split-K slice). The K loop is a cp.async pipeline of
// `stages` k-tiles (multistage, as CUTLASS's sm80 mainloop): wait for tile i, barrier, issue
// tile i + stages - 1 into the stage tile i - 1 used, then one instruction per 32 k (native
// FP8, m16n8k32) or 16 k (software path: FP8 widened to bf16, m16n8k16) for every m16n8
// piece of the warp. The instruction accumulates into the tensor-core partial; every 128 k
// from the slice start, at every scale-group boundary and at the slice end the partial is
// promoted into an FP32 register sum (gemm_block_map.hpp: promote) and restarts at +0.
// The epilogue (kernels/emulated/gemm_epilogue.hpp) writes D through a shared-memory tile,
// or, with split-K, the partial sums to a workspace that a second pass reduces.
//
// The Machine interface (both machines implement it; `tid` is the thread in the block):
//   each_thread(f)            f(tid, Regs&) for every thread (the GPU: this thread)
//   barrier()                 __syncthreads
//   cp_async(tid, off, src, bytes, valid)   4- or 16-byte copy global -> shared (zero-fill if !valid)
//   commit(tid), wait_pending<N>(tid)      cp.async.commit_group / wait_group N
//   lds16/lds32/ldsf(tid, off), sts(tid, off, value, bytes)
//   mma<Path>(a_format, b_format, mt, nt)  the warp-wide instruction on Regs::a[mt], b[nt], partial[mt][nt]
//   ldg(const float*), stg(void* base, index, value, bytes)
//   e4m3(tid, float)          D's e4m3fn code (sm_89+: cvt.rn.satfinite.e4m3x2.f32)
//   amax(tid, max, nan)       fold a thread's amax into the kernel's
#pragma once

#include <cstdint>
#include <cstring>

#include "harness/core/convert.hpp"
#include "harness/core/host_device.hpp"
#include "kernels/cuda/index/cp_async_pipeline.hpp"
#include "kernels/cuda/index/gemm_block_map.hpp"
#include "kernels/cuda/index/gemm_params.hpp"
#include "kernels/cuda/index/gemm_tiling.hpp"
#include "kernels/cuda/index/mma_fragments.hpp"
#include "kernels/emulated/gemm_epilogue.hpp"

#if defined(__CUDACC__)
#define FP8C_UNROLL _Pragma("unroll")
// The per-element codec calls (FP8 -> bf16, the epilogue's conversions) are calls, not
// inlined into every unrolled fragment and accumulator: inlined they multiply the code
// (and ptxas's time) by the tile's element count.
#define FP8C_HD_NOINLINE __host__ __device__ __noinline__
#else
#define FP8C_UNROLL
#define FP8C_HD_NOINLINE
#endif

namespace fp8check::cuda_index {

// Native FP8 tensor cores: mma.sync m16n8k32 with e4m3/e5m2 operands (sm_89+).
struct NativeFp8Path {
  using Mma = M16N8K32;
  static constexpr bool native = true;
};
// The software path of devices without FP8 tensor cores (sm_80, sm_86): every 8-bit code
// is widened to bf16 (exact for every FP8 format here) by fp8check's codec, then
// mma.sync m16n8k16 bf16 (the dtype legalization of TVM/MLC-LLM, done exactly).
struct SoftwareBf16Path {
  using Mma = M16N8K16;
  static constexpr bool native = false;
};

// Two adjacent 8-bit codes (the lower address in the low byte) as two bf16 codes.
FP8C_HD_NOINLINE inline std::uint32_t widen_pair_to_bf16(Format f, std::uint32_t two_codes) {
  const std::uint32_t lo = encode<Format::bf16>(decode(f, two_codes & 0xFFu));
  const std::uint32_t hi = encode<Format::bf16>(decode(f, (two_codes >> 8) & 0xFFu));
  return lo | (hi << 16);
}

template <class Tile, class Path>
struct GemmProgram {
  using Mma = typename Path::Mma;
  static constexpr int MT = Tile::mma_m, NT = Tile::mma_n;
  static constexpr int BM = Tile::block_m, BN = Tile::block_n, BK = Tile::block_k, S = Tile::stages;
  static constexpr int THREADS = Tile::threads;

  // A thread's registers.
  struct Regs {
    std::uint32_t a[MT][Mma::a_registers];
    std::uint32_t b[NT][Mma::b_registers];
    float partial[MT][NT][Mma::c_elements];  // the tensor-core accumulator (c and d of each instruction)
    float sum[MT][NT][Mma::c_elements];      // the promoted FP32 register sum
    double amax;
    bool amax_nan;
  };

  FP8C_HD static int warp_row0(int tid) { return (tid / 32) / Tile::warps_n * Tile::warp_m; }
  FP8C_HD static int warp_col0(int tid) { return (tid / 32) % Tile::warps_n * Tile::warp_n; }
  // The tile position of accumulator element i of instruction tile (mt, nt) of thread tid.
  FP8C_HD static FragmentCoord accumulator_coord(int tid, int mt, int nt, int i) {
    const FragmentCoord c = Mma::c(tid % 32, i);
    return {warp_row0(tid) + mt * 16 + c.row, warp_col0(tid) + nt * 8 + c.col};
  }

  // f(mt, nt, i, c) for each accumulator element of thread tid that lands in D (its row
  // written by this tile, its column inside N): the split-K store and the epilogue's walk.
  template <class F>
  FP8C_HD_INLINE static void for_each_written(const GemmKernelParams& p, const TileRow& t, std::int64_t n0, int tid,
                                              F&& f) {
    FP8C_UNROLL
    for (int mt = 0; mt < MT; ++mt)
      FP8C_UNROLL
      for (int nt = 0; nt < NT; ++nt)
        FP8C_UNROLL
        for (int i = 0; i < Mma::c_elements; ++i) {
          const FragmentCoord c = accumulator_coord(tid, mt, nt, i);
          if (row_written(t, c.row) && n0 + c.col < p.n) f(mt, nt, i, c);
        }
  }

  // Issues thread tid's share of k-tile [k0, k0 + BK) into `stage`.
  template <class M>
  FP8C_HD static void copy_tile(M& m, const GemmKernelParams& p, const TileRow& t, std::int64_t n0, std::int64_t k0,
                                int stage, int tid) {
    constexpr GemmSmemLayout L = Tile::smem();
    for (int c = tid; c < BM * BK / 16; c += THREADS) {
      const TileChunk ch = tile_chunk(c, BK);
      const std::int64_t row = t.row0 + ch.row, k = k0 + ch.k;
      const bool valid = row < t.rows && k < p.k;
      m.cp_async(tid, L.a_offset(stage) + swizzled_offset(ch.row, ch.k, BK), valid ? a_codes(p, t, row, k) : p.a.codes,
                 16, valid);
    }
    for (int c = tid; c < BN * BK / 16; c += THREADS) {
      const TileChunk ch = tile_chunk(c, BK);
      const std::int64_t n = n0 + ch.row, k = k0 + ch.k;
      const bool valid = n < p.n && k < p.k;
      m.cp_async(tid, L.b_offset(stage) + swizzled_offset(ch.row, ch.k, BK), valid ? b_codes(p, t, n, k) : p.b.codes,
                 16, valid);
    }
    for (int r = tid; r < L.a_scale_count; r += THREADS) {  // A: 1 x group scales, one per tile row
      const bool valid = t.row0 + r < t.rows;
      m.cp_async(tid, L.a_scale_offset(stage) + 4 * r, valid ? a_scale_address(p, t, t.row0 + r, k0) : p.a.scales.data,
                 4, valid);
    }
    for (int j = tid; j < L.b_scale_count; j += THREADS) {  // B: the scale blocks the tile's columns touch
      const bool valid = (n0 / p.b.scales.block_mn + j) * p.b.scales.block_mn < p.n;
      m.cp_async(tid, L.b_scale_offset(stage) + 4 * j, valid ? b_scale_address(p, t, n0, j, k0) : p.b.scales.data, 4,
                 valid);
    }
  }

  // Loads thread tid's A and B fragments for the instruction at k offset kk of the tile.
  template <class M>
  FP8C_HD static void load_fragments(M& m, const GemmKernelParams& p, Regs& r, int tid, int stage, int kk) {
    constexpr GemmSmemLayout L = Tile::smem();
    const int lane = tid % 32;
    FP8C_UNROLL
    for (int mt = 0; mt < MT; ++mt) {
      FP8C_UNROLL
      for (int j = 0; j < Mma::a_registers; ++j) {
        const FragmentCoord o = a_register_origin<Mma>(lane, j);
        const int off = L.a_offset(stage) + swizzled_offset(warp_row0(tid) + mt * 16 + o.row, kk + o.col, BK);
        if constexpr (Path::native) r.a[mt][j] = m.lds32(tid, off);
        else r.a[mt][j] = widen_pair_to_bf16(p.a.format, m.lds16(tid, off));
      }
    }
    FP8C_UNROLL
    for (int nt = 0; nt < NT; ++nt) {
      FP8C_UNROLL
      for (int j = 0; j < Mma::b_registers; ++j) {
        const FragmentCoord o = b_register_origin<Mma>(lane, j);
        const int off = L.b_offset(stage) + swizzled_offset(warp_col0(tid) + nt * 8 + o.col, kk + o.row, BK);
        if constexpr (Path::native) r.b[nt][j] = m.lds32(tid, off);
        else r.b[nt][j] = widen_pair_to_bf16(p.b.format, m.lds16(tid, off));
      }
    }
  }

  // The scale of an operand without K blocks (per-tensor, per-row, per-column; 1 without
  // scales), read only for elements inside the problem.
  template <class M>
  FP8C_HD static float outer_scale(M& m, const ScaleView& s, std::int64_t batch, std::int64_t mn, bool inside) {
    const float* address = inside ? outer_scale_address(s, batch, mn) : nullptr;
    return address != nullptr ? m.ldg(address) : 1.0f;
  }

  // Promotion of every partial of thread tid. With K-blocked scales each partial is scaled by
  // its row's and column's scale of the current group: from the stage (K-blocked operand)
  // or the operand's single scale (the other one).
  template <class M>
  FP8C_HD static void promote_all(M& m, const GemmKernelParams& p, const TileRow& t, Regs& r, int tid, int stage,
                                  std::int64_t n0, bool k_blocked) {
    constexpr GemmSmemLayout L = Tile::smem();
    FP8C_UNROLL
    for (int mt = 0; mt < MT; ++mt) {
      FP8C_UNROLL
      for (int nt = 0; nt < NT; ++nt) {
        FP8C_UNROLL
        for (int i = 0; i < Mma::c_elements; ++i) {
          float sa = 1.0f, sb = 1.0f;
          if (k_blocked) {
            const FragmentCoord c = accumulator_coord(tid, mt, nt, i);
            const std::int64_t col = n0 + c.col;
            sa = p.a.scales.k_blocked() ? m.ldsf(tid, L.a_scale_offset(stage) + 4 * c.row)
                                        : outer_scale(m, p.a.scales, t.a_batch, t.row_begin + t.row0 + c.row, row_written(t, c.row));
            sb = p.b.scales.k_blocked() ? m.ldsf(tid, L.b_scale_offset(stage) + 4 * b_scale_slot(p, n0, col))
                                        : outer_scale(m, p.b.scales, t.b_batch, col, col < p.n);
          }
          r.sum[mt][nt][i] = promote(r.sum[mt][nt][i], r.partial[mt][nt][i], k_blocked, sa, sb);
          r.partial[mt][nt][i] = 0.0f;
        }
      }
    }
  }

  // D's code of the epilogue's value v (the codec's conversion: a call, see FP8C_HD_NOINLINE).
  FP8C_HD_NOINLINE static std::uint32_t output_code_of(const detail::EpilogueScalars& e, float v) {
    return detail::output_code<float>(e, v);
  }

  // D's element from its accumulator: the epilogue of the emulated GEMM (outer scales, C,
  // bias read through the machine), amax_D, and D's code (e4m3fn through the machine: the
  // hardware cvt on sm_89+).
  template <class M>
  FP8C_HD static std::uint32_t finish(M& m, const GemmKernelParams& p, const TileRow& t, int tid, std::int64_t row,
                                      std::int64_t col, float acc, double& amax, bool& amax_nan) {
    const bool k_blocked = k_scale_group(p) > 0;
    const float sa = k_blocked ? 1.0f : outer_scale(m, p.a.scales, t.a_batch, row, true);
    const float sb = k_blocked ? 1.0f : outer_scale(m, p.b.scales, t.b_batch, col, true);
    const EpilogueView& e = p.epilogue;
    const float c = e.scalars.beta != 0.0f ? m.ldg(e.c + t.a_batch * e.c_batch_stride + row * e.ldc + col) : 0.0f;
    const float bias = e.bias != nullptr ? m.ldg(e.bias + col) : 0.0f;
    const float v = detail::epilogue_value<float>(e.scalars, acc, sa, sb, p.tensor_ab, c, e.bias != nullptr, bias);
    const double magnitude = detail::output_magnitude<float>(v);
    if (magnitude != magnitude) amax_nan = true;
    else if (magnitude > amax) amax = magnitude;
    if (e.scalars.output == OutputType::e4m3fn) return m.e4m3(tid, v * e.scalars.d_scale);
    return output_code_of(e.scalars, v);
  }

  // One block: tile row x, N tile y, split-K slice z.
  template <class M>
  FP8C_HD static void run(M& m, const GemmKernelParams& p, std::int64_t tile_row_index, std::int64_t n_tile, int slice) {
    constexpr GemmSmemLayout L = Tile::smem();
    const TileRow t = p.tile_rows[tile_row_index];
    const std::int64_t n0 = n_tile * BN;
    const KRange sl = slice_range(p, slice);
    const int group = k_scale_group(p);
    const bool k_blocked = group > 0;
    const std::int64_t k_tiles = (sl.end - sl.begin + BK - 1) / BK;  // 0 for an empty slice

    m.each_thread([&](int, Regs& r) {
      FP8C_UNROLL
      for (int mt = 0; mt < MT; ++mt)
        FP8C_UNROLL
        for (int nt = 0; nt < NT; ++nt)
          FP8C_UNROLL
          for (int i = 0; i < Mma::c_elements; ++i) r.partial[mt][nt][i] = r.sum[mt][nt][i] = 0.0f;
      r.amax = 0.0;
      r.amax_nan = false;
    });
    const auto copy = [&](int tid, std::int64_t tile, int stage) { copy_tile(m, p, t, n0, sl.begin + tile * BK, stage, tid); };
    pipeline_prologue<S>(m, k_tiles, copy);
    for (std::int64_t i = 0; i < k_tiles; ++i) {
      const int stage = static_cast<int>(i % S);
      pipeline_acquire<S>(m, i, k_tiles, copy);
      const std::int64_t tile_k0 = sl.begin + i * BK;
      for (int kk = 0; kk < BK; kk += Mma::k) {
        if (tile_k0 + kk >= sl.end) break;  // the slice's (and K's) last tile may be short
        m.each_thread([&](int tid, Regs& r) { load_fragments(m, p, r, tid, stage, kk); });
        FP8C_UNROLL
        for (int mt = 0; mt < MT; ++mt)
          FP8C_UNROLL
          for (int nt = 0; nt < NT; ++nt) m.template mma<Path>(p.a.format, p.b.format, mt, nt);
        if (promotes_after(tile_k0 + kk + Mma::k, sl, group))
          m.each_thread([&](int tid, Regs& r) { promote_all(m, p, t, r, tid, stage, n0, k_blocked); });
      }
      if constexpr (S == 1) m.barrier();  // the next copy overwrites the only stage
    }
    m.each_thread([&](int tid, Regs&) { m.template wait_pending<0>(tid); });
    m.barrier();  // every warp is done with the stages: the output tile may reuse them

    if (p.split_k > 1) {  // partial sums to the workspace; finish_split_k reduces them
      m.each_thread([&](int tid, Regs& r) {
        for_each_written(p, t, n0, tid, [&](int mt, int nt, int i, const FragmentCoord& c) {
          m.stg(p.workspace, slice * p.workspace_slice + d_index(p, t, c.row, n0 + c.col), fp32_bits(r.sum[mt][nt][i]),
                4);
        });
      });
      return;
    }
    m.each_thread([&](int tid, Regs& r) {
      for_each_written(p, t, n0, tid, [&](int mt, int nt, int i, const FragmentCoord& c) {
        const std::int64_t row = t.row_begin + t.row0 + c.row;
        const std::uint32_t code = finish(m, p, t, tid, row, n0 + c.col, r.sum[mt][nt][i], r.amax, r.amax_nan);
        m.sts(tid, L.epilogue_offset + (c.row * BN + c.col) * Tile::out_bytes, code, Tile::out_bytes);
      });
      m.amax(tid, r.amax, r.amax_nan);
    });
    m.barrier();
    m.each_thread([&](int tid, Regs&) {  // the tile row by row: consecutive threads, consecutive columns
      for (int e = tid; e < BM * BN; e += THREADS) {
        const int row = e / BN, col = e % BN;
        if (!row_written(t, row) || n0 + col >= p.n) continue;
        m.stg(p.d, d_index(p, t, row, n0 + col), m.lds(tid, L.epilogue_offset + e * Tile::out_bytes, Tile::out_bytes),
              Tile::out_bytes);
      }
    });
  }

  // Split-K's second pass over the same grid (z = 0): every written element of the tile
  // reduces its slices' partials in the config's order (sequential or tree, as the
  // emulated GEMM) and goes through the epilogue.
  template <class M>
  FP8C_HD static void finish_split_k(M& m, const GemmKernelParams& p, std::int64_t tile_row_index, std::int64_t n_tile) {
    const TileRow t = p.tile_rows[tile_row_index];
    const std::int64_t n0 = n_tile * BN;
    m.each_thread([&](int tid, Regs& r) {
      r.amax = 0.0;
      r.amax_nan = false;
      for (int e = tid; e < BM * BN; e += THREADS) {
        const int row = e / BN, col = e % BN;
        if (!row_written(t, row) || n0 + col >= p.n) continue;
        const std::int64_t at = d_index(p, t, row, n0 + col);
        // The element's partials are this thread's alone: the tree reduces in the workspace.
        const float acc = detail::reduce_partials_in_place(p.workspace + at, p.split_k, p.workspace_slice, p.reduction);
        m.stg(p.d, at, finish(m, p, t, tid, t.row_begin + t.row0 + row, n0 + col, acc, r.amax, r.amax_nan), Tile::out_bytes);
      }
      m.amax(tid, r.amax, r.amax_nan);
    });
  }

  FP8C_HD static std::uint32_t fp32_bits(float v) {
    std::uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
  }
};

}  // namespace fp8check::cuda_index
