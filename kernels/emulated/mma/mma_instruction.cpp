#include "kernels/emulated/mma/mma_instruction.hpp"

#include <array>
#include <ostream>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

using F = Format;
using R = MmaRegister;
constexpr MmaFamily kSync = MmaFamily::mma_sync, kWgmma = MmaFamily::wgmma, kTcgen05 = MmaFamily::tcgen05;

// A plain instruction. Parameters from MMA-Sim (mmasim/simulator/nv_ptx.py): F = 24 on
// sm_80/sm_89 mma.sync, 25 on sm_90 wgmma and sm_100 tcgen05; FP8 inputs on sm_89 mma.sync
// and sm_90 wgmma: F = 13 and an FP32 d truncated to 13 bits ('f32_e8m13'); sm_80/sm_89
// mma.sync of 16-bit (k16) and FP8 (k32) inputs run as two halves.
constexpr MmaInstruction plain(const char* name, int sm, MmaFamily family, const char* ptx, F a, F b, int k,
                               int fraction_bits, R c) {
  const bool fp8 = format_spec(a).bits == 8;
  MmaInstruction i;
  i.name = name, i.sm = sm, i.family = family, i.ptx = ptx, i.a = a, i.b = b, i.k = k;
  i.split_k_halves = family == kSync && (sm == 80 || sm == 89);
  i.fraction_bits = fraction_bits;
  i.c = c;
  i.d_fraction_bits = c == R::f16 ? 10 : (fp8 && fraction_bits == 13 ? 13 : 23);
  return i;
}

// Blackwell block-scaled MMAs: F = 25 for k = 32 (mxf8f6f4), 35 for k = 64 with exact
// partial sums of 16 (mxf4, mxf4nvf4); FP32 d truncated to 23 bits.
constexpr MmaInstruction scaled(const char* name, const char* ptx, F element, int k, MmaScaleKind scale,
                                int scale_block) {
  MmaInstruction i = plain(name, 100, kTcgen05, ptx, element, element, k, k == 64 ? 35 : 25, R::f32);
  i.scale = scale, i.scale_block = scale_block, i.partial_group = k == 64 ? 16 : 0;
  return i;
}

constexpr const char* kSm80 = "mma.sync.aligned.m16n8k16.row.col";
constexpr const char* kSm89Fp8 = "mma.sync.aligned.m16n8k32.row.col";
constexpr const char* kWgmmaFp8 = "wgmma.mma_async.sync.aligned.m64nNk32";
constexpr const char* kWgmma16 = "wgmma.mma_async.sync.aligned.m64nNk16";
constexpr const char* kTcF8 = "tcgen05.mma.cta_group::1.kind::f8f6f4";
constexpr const char* kTcF16 = "tcgen05.mma.cta_group::1.kind::f16";

