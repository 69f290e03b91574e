// Many Philox blocks at once: the bits of consecutive element indices, for the
// distributions' fast path. Element i's bits are still PhiloxStream(key, substream).block(i)
// (philox_stream.hpp); only how many are computed per instruction changes. The counter-based
// design allows any order, so the AVX2 path computes four blocks per vector in 64-bit lanes
// and gives the same bits as the scalar path (tests/generate_paths_test.cpp, bits_digest).
//
// Paths: active_simd_path() (harness/core/convert_bulk.hpp, FP8CHECK_SIMD=scalar|avx2|auto),
// the same choice as the bulk codec's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "harness/core/convert_bulk.hpp"

namespace fp8check {

// lo[j] = block_bits64(block(first + j), 0) (words 0 and 1: what bits64() returns) and,
// when hi is not empty, hi[j] = block_bits64(block(first + j), 1) (words 2 and 3).
// hi must be empty or as long as lo (InternalError otherwise).
void philox_bits(std::uint64_t key, std::uint32_t substream, std::uint64_t first, std::span<std::uint64_t> lo,
                 std::span<std::uint64_t> hi = {});

// out[j] = normal_quantile(unit_open(bits[j])): the distributions' standard normal sample.
// Sizes must match (InternalError otherwise).
void standard_normal_array(std::span<const std::uint64_t> bits, std::span<double> out);

namespace detail {

// The same on an explicit path (tests and benchmarks compare the paths in one process).
// InputError when `path` is avx2 and the CPU lacks it.
void philox_bits_on(SimdPath path, std::uint64_t key, std::uint32_t substream, std::uint64_t first,
                    std::span<std::uint64_t> lo, std::span<std::uint64_t> hi = {});
void standard_normal_array_on(SimdPath path, std::span<const std::uint64_t> bits, std::span<double> out);

#if FP8C_HAVE_AVX2_KERNELS
// The AVX2 kernels (generate_avx2.cpp, the only file of generate/ built with -mavx2; raw
// pointers, so that it instantiates no inline function shared with other units).
// hi may be null. Lanes the vector code does not cover (the normal's far tail below
// p = 1.4e-11 and log's |f| < 2^-20 branch) are computed by the scalar normal_quantile.
void avx2_philox_bits(std::uint64_t key, std::uint32_t substream, std::uint64_t first, std::size_t n,
                      std::uint64_t* lo, std::uint64_t* hi);
void avx2_standard_normal(const std::uint64_t* bits, std::size_t n, double* out);
#endif

}  // namespace detail
}  // namespace fp8check
