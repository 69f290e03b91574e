#include "harness/generate/philox_bits.hpp"

#include "harness/core/error.hpp"
#include "harness/generate/normal_quantile.hpp"
#include "harness/generate/philox_stream.hpp"

namespace fp8check {
namespace {

void require_avx2_available() {
  if (!cpu_has_avx2()) throw InputError("the avx2 generator path was requested but this CPU lacks AVX2; accepted: scalar");
}

}  // namespace

namespace detail {

void philox_bits_on(SimdPath path, std::uint64_t key, std::uint32_t substream, std::uint64_t first,
                    std::span<std::uint64_t> lo, std::span<std::uint64_t> hi) {
  if (!hi.empty() && hi.size() != lo.size()) throw InternalError("philox_bits: hi and lo differ in length");
#if FP8C_HAVE_AVX2_KERNELS
  if (path == SimdPath::avx2) {
    require_avx2_available();
    avx2_philox_bits(key, substream, first, lo.size(), lo.data(), hi.empty() ? nullptr : hi.data());
    return;
  }
#else
  if (path == SimdPath::avx2) require_avx2_available();
#endif
  const PhiloxStream stream(key, substream);
  for (std::size_t j = 0; j < lo.size(); ++j) {
    const PhiloxBlock b = stream.block(first + j);
    lo[j] = block_bits64(b, 0);
    if (!hi.empty()) hi[j] = block_bits64(b, 1);
  }
}

void standard_normal_array_on(SimdPath path, std::span<const std::uint64_t> bits, std::span<double> out) {
  if (bits.size() != out.size()) throw InternalError("standard_normal_array: sizes differ");
#if FP8C_HAVE_AVX2_KERNELS
  if (path == SimdPath::avx2) {
    require_avx2_available();
    avx2_standard_normal(bits.data(), bits.size(), out.data());
    return;
  }
#else
  if (path == SimdPath::avx2) require_avx2_available();
#endif
  for (std::size_t j = 0; j < bits.size(); ++j) out[j] = normal_quantile(unit_open(bits[j]));
}

}  // namespace detail

void philox_bits(std::uint64_t key, std::uint32_t substream, std::uint64_t first, std::span<std::uint64_t> lo,
                 std::span<std::uint64_t> hi) {
  detail::philox_bits_on(active_simd_path(), key, substream, first, lo, hi);
}

void standard_normal_array(std::span<const std::uint64_t> bits, std::span<double> out) {
  detail::standard_normal_array_on(active_simd_path(), bits, out);
}

}  // namespace fp8check
