// The instruction models against the literal twin (mma_twin.hpp) on random instructions of
// every descriptor: FP8CHECK_MMA_RANDOM_INSTRUCTIONS in all (a few million under label cpu,
// more under long). Inputs come from keyed Philox streams (harness/generate), in regimes
// that reach the corners: any code, ordinary values, exact cancellation to zero, zeros and
// subnormals, NaN/inf operands and accumulators, huge and tiny accumulators, overflow.
// Coverage is counted and checked, so a generator that stopped reaching a corner fails.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "harness/generate/philox_stream.hpp"
#include "harness/generate/seed.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"
#include "tests/mma/mma_twin.hpp"

#ifndef FP8CHECK_MMA_RANDOM_INSTRUCTIONS
#define FP8CHECK_MMA_RANDOM_INSTRUCTIONS 2000000
#endif

namespace fp8check {
namespace {

enum Regime { any_code, ordinary, cancellation, zeros_subnormals, specials, extreme_c, overflow, mixed, kRegimes };

// Word w (< 256) of one instruction's random words in one substream (Philox blocks of
// counter index * 64 + w / 4, generated once each).
class Words {
 public:
  Words(std::uint64_t key, std::uint32_t substream, std::uint64_t index) : stream_(key, substream), index_(index) {}
  std::uint32_t operator()(int w) const {
    const auto block = static_cast<std::uint64_t>(w / 4);
    if (block != cached_) cache_ = stream_.block(index_ * 64 + block), cached_ = block;
    return cache_[static_cast<std::size_t>(w % 4)];
  }

