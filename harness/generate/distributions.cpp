#include "harness/generate/distributions.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/generate/philox_bits.hpp"
#include "harness/generate/philox_stream.hpp"

namespace fp8check {
namespace {

// Independent decisions about one tensor draw from separate Philox substreams.
constexpr std::uint32_t kValueSubstream = 0;          // indexed by element
constexpr std::uint32_t kSpecialsSubstream = 1;       // indexed by element
constexpr std::uint32_t kOutlierChannelSubstream = 2; // indexed by channel
constexpr std::uint32_t kZeroBlockSubstream = 3;      // indexed by block

constexpr std::uint64_t kMaxColumns = std::uint64_t{1} << 20;  // bounds the outlier-set work
constexpr double kMaxExactInteger = 0x1p53;

bool is_fraction(double f) { return f >= 0.0 && f <= 1.0; }  // false for NaN

void require(bool ok, const Distribution& d, const std::string& accepted) {
  if (!ok) throw InputError("invalid input distribution '" + to_string(d) + "': " + accepted);
}

// Elements are generated in chunks: the bits of a chunk first (philox_bits, four blocks per
// vector on the avx2 path), then the values from them. Element i's value is still a function
// of (d, key, i) alone, the same on either path.
constexpr std::size_t kChunk = 256;

// +-significand * 2^e, significand uniform on the 2^-52 grid of [1, 2), e uniform in
// [min_exponent, max_exponent): every binade equally likely. ldexp is exact here (the
// result is normal), so no exp/pow is needed and the bits are portable. lo and hi are
// block words 0-1 and 2-3.
double binade_uniform(std::uint64_t lo, std::uint64_t hi, int min_exponent, int max_exponent) {
  const double significand = 1.0 + static_cast<double>(lo >> 12) * 0x1p-52;
  const auto span = static_cast<std::uint64_t>(max_exponent - min_exponent);
  const int exponent = min_exponent + static_cast<int>(bounded(hi, span));
  const double magnitude = std::ldexp(significand, exponent);
  return (lo & 1u) ? -magnitude : magnitude;  // word 0's low bits are unused above
}

// The outlier channels: the round(fraction * columns) channels (at least one when the
// fraction is positive) whose keyed 64-bit hashes are smallest, ties broken by channel.
std::vector<bool> outlier_channels(SimdPath path, const Distribution& d, std::uint64_t key) {
  std::uint64_t count = 0;
  if (d.outlier_fraction > 0.0) {
    const auto rounded = static_cast<std::uint64_t>(std::llround(d.outlier_fraction * static_cast<double>(d.columns)));
    count = std::clamp<std::uint64_t>(rounded, 1, d.columns);
  }
  std::vector<std::uint64_t> hashes(d.columns);
  detail::philox_bits_on(path, key, kOutlierChannelSubstream, 0, hashes);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranked(d.columns);  // (hash, channel)
  for (std::uint64_t c = 0; c < d.columns; ++c) ranked[c] = {hashes[c], c};
  std::nth_element(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(count), ranked.end());
  std::vector<bool> is_outlier(d.columns, false);
  for (std::uint64_t j = 0; j < count; ++j) is_outlier[ranked[j].second] = true;
  return is_outlier;
}

}  // namespace

Distribution Distribution::uniform(double lo, double hi) {
  Distribution d;
  d.kind = DistributionKind::uniform;
  d.lo = lo;
  d.hi = hi;
  return d;
}
Distribution Distribution::normal(double mean, double stddev) {
  Distribution d;
  d.kind = DistributionKind::normal;
  d.mean = mean;
  d.stddev = stddev;
  return d;
}
Distribution Distribution::relu(double mean, double stddev) {
  Distribution d = normal(mean, stddev);
  d.kind = DistributionKind::relu;
  return d;
}
Distribution Distribution::llm_activation(std::uint64_t columns, double outlier_fraction, double outlier_scale) {
  Distribution d;
  d.kind = DistributionKind::llm_activation;
  d.columns = columns;
  d.outlier_fraction = outlier_fraction;
  d.outlier_scale = outlier_scale;
  return d;
}
Distribution Distribution::tiny(int min_exponent, int max_exponent) {
  Distribution d;
  d.kind = DistributionKind::tiny;
  d.min_exponent = min_exponent;
  d.max_exponent = max_exponent;
  return d;
}
Distribution Distribution::huge(int min_exponent, int max_exponent) {
  Distribution d = tiny(min_exponent, max_exponent);
  d.kind = DistributionKind::huge;
  return d;
}
Distribution Distribution::integers(double lo, double hi) {
  Distribution d = uniform(lo, hi);
  d.kind = DistributionKind::integers;
  return d;
}
Distribution Distribution::zeros() {
  Distribution d;
  d.kind = DistributionKind::zeros;
  return d;
}
Distribution Distribution::all_zero_blocks(std::uint64_t block, double zero_block_fraction) {
  Distribution d;
  d.kind = DistributionKind::all_zero_blocks;
  d.block = block;
  d.zero_block_fraction = zero_block_fraction;
  return d;
}
Distribution Distribution::with_specials(double fraction) const {
  Distribution d = *this;
  d.specials_fraction = fraction;
  return d;
}

void Distribution::validate() const {
  const Distribution& d = *this;
  switch (kind) {
    case DistributionKind::uniform:
      require(std::isfinite(lo) && std::isfinite(hi) && lo < hi && std::isfinite(hi - lo), d,
              "uniform(lo,hi) needs finite lo < hi with hi - lo finite");
      break;
    case DistributionKind::normal:
    case DistributionKind::relu:
      require(std::isfinite(mean) && std::isfinite(stddev) && stddev > 0.0, d,
              std::string(kind_name(kind)) + "(mean,std) needs a finite mean and a finite std > 0");
      break;
    case DistributionKind::llm_activation:
      require(columns >= 1 && columns <= kMaxColumns, d,
              "llm_activation columns must be in [1, " + std::to_string(kMaxColumns) + "]");
      require(is_fraction(outlier_fraction), d, "llm_activation outlier_fraction must be in [0, 1]");
      require(std::isfinite(outlier_scale) && outlier_scale > 0.0, d,
              "llm_activation outlier_scale must be finite and > 0");
      break;
    case DistributionKind::tiny:
    case DistributionKind::huge:
      require(min_exponent >= -1022 && min_exponent < max_exponent && max_exponent <= 1024, d,
              std::string(kind_name(kind)) +
                  "(min_exp,max_exp) needs integers -1022 <= min_exp < max_exp <= 1024 (normal doubles)");
      break;
    case DistributionKind::integers:
      require(std::trunc(lo) == lo && std::trunc(hi) == hi && -kMaxExactInteger <= lo && lo <= hi &&
                  hi <= kMaxExactInteger,
              d, "integers(lo,hi) needs integers -2^53 <= lo <= hi <= 2^53");
      break;
    case DistributionKind::zeros: break;
    case DistributionKind::all_zero_blocks:
      require(block >= 1, d, "all_zero_blocks block must be >= 1");
      require(is_fraction(zero_block_fraction), d, "all_zero_blocks zero_fraction must be in [0, 1]");
      break;
  }
  require(is_fraction(specials_fraction), d, "the +specials fraction must be in [0, 1]");
}

namespace detail {

void generate_on(SimdPath path, const Distribution& d, std::uint64_t key, std::span<double> out,
                 std::size_t first_index) {
  static constexpr double kSpecials[4] = {std::numeric_limits<double>::quiet_NaN(),
                                          std::numeric_limits<double>::infinity(),
                                          -std::numeric_limits<double>::infinity(), -0.0};
  d.validate();
  const std::vector<bool> is_outlier =
      d.kind == DistributionKind::llm_activation ? outlier_channels(path, d, key) : std::vector<bool>();
  const PhiloxStream block_draws(key, kZeroBlockSubstream);
  std::uint64_t drawn_block = 0;  // all_zero_blocks: the last block drawn, and whether it is zero
  bool drawn = false, drawn_zero = false;
  // lo-hi = block words 0-1 and 2-3 (philox_bits.hpp).
  std::array<std::uint64_t, kChunk> lo_words, hi_words;
  // lo + width * u can round up to hi; the largest double below hi stands in for it.
  const double width = d.hi - d.lo, below_hi = std::nextafter(d.hi, d.lo);

  for (std::size_t start = 0; start < out.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, out.size() - start);
    const std::uint64_t first = first_index + start;
    const std::span<double> o = out.subspan(start, n);
    const std::span<std::uint64_t> lo(lo_words.data(), n), hi(hi_words.data(), n);
    switch (d.kind) {
      case DistributionKind::zeros: std::fill(o.begin(), o.end(), 0.0); break;
      case DistributionKind::tiny:
      case DistributionKind::huge: philox_bits_on(path, key, kValueSubstream, first, lo, hi); break;
      default: philox_bits_on(path, key, kValueSubstream, first, lo); break;
    }
    switch (d.kind) {
      case DistributionKind::uniform:
        for (std::size_t j = 0; j < n; ++j) {
          const double v = d.lo + width * unit_closed_open(lo[j]);
          o[j] = v < d.hi ? v : below_hi;
        }
        break;
      case DistributionKind::normal:
        standard_normal_array_on(path, lo, o);
        for (std::size_t j = 0; j < n; ++j) o[j] = d.mean + d.stddev * o[j];
        break;
      case DistributionKind::relu:  // negative values (and -0) become +0
        standard_normal_array_on(path, lo, o);
        for (std::size_t j = 0; j < n; ++j) o[j] = std::max(0.0, d.mean + d.stddev * o[j]);
        break;
      case DistributionKind::llm_activation:
        standard_normal_array_on(path, lo, o);
        for (std::size_t j = 0; j < n; ++j)
          if (is_outlier[(first + j) % d.columns]) o[j] = o[j] * d.outlier_scale;
        break;
      case DistributionKind::tiny:
      case DistributionKind::huge:
        for (std::size_t j = 0; j < n; ++j) o[j] = binade_uniform(lo[j], hi[j], d.min_exponent, d.max_exponent);
        break;
      case DistributionKind::integers: {
        const auto lowest = static_cast<std::int64_t>(d.lo);
        const auto count = static_cast<std::uint64_t>(static_cast<std::int64_t>(d.hi) - lowest) + 1;
        for (std::size_t j = 0; j < n; ++j) {
          const auto offset = static_cast<std::int64_t>(bounded(lo[j], count));
          o[j] = static_cast<double>(lowest + offset);  // |value| <= 2^53: exact
        }
        break;
      }
      case DistributionKind::zeros: break;
      case DistributionKind::all_zero_blocks:
        standard_normal_array_on(path, lo, o);
        for (std::size_t j = 0; j < n; ++j) {
          const std::uint64_t block = (first + j) / d.block;
          if (!drawn || block != drawn_block) {  // one draw per block, not per element
            drawn_zero = block_draws.uniform_closed_open(block) < d.zero_block_fraction;
            drawn_block = block;
            drawn = true;
          }
          if (drawn_zero) o[j] = 0.0;
        }
        break;
    }
    if (d.specials_fraction > 0.0) {
      philox_bits_on(path, key, kSpecialsSubstream, first, lo, hi);
      for (std::size_t j = 0; j < n; ++j)
        if (unit_closed_open(lo[j]) < d.specials_fraction) o[j] = kSpecials[hi[j] & 3u];
    }
  }
}

}  // namespace detail