constexpr auto kInstructions = std::to_array<MmaInstruction>({
    plain("sm80_mma_bf16_f32", 80, kSync, kSm80, F::bf16, F::bf16, 16, 24, R::f32),
    plain("sm80_mma_f16_f32", 80, kSync, kSm80, F::fp16, F::fp16, 16, 24, R::f32),
    plain("sm80_mma_f16_f16", 80, kSync, kSm80, F::fp16, F::fp16, 16, 24, R::f16),
    plain("sm89_mma_e4m3_f32", 89, kSync, kSm89Fp8, F::e4m3fn, F::e4m3fn, 32, 13, R::f32),
    plain("sm89_mma_e5m2_f32", 89, kSync, kSm89Fp8, F::e5m2, F::e5m2, 32, 13, R::f32),
    plain("sm89_mma_e4m3xe5m2_f32", 89, kSync, kSm89Fp8, F::e4m3fn, F::e5m2, 32, 13, R::f32),
    plain("sm89_mma_e5m2xe4m3_f32", 89, kSync, kSm89Fp8, F::e5m2, F::e4m3fn, 32, 13, R::f32),
    plain("sm89_mma_e4m3_f16", 89, kSync, kSm89Fp8, F::e4m3fn, F::e4m3fn, 32, 13, R::f16),
    plain("sm89_mma_e5m2_f16", 89, kSync, kSm89Fp8, F::e5m2, F::e5m2, 32, 13, R::f16),
    plain("sm89_mma_bf16_f32", 89, kSync, kSm80, F::bf16, F::bf16, 16, 24, R::f32),
    plain("sm89_mma_f16_f32", 89, kSync, kSm80, F::fp16, F::fp16, 16, 24, R::f32),
    plain("sm90_wgmma_e4m3_f32", 90, kWgmma, kWgmmaFp8, F::e4m3fn, F::e4m3fn, 32, 13, R::f32),
    plain("sm90_wgmma_e5m2_f32", 90, kWgmma, kWgmmaFp8, F::e5m2, F::e5m2, 32, 13, R::f32),
    plain("sm90_wgmma_e4m3xe5m2_f32", 90, kWgmma, kWgmmaFp8, F::e4m3fn, F::e5m2, 32, 13, R::f32),
    plain("sm90_wgmma_e5m2xe4m3_f32", 90, kWgmma, kWgmmaFp8, F::e5m2, F::e4m3fn, 32, 13, R::f32),
    plain("sm90_wgmma_e4m3_f16", 90, kWgmma, kWgmmaFp8, F::e4m3fn, F::e4m3fn, 32, 13, R::f16),
    plain("sm90_wgmma_e5m2_f16", 90, kWgmma, kWgmmaFp8, F::e5m2, F::e5m2, 32, 13, R::f16),
    plain("sm90_wgmma_e4m3xe5m2_f16", 90, kWgmma, kWgmmaFp8, F::e4m3fn, F::e5m2, 32, 13, R::f16),
    plain("sm90_wgmma_e5m2xe4m3_f16", 90, kWgmma, kWgmmaFp8, F::e5m2, F::e4m3fn, 32, 13, R::f16),
    plain("sm90_wgmma_bf16_f32", 90, kWgmma, kWgmma16, F::bf16, F::bf16, 16, 25, R::f32),
    plain("sm90_wgmma_f16_f32", 90, kWgmma, kWgmma16, F::fp16, F::fp16, 16, 25, R::f32),
    plain("sm90_wgmma_f16_f16", 90, kWgmma, kWgmma16, F::fp16, F::fp16, 16, 25, R::f16),
    plain("sm100_tcgen05_e4m3_f32", 100, kTcgen05, kTcF8, F::e4m3fn, F::e4m3fn, 32, 25, R::f32),
    plain("sm100_tcgen05_e5m2_f32", 100, kTcgen05, kTcF8, F::e5m2, F::e5m2, 32, 25, R::f32),
    plain("sm100_tcgen05_e4m3xe5m2_f32", 100, kTcgen05, kTcF8, F::e4m3fn, F::e5m2, 32, 25, R::f32),
    plain("sm100_tcgen05_e5m2xe4m3_f32", 100, kTcgen05, kTcF8, F::e5m2, F::e4m3fn, 32, 25, R::f32),
    plain("sm100_tcgen05_e4m3_f16", 100, kTcgen05, kTcF8, F::e4m3fn, F::e4m3fn, 32, 25, R::f16),
    plain("sm100_tcgen05_bf16_f32", 100, kTcgen05, kTcF16, F::bf16, F::bf16, 16, 25, R::f32),
    plain("sm100_tcgen05_f16_f32", 100, kTcgen05, kTcF16, F::fp16, F::fp16, 16, 25, R::f32),
    scaled("sm100_mxf8_e4m3_e8m0", "tcgen05.mma.cta_group::1.kind::mxf8f6f4.block_scale.scale_vec::1X", F::e4m3fn,
           32, MmaScaleKind::e8m0, 32),
    scaled("sm100_mxf8_e5m2_e8m0", "tcgen05.mma.cta_group::1.kind::mxf8f6f4.block_scale.scale_vec::1X", F::e5m2,
           32, MmaScaleKind::e8m0, 32),
    scaled("sm100_mxf4_e2m1_e8m0", "tcgen05.mma.cta_group::1.kind::mxf4.block_scale.scale_vec::2X", F::e2m1fn, 64,
           MmaScaleKind::e8m0, 32),
    scaled("sm100_nvf4_e2m1_ue4m3", "tcgen05.mma.cta_group::1.kind::mxf4nvf4.block_scale.scale_vec::4X", F::e2m1fn,
           64, MmaScaleKind::ue4m3, 16),
});

const char* family_name(MmaFamily f) {
  switch (f) {
    case MmaFamily::mma_sync: return "mma.sync";
    case MmaFamily::wgmma: return "wgmma";
    case MmaFamily::tcgen05: return "tcgen05.mma";
  }
  return "?";
}