 private:
  PhiloxStream stream_;
  std::uint64_t index_;
  mutable PhiloxBlock cache_{};
  mutable std::uint64_t cached_ = ~std::uint64_t{0};
};

std::uint32_t top_field(const FormatSpec& s) { return (1u << s.exp_bits) - (s.rule == SpecialRule::ieee ? 2u : 1u); }

// A finite code: sign, exponent field (clamped to the finite range), mantissa bits.
std::uint32_t finite_code(const FormatSpec& s, bool negative, int exponent_field, std::uint32_t mantissa) {
  const int field = exponent_field < 0 ? 0 : (exponent_field > int(top_field(s)) ? int(top_field(s)) : exponent_field);
  std::uint32_t code = (static_cast<std::uint32_t>(field) << s.man_bits) | (mantissa & ((1u << s.man_bits) - 1u));
  if (s.rule == SpecialRule::fn && code == s.magnitude_mask()) --code;  // S.1111.111 is NaN
  return negative ? code | s.sign_bit() : code;
}

// NaN, +-inf where the format has them, else +-0.
std::uint32_t special_code(const FormatSpec& s, std::uint32_t r) {
  const std::uint32_t sign = (r & 1u) ? s.sign_bit() : 0u;
  const std::uint32_t all_ones = ((1u << s.exp_bits) - 1u) << s.man_bits;
  switch ((r >> 1) % 3) {
    case 0:
      if (s.rule == SpecialRule::fn) return sign | s.magnitude_mask();
      if (s.rule == SpecialRule::ieee) return sign | all_ones | (1u + ((r >> 8) % ((1u << s.man_bits) - 1u)));
      break;
    case 1:
      if (s.rule == SpecialRule::ieee) return sign | all_ones;
      break;
  }
  return sign;
}

std::uint32_t element(const FormatSpec& s, Regime regime, std::uint32_t r, std::uint32_t r2) {
  if (regime == mixed) regime = static_cast<Regime>((r2 >> 29) % 4);  // any_code, ordinary, cancellation(=ordinary), zeros
  const bool negative = (r >> 31) != 0;
  switch (regime) {
    case any_code: return r & ((1u << s.bits) - 1u);
    case zeros_subnormals: return finite_code(s, negative, (r >> 4) % 8 == 0 ? 1 : 0, (r >> 8) % 4 == 0 ? 0 : r2);
    case overflow: return finite_code(s, negative, int(top_field(s)) - int(r % 3), r2);
    default: return finite_code(s, negative, s.bias + int(r % 9) - 4, r2);
  }
}

// The c register: FP32 or FP16 bits for the regime.
std::uint32_t accumulator(MmaRegister reg, Regime regime, std::uint32_t r, std::uint32_t r2) {
  const FormatSpec s = reg == MmaRegister::f16 ? format_spec(Format::fp16)
                                               : FormatSpec{Format::bf16, "f32", 32, 8, 23, 127, SpecialRule::ieee, true};
  const bool negative = (r >> 31) != 0;
  const std::uint32_t pick = (r >> 8) % 8;
  const int top = int(top_field(s));
  switch (regime) {
    case any_code: return reg == MmaRegister::f16 ? r & 0xFFFFu : r;
    case specials:
      if (pick < 3) return special_code(s, r2);
      break;
    case zeros_subnormals:
    case cancellation:
      if (pick < 3) return negative ? s.sign_bit() : 0u;
      if (pick < 6) return finite_code(s, negative, 0, r2);
      return finite_code(s, negative, 1 + int(r2 % 8), r);
    case extreme_c: return finite_code(s, negative, (pick & 1) ? top - int(r2 % 24) : int(r2 % 24), r);
    case overflow: return finite_code(s, (r2 & 1) != 0, top, r | 0x700000u | 0x300u);
    default: break;
  }
  if (pick == 0) return negative ? s.sign_bit() : 0u;
  return finite_code(s, negative, s.bias + int(r2 % 21) - 10, r);
}

std::uint8_t scale_code(const MmaInstruction& ins, Regime regime, std::uint32_t r) {
  if (regime == any_code) return static_cast<std::uint8_t>(r);
  if (regime == specials && r % 16 == 0) return ins.scale == MmaScaleKind::ue4m3 ? ((r & 0x100u) ? 0xFF : 0x7F) : 0xFF;
  if (ins.scale == MmaScaleKind::ue4m3) {
    const std::uint32_t sign = (r >> 31) << 7;
    if (regime == zeros_subnormals) return static_cast<std::uint8_t>(sign | ((r >> 8) % 8));
    return static_cast<std::uint8_t>(sign | (0x08u + (r >> 8) % 0x70u));  // normal, finite
  }
  if (regime == extreme_c || regime == overflow) return static_cast<std::uint8_t>((r & 1u) ? 254 - (r >> 8) % 12 : (r >> 8) % 12);
  return static_cast<std::uint8_t>(127 + int((r >> 8) % 17) - 8);
}

struct Instance {
  std::vector<std::uint16_t> a, b;
  std::vector<std::uint8_t> scale_a, scale_b;
  std::uint32_t c = 0;
  Regime regime = ordinary;
};

void make_instance(const MmaInstruction& ins, std::uint64_t key, std::uint64_t index, Instance& out) {
  const Words wa(key, 1, index), wb(key, 2, index), misc(key, 3, index);
  out.regime = static_cast<Regime>(misc(0) % kRegimes);
  const FormatSpec sa = format_spec(ins.a), sb = format_spec(ins.b);
  out.a.resize(static_cast<std::size_t>(ins.k));
  out.b.resize(static_cast<std::size_t>(ins.k));
  for (int i = 0; i < ins.k; ++i) {
    out.a[i] = static_cast<std::uint16_t>(element(sa, out.regime, wa(2 * i), wa(2 * i + 1)));
    out.b[i] = static_cast<std::uint16_t>(element(sb, out.regime, wb(2 * i), wb(2 * i + 1)));
  }
  if (out.regime == cancellation) {  // each odd product cancels the even one before it exactly
    for (int i = 0; i + 1 < ins.k; i += 2) {
      out.a[i + 1] = static_cast<std::uint16_t>(out.a[i] ^ sa.sign_bit());
      out.b[i + 1] = out.b[i];
    }
  }
  if (out.regime == zeros_subnormals && misc(1) % 2 == 0) {  // every product zero: d is c, however small
    for (int i = 0; i < ins.k; ++i) out.a[i] = static_cast<std::uint16_t>((misc(4) >> (i % 32)) & 1u ? sa.sign_bit() : 0u);
  }
  if (out.regime == specials) {
    for (int j = 0; j < 1 + int(misc(1) % 3); ++j) {
      const std::uint32_t r = misc(2 + j);
      const std::size_t at = (r >> 8) % out.a.size();
      if (r & 0x80000000u) out.a[at] = static_cast<std::uint16_t>(special_code(sa, r));
      else out.b[at] = static_cast<std::uint16_t>(special_code(sb, r));
    }
  }
  out.c = accumulator(ins.c, out.regime, misc(8), misc(9));
  out.scale_a.resize(static_cast<std::size_t>(ins.scales_per_row()));
  out.scale_b.resize(static_cast<std::size_t>(ins.scales_per_row()));
  for (int j = 0; j < ins.scales_per_row(); ++j) {
    out.scale_a[j] = scale_code(ins, out.regime, misc(16 + j));
    out.scale_b[j] = scale_code(ins, out.regime, misc(32 + j));
  }
}

struct Coverage {
  long nan = 0, inf = 0, zero = 0, subnormal = 0, normal = 0, cancelled = 0;
};

void count(Coverage& cov, MmaRegister reg, std::uint32_t d, Regime regime) {
  const bool f16 = reg == MmaRegister::f16;
  const std::uint32_t exponent = f16 ? (d >> 10) & 0x1Fu : (d >> 23) & 0xFFu;
  const std::uint32_t fraction = f16 ? d & 0x3FFu : d & 0x7FFFFFu;
  const std::uint32_t top = f16 ? 0x1Fu : 0xFFu;
  if (exponent == top) (fraction ? cov.nan : cov.inf) += 1;
  else if (exponent == 0) (fraction ? cov.subnormal : cov.zero) += 1;
  else ++cov.normal;
  if (regime == cancellation && d == 0) ++cov.cancelled;
}

TEST(MmaDifferential, ModelEqualsLiteralTwinOnRandomInstructions) {
  const auto instructions = mma_instructions();
  const long per_instruction = FP8CHECK_MMA_RANDOM_INSTRUCTIONS / static_cast<long>(instructions.size());
  Instance in;
  long compared = 0;
  for (const MmaInstruction& ins : instructions) {
    SCOPED_TRACE(ins.name);
    const std::uint64_t key = tensor_key(2026, "mma_differential", ins.name);
    Coverage cov;
    int failures = 0;
    for (long index = 0; index < per_instruction; ++index) {
      make_instance(ins, key, static_cast<std::uint64_t>(index), in);
      const std::uint8_t* sa = in.scale_a.empty() ? nullptr : in.scale_a.data();
      const std::uint8_t* sb = in.scale_b.empty() ? nullptr : in.scale_b.data();
      const std::uint32_t model = mma_execute(ins, in.a.data(), 1, in.b.data(), 1, in.c, sa, 1, sb, 1);
      const std::uint32_t literal = twin::execute(ins, in.a.data(), in.b.data(), in.c, sa, sb);
      ++compared;
      count(cov, ins.c, model, in.regime);
      if (model != literal && ++failures <= 5)
        ADD_FAILURE() << "instruction " << index << " (key " << format_key(key) << ", regime " << in.regime
                      << "): model 0x" << std::hex << model << ", twin 0x" << literal << std::dec;
    }
    std::printf("[ coverage ] %-28s nan %ld inf %ld zero %ld (cancelled %ld) subnormal %ld normal %ld\n", ins.name,
                cov.nan, cov.inf, cov.zero, cov.cancelled, cov.subnormal, cov.normal);
    EXPECT_EQ(failures, 0);
    if (per_instruction >= 20000) {  // every corner reached, for every instruction
      EXPECT_GT(cov.nan, 0);
      EXPECT_GT(cov.inf, 0);
      EXPECT_GT(cov.zero, 0);
      EXPECT_GT(cov.cancelled, 0);
      EXPECT_GT(cov.subnormal, 0);
      EXPECT_GT(cov.normal, per_instruction / 4);
    }
  }
  EXPECT_GE(compared, FP8CHECK_MMA_RANDOM_INSTRUCTIONS - static_cast<long>(instructions.size()));
}

}  // namespace
}  // namespace fp8check