void generate(const Distribution& d, std::uint64_t key, std::span<double> out, std::size_t first_index) {
  detail::generate_on(active_simd_path(), d, key, out, first_index);
}

void generate(const Distribution& d, std::uint64_t key, std::span<double> out, std::size_t first_index,
              int threads) {
  if (threads < 1) throw InputError("generate: threads = " + std::to_string(threads) + ": expected >= 1");
  d.validate();  // in the caller's thread, so a bad descriptor throws here
  // Pieces of whole chunks, at least 16 chunks each: below that a thread costs more than it saves.
  const std::size_t chunks = (out.size() + kChunk - 1) / kChunk;
  const auto workers = static_cast<std::size_t>(std::clamp<std::size_t>(chunks / 16, 1, static_cast<std::size_t>(threads)));
  const std::size_t piece = (chunks + workers - 1) / workers * kChunk;
  const SimdPath path = active_simd_path();
  std::vector<std::jthread> pool;  // joins on every exit path
  for (std::size_t w = 1; w < workers && w * piece < out.size(); ++w) {
    const std::size_t begin = w * piece, count = std::min(piece, out.size() - begin);
    pool.emplace_back([&, begin, count] { detail::generate_on(path, d, key, out.subspan(begin, count), first_index + begin); });
  }
  detail::generate_on(path, d, key, out.first(std::min(piece, out.size())), first_index);
}

}  // namespace fp8check
