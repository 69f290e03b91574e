// The multistage cp.async pipeline of CUTLASS's sm80 mainloop, as fp8check's own GEMM and
// attention block programs run it over `tiles` tiles with S stages in shared memory:
// the prologue issues tiles 0 .. S-2, one commit group each; before tile i is consumed,
// pipeline_acquire waits until at most S-2 groups are pending (tile i's has landed: PTX ISA
// 9.7.9.25, cp.async.wait_group), synchronises the block (every thread's copies are then
// visible, and every thread is done with the stage tile i-1 used) and issues tile i+S-1
// into that stage. With S = 1 it issues tile i into the only stage and waits for it; the
// caller then needs a barrier after consuming it. copy(tid, tile, stage) issues thread
// tid's cp.async of a tile; the machine is either of kernels/cuda/own/device_machine.cuh
// and kernels/cuda/twin/twin_machine.hpp.
#pragma once

#include <cstdint>

#include "harness/core/host_device.hpp"

namespace fp8check::cuda_index {

template <int S, class M, class Copy>
FP8C_HD void pipeline_prologue(M& m, std::int64_t tiles, Copy&& copy) {
  if constexpr (S > 1) {
    for (int s = 0; s < S - 1; ++s)
      m.each_thread([&](int tid, auto&) {
        if (s < tiles) copy(tid, std::int64_t{s}, s);
        m.commit(tid);
      });
  }
}

template <int S, class M, class Copy>
FP8C_HD void pipeline_acquire(M& m, std::int64_t i, std::int64_t tiles, Copy&& copy) {
  if constexpr (S == 1) {
    m.each_thread([&](int tid, auto&) {
      copy(tid, i, 0);
      m.commit(tid);
      m.template wait_pending<0>(tid);
    });
    m.barrier();
  } else {
    m.each_thread([&](int tid, auto&) { m.template wait_pending<S - 2>(tid); });
    m.barrier();
    const std::int64_t next = i + S - 1;
    m.each_thread([&](int tid, auto&) {
      if (next < tiles) copy(tid, next, static_cast<int>(next % S));
      m.commit(tid);
    });
  }
}

}  // namespace fp8check::cuda_index
