// Element-indexed random bits: Philox4x32-10 (Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC'11; Random123's <Random123/philox.h>) used as a pure function
//   block(key, substream, index) = Philox4x32-10(counter = {lo(index), hi(index), substream, 0},
//                                                key     = {lo(key), hi(key)})
// Element i's bits depend on nothing but (key, substream, i): no state, no order, so any
// range of a tensor can be generated alone, on any thread, and equal the whole tensor's slice.
// A distribution uses substream 0 for an element's value and other substreams for
// independent decisions (which channels are outliers, where specials go).
//
// The integer -> double conversions below are exact (an integer < 2^53 times a power of
// two), so the doubles are as portable as the bits.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cstdint>

namespace fp8check {

// 128 random bits for one (substream, index).
using PhiloxBlock = std::array<std::uint32_t, 4>;

class PhiloxStream {
 public:
  explicit PhiloxStream(std::uint64_t key, std::uint32_t substream = 0)
      : key_{{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)}},
        substream_(substream) {}

  PhiloxBlock block(std::uint64_t index) const {
    const r123::Philox4x32::ctr_type counter = {
        {static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32), substream_, 0u}};
    const r123::Philox4x32::ctr_type out = r123::Philox4x32()(counter, key_);
    return {out[0], out[1], out[2], out[3]};
  }

  std::uint32_t bits32(std::uint64_t index) const { return block(index)[0]; }
  std::uint64_t bits64(std::uint64_t index) const {
    const PhiloxBlock b = block(index);
    return static_cast<std::uint64_t>(b[0]) | static_cast<std::uint64_t>(b[1]) << 32;
  }

  double uniform_closed_open(std::uint64_t index) const;  // [0, 1), defined below
  double uniform_open(std::uint64_t index) const;         // (0, 1)

 private:
  r123::Philox4x32::key_type key_;
  std::uint32_t substream_;
};

// Words 2*half and 2*half+1 of a block as one 64-bit value (half = 0 or 1).
constexpr std::uint64_t block_bits64(const PhiloxBlock& b, int half) {
  return static_cast<std::uint64_t>(b[2 * half]) | static_cast<std::uint64_t>(b[2 * half + 1]) << 32;
}

// k * 2^-53 with k = the top 53 bits: every multiple of 2^-53 in [0, 1), equally likely.
constexpr double unit_closed_open(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1p-53;
}

// (k + 1/2) * 2^-52 with k = the top 52 bits: the midpoints of a 2^-52 grid, so never
// 0 or 1, and symmetric: unit_open(~bits) == 1 - unit_open(bits) exactly.
constexpr double unit_open(std::uint64_t bits) {
  return (static_cast<double>(bits >> 12) + 0.5) * 0x1p-52;
}

// floor(bits * n / 2^64): an integer in [0, n) (Lemire, "Fast random integer generation
// in an interval", TOMACS 2019, without the rejection step: each value has floor or ceil
// of 2^64 / n preimages, so its probability is within 2^-64 of 1/n). The 128-bit product
// is spelled out in 32-bit halves.
constexpr std::uint64_t bounded(std::uint64_t bits, std::uint64_t n) {
  const std::uint64_t a_lo = bits & 0xFFFFFFFFu, a_hi = bits >> 32;
  const std::uint64_t b_lo = n & 0xFFFFFFFFu, b_hi = n >> 32;
  const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo;
  const std::uint64_t lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  const std::uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + (lo_hi & 0xFFFFFFFFu);
  return hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (middle >> 32);
}

inline double PhiloxStream::uniform_closed_open(std::uint64_t index) const {
  return unit_closed_open(bits64(index));
}
inline double PhiloxStream::uniform_open(std::uint64_t index) const {
  return unit_open(bits64(index));
}

}  // namespace fp8check
