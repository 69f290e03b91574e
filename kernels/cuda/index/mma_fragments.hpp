// Which lane of a warp holds which element of an mma.sync operand: the fragment maps of the
// two instructions fp8check's own GEMM and attention kernels issue. Host and device code:
// the CUDA kernels load their registers through these maps, and the CPU twin
// (kernels/cuda/twin) assembles each instruction's matrices through them before it runs
// the instruction model. tests/cuda/mma_fragments_test.cpp holds every map to tables
// written out by hand from the PTX ISA.
//
// Source: PTX ISA (version 8.x/9.x), section 9.7.14.5 "Matrix Fragments for mma.m16n8k32"
// (the .e4m3/.e5m2/.s8/.u8 A and B layouts, the .f32 accumulator layout) and
// "Matrix Fragments for mma.m16n8k16 with floating point type" (.bf16/.f16 A and B). In
// all of them groupID = laneid >> 2 and threadID_in_group = laneid % 4, and "elements
// (low to high)" means element i of a register vector sits in the register i / (elements
// per register), at byte (or half) i % (elements per register), lowest first.
#pragma once

#include <cstdint>

#include "harness/core/host_device.hpp"

namespace fp8check::cuda_index {

// A position inside one instruction's operand: A is M x K (16 x k), B is K x N (k x 8),
// C/D is M x N (16 x 8).
struct FragmentCoord {
  int row = 0;  // A: m, B: k, C: m
  int col = 0;  // A: k, B: n, C: n
  friend FP8C_HD constexpr bool operator==(const FragmentCoord& a, const FragmentCoord& b) {
    return a.row == b.row && a.col == b.col;
  }
};

FP8C_HD_INLINE constexpr int group_id(int lane) { return lane >> 2; }
FP8C_HD_INLINE constexpr int thread_in_group(int lane) { return lane & 3; }

// mma.sync.aligned.m16n8k32.row.col.f32.{e4m3,e5m2}.{e4m3,e5m2}.f32 ----------------------
// A: four .b32 registers of four 8-bit elements, a0..a15.
//   row = groupID for a_i with 0 <= i < 4 or 8 <= i < 12, groupID + 8 otherwise;
//   col = threadID_in_group * 4 + (i & 3), plus 16 for i >= 8.
struct M16N8K32 {
  static constexpr int m = 16, n = 8, k = 32;
  static constexpr int a_elements = 16, b_elements = 8, c_elements = 4;
  static constexpr int a_registers = 4, b_registers = 2;
  static constexpr int elements_per_register = 4;  // 8-bit elements

  FP8C_HD static constexpr FragmentCoord a(int lane, int i) {
    return {group_id(lane) + ((i & 4) ? 8 : 0), thread_in_group(lane) * 4 + (i & 3) + (i >= 8 ? 16 : 0)};
  }
  // B: two .b32 registers of four 8-bit elements, b0..b7.
  //   row (k) = threadID_in_group * 4 + (i & 3), plus 16 for i >= 4; col (n) = groupID.
  FP8C_HD static constexpr FragmentCoord b(int lane, int i) {
    return {thread_in_group(lane) * 4 + (i & 3) + (i >= 4 ? 16 : 0), group_id(lane)};
  }
  // C/D (.f32): four registers c0..c3.
  //   row = groupID for c0, c1; groupID + 8 for c2, c3; col = threadID_in_group * 2 + (i & 1).
  FP8C_HD static constexpr FragmentCoord c(int lane, int i) {
    return {group_id(lane) + (i >= 2 ? 8 : 0), thread_in_group(lane) * 2 + (i & 1)};
  }
};

// mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 (the same map for .f16) -------------
// A: four .b32 registers of two 16-bit elements, a0..a7.
//   row = groupID for a_i with 0 <= i < 2 or 4 <= i < 6, groupID + 8 otherwise;
//   col = threadID_in_group * 2 + (i & 1), plus 8 for i >= 4.
struct M16N8K16 {
  static constexpr int m = 16, n = 8, k = 16;
  static constexpr int a_elements = 8, b_elements = 4, c_elements = 4;
  static constexpr int a_registers = 4, b_registers = 2;
  static constexpr int elements_per_register = 2;  // 16-bit elements

  FP8C_HD static constexpr FragmentCoord a(int lane, int i) {
    return {group_id(lane) + ((i & 2) ? 8 : 0), thread_in_group(lane) * 2 + (i & 1) + (i >= 4 ? 8 : 0)};
  }
  // B: two .b32 registers of two 16-bit elements, b0..b3.
  //   row (k) = threadID_in_group * 2 + (i & 1), plus 8 for i >= 2; col (n) = groupID.
  FP8C_HD static constexpr FragmentCoord b(int lane, int i) {
    return {thread_in_group(lane) * 2 + (i & 1) + (i >= 2 ? 8 : 0), group_id(lane)};
  }
  // C/D: as m16n8k32's.
  FP8C_HD static constexpr FragmentCoord c(int lane, int i) { return M16N8K32::c(lane, i); }
};

// One lane's registers of one instruction: A (four .b32), B (two .b32), and the four .f32
// of C, which D overwrites. A machine's mma_fragments<Mma> asks the kernel program for them
// per lane (the GEMM's Regs::a[mt], b[nt], partial[mt][nt]; attention's Q or P, K or V, S or O).
struct MmaRegisters {
  const std::uint32_t* a = nullptr;
  const std::uint32_t* b = nullptr;
  float* c = nullptr;
};

// Where register `r` of a lane's A (B) fragment starts: the coordinate of its lowest
// element. Every register of both instructions holds elements that are consecutive along
// K (A: row fixed, col + 0..; B: col fixed, row + 0..), so a K-major tile in shared memory
// gives each register as one 32-bit load at this coordinate. The tests check that claim.
template <class Mma>
FP8C_HD_INLINE constexpr FragmentCoord a_register_origin(int lane, int r) {
  return Mma::a(lane, r * Mma::elements_per_register);
}
template <class Mma>
FP8C_HD_INLINE constexpr FragmentCoord b_register_origin(int lane, int r) {
  return Mma::b(lane, r * Mma::elements_per_register);
}

}  // namespace fp8check::cuda_index
