// A kernel model: which tensor-core instruction a GEMM kernel issues along K, and what it
// does with the accumulator between instructions. The accumulator stays in the tensor
// core (c of each instruction = d of the one before) until a promotion: every
// `promotion_interval` k (and after the last instruction) the partial is added to an FP32
// register sum with one FP32 add and restarts at +0 (DeepGEMM's promotion every 128 k).
// Ids: BASE[.fN][.pN], e.g. "sm90-wgmma", "sm90-wgmma.p128", "sm90-wgmma.f12.p128":
//   sm80-mma       Ampere mma.sync, bf16/fp16 (k16 as two halves)
//   sm89-mma       Ada mma.sync m16n8k32, FP8 (two halves of 16)
//   sm90-wgmma     Hopper wgmma; without .p: one accumulator through all of K (cuBLASLt's
//                  and CUTLASS's FP8 "fast accumulation")
//   sm100-tcgen05  Blackwell tcgen05.mma without block scales
//   sm100-mxf8 / sm100-mxf4 / sm100-nvf4  Blackwell block-scaled MMAs (scales per 32 / 32 / 16 k)
// .fN sets the alignment's fraction bits (a sensitivity study, MmaInstruction::with_fraction_bits);
// .pN promotes every N k (a multiple of the instruction's k).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "harness/core/format_spec.hpp"
#include "kernels/emulated/mma/mma_instruction.hpp"

namespace fp8check {

enum class MmaKernelBase : std::uint8_t { sm80_mma, sm89_mma, sm90_wgmma, sm100_tcgen05, sm100_mxf8, sm100_mxf4, sm100_nvf4 };

struct KernelModel {
  MmaKernelBase base = MmaKernelBase::sm90_wgmma;
  int fraction_bits = 0;       // 0: the instruction's own
  int promotion_interval = 0;  // k between promotions into the FP32 register sum; 0: never

  std::string id() const;  // canonical: BASE[.fN][.pN]
  void validate() const;   // InputError on out-of-range parameters
  bool block_scaled() const;
  // The instruction this kernel issues for A/B formats (a, b), with .fN applied. InputError
  // naming the formats the kernel accepts when it has none for (a, b), and when the
  // promotion interval is not a multiple of the instruction's k.
  MmaInstruction instruction(Format a, Format b) const;
  friend bool operator==(const KernelModel&, const KernelModel&) = default;
};

std::ostream& operator<<(std::ostream& os, const KernelModel& model);

// Parses an id (suffixes in any order, each at most once); InputError listing the bases.
KernelModel parse_kernel_model(std::string_view id);
std::string kernel_model_base_list();  // "sm80-mma, sm89-mma, ..."

}  // namespace fp8check
