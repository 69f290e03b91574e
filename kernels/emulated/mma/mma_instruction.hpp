// Tensor-core instructions as printable descriptors: one per (architecture, instruction,
// A/B types, accumulator type), with the arithmetic parameters MMA-Sim found for it
// (Xie et al., arXiv:2511.10909; microsoft/MMA-Sim, mmasim/simulator/nv_ptx.py). The names
// are those of tests/data/mma/index.json; the table (mma_instruction.cpp) also holds the
// other operand-type pairs of the same instructions, with the same parameters.
// mma_execute.hpp runs one instruction for one output element.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "harness/core/host_device.hpp"
#include "kernels/emulated/mma/block_scaled_dot_add.hpp"
#include "kernels/emulated/mma/fused_dot_add.hpp"

namespace fp8check {

enum class MmaFamily : std::uint8_t { mma_sync, wgmma, tcgen05 };
enum class MmaScaleKind : std::uint8_t { none, e8m0, ue4m3 };

struct MmaInstruction {
  const char* name = "";  // "sm90_wgmma_e4m3_f32"
  int sm = 90;            // compute capability: 80, 89, 90, 100
  MmaFamily family = MmaFamily::wgmma;
  const char* ptx = "";   // the PTX form it models
  Format a = Format::e4m3fn;
  Format b = Format::e4m3fn;
  int k = 32;                   // products per output element and instruction
  bool split_k_halves = false;  // two fused steps of k/2, the second with c = the first's d
  int fraction_bits = 13;       // F: bits kept below the largest exponent by the alignment
  MmaRegister c = MmaRegister::f32;  // c and d registers
  int d_fraction_bits = 13;     // FP32 d: bits kept by truncation (23; 13 = 'f32_e8m13'); FP16 d: 10 (RNE)
  MmaScaleKind scale = MmaScaleKind::none;
  int scale_block = 0;          // products per block scale; 0 without block scales
  int partial_group = 0;        // mxf4/nvf4: products per exact partial sum (16); 0 otherwise

  FP8C_HD int scales_per_row() const { return scale == MmaScaleKind::none ? 0 : k / scale_block; }
  FP8C_HD Format scale_format() const { return scale == MmaScaleKind::ue4m3 ? Format::e4m3fn : Format::e8m0fnu; }
  FP8C_HD MmaOutput output() const { return {c, d_fraction_bits}; }
  // The fused step (a whole instruction, or one half of a split one).
  FP8C_HD MmaStep step() const {
    return {a, b, split_k_halves ? k / 2 : k, fraction_bits, c, output()};
  }
  FP8C_HD MmaBlockScaledStep block_scaled_step() const {
    return {a, scale_format(), k, partial_group, scale_block, fraction_bits, output()};
  }

  std::string c_name() const;  // "f32", "f16"
  std::string d_name() const;  // "f32", "f32_e8m13", "f16"
  // The same instruction with F = bits (a sensitivity study, kernel_model.hpp's ".fN"): an
  // FP32 d that the hardware truncates to its accumulator width (e8m13) keeps min(bits, 23).
  MmaInstruction with_fraction_bits(int bits) const;
  // InputError naming the inconsistent field.
  void validate() const;
};

std::ostream& operator<<(std::ostream& os, const MmaInstruction& instruction);

// Every instruction fp8check models, in table order.
std::span<const MmaInstruction> mma_instructions();
// The instruction called `name`; InputError listing the names otherwise.
const MmaInstruction& find_mma_instruction(std::string_view name);
std::string mma_instruction_name_list();  // "sm80_mma_bf16_f32, ..."

}  // namespace fp8check