const char* scale_name(MmaScaleKind s) {
  switch (s) {
    case MmaScaleKind::none: return "none";
    case MmaScaleKind::e8m0: return "e8m0";
    case MmaScaleKind::ue4m3: return "ue4m3";
  }
  return "?";
}

}  // namespace

std::string MmaInstruction::c_name() const { return c == MmaRegister::f16 ? "f16" : "f32"; }

std::string MmaInstruction::d_name() const {
  if (c == MmaRegister::f16) return "f16";
  return d_fraction_bits == 23 ? "f32" : "f32_e8m" + std::to_string(d_fraction_bits);
}

MmaInstruction MmaInstruction::with_fraction_bits(int bits) const {
  MmaInstruction i = *this;
  if (c == MmaRegister::f32 && d_fraction_bits < 23) i.d_fraction_bits = bits < 23 ? bits : 23;
  i.fraction_bits = bits;
  i.validate();
  return i;
}

void MmaInstruction::validate() const {
  const auto bad = [&](const std::string& what) {
    return InputError(std::string("MMA instruction ") + name + ": " + what);
  };
  if (fraction_bits < 1 || fraction_bits > 40)
    throw bad("fraction bits " + std::to_string(fraction_bits) + " must be in [1, 40]");
  if (k < 2 || k > 256 || (split_k_halves && k % 2 != 0))
    throw bad("k " + std::to_string(k) + " must be in [2, 256] (even with split halves)");
  const int d_bits = c == MmaRegister::f16 ? 10 : 23;
  if (d_fraction_bits < 1 || d_fraction_bits > d_bits || (c == MmaRegister::f16 && d_fraction_bits != 10))
    throw bad("d fraction bits " + std::to_string(d_fraction_bits) + " do not fit the " + c_name() + " d register");
  for (Format f : {a, b}) {
    const int bits = format_spec(f).bits;
    if (bits != 4 && bits != 8 && bits != 16) throw bad(std::string("operand format ") + format_spec(f).name + " is not supported");
  }
  if (scale == MmaScaleKind::none) {
    if (scale_block != 0 || partial_group != 0) throw bad("scale block and partial group need a block-scale kind");
    return;
  }
  if (scale_block <= 0 || k % scale_block != 0)
    throw bad("scale block " + std::to_string(scale_block) + " must divide k " + std::to_string(k));
  if (c != MmaRegister::f32 || split_k_halves) throw bad("block-scaled instructions have an FP32 d and no halves");
  if (partial_group == 0) {
    if (scale_block != k || scale != MmaScaleKind::e8m0)
      throw bad("without partial sums one e8m0 scale must cover the instruction's k");
    return;
  }
  if (a != b || format_spec(a).has_nan() || scale_block % partial_group != 0 || k % partial_group != 0)
    throw bad("partial sums need one FP4/FP6 element format and groups that divide the scale block");
}

std::ostream& operator<<(std::ostream& os, const MmaInstruction& i) {
  os << i.name << " (sm_" << i.sm << " " << family_name(i.family) << ", " << i.ptx << "): a " << format_spec(i.a).name
     << ", b " << format_spec(i.b).name << ", k " << i.k << (i.split_k_halves ? " as two halves" : "") << ", "
     << i.fraction_bits << " fraction bits, c " << i.c_name() << ", d " << i.d_name()
     << (i.c == MmaRegister::f16 ? " (round to nearest even)" : " (truncate)");
  if (i.scale != MmaScaleKind::none) {
    os << ", " << scale_name(i.scale) << " scale per " << i.scale_block;
    if (i.partial_group != 0) os << ", exact partial sums of " << i.partial_group;
  }
  return os;
}

std::span<const MmaInstruction> mma_instructions() { return kInstructions; }

std::string mma_instruction_name_list() {
  std::string out;
  for (const MmaInstruction& i : kInstructions) out += (out.empty() ? "" : ", ") + std::string(i.name);
  return out;
}

const MmaInstruction& find_mma_instruction(std::string_view name) {
  for (const MmaInstruction& i : kInstructions)
    if (name == i.name) return i;
  throw InputError("unknown MMA instruction '" + std::string(name) + "': expected one of " + mma_instruction_name_list());
}

}  // namespace fp8check
