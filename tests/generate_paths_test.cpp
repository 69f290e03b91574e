// The generator's fast path gives today's bits: generate() on the scalar and avx2 paths
// against a per-element reference (the generator as it was before chunking and
// vectorising, written here from PhiloxStream and normal_quantile one element at a time),
// for every distribution, many keys, lengths (tails of every size, odd lengths) and first
// indices (including the 2^32 boundary where the counter's high word changes); and the
// vectorised normal quantile on adversarial inputs (far tails, log's short branch).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "harness/core/convert_bulk.hpp"
#include "harness/core/error.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/generate/normal_quantile.hpp"
#include "harness/generate/philox_bits.hpp"
#include "harness/generate/philox_stream.hpp"
#include "harness/generate/seed.hpp"

namespace fp8check {
namespace {

std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// ---- the reference: element i from (d, key, i) alone, one element at a time ---------------

double reference_standard_normal(std::uint64_t bits) { return normal_quantile(unit_open(bits)); }

std::vector<bool> reference_outliers(const Distribution& d, std::uint64_t key) {
  std::uint64_t count = 0;
  if (d.outlier_fraction > 0.0)
    count = std::clamp<std::uint64_t>(
        static_cast<std::uint64_t>(std::llround(d.outlier_fraction * static_cast<double>(d.columns))), 1, d.columns);
  const PhiloxStream hashes(key, 2);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranked(d.columns);
  for (std::uint64_t c = 0; c < d.columns; ++c) ranked[c] = {hashes.bits64(c), c};
  std::sort(ranked.begin(), ranked.end());
  std::vector<bool> is_outlier(d.columns, false);
  for (std::uint64_t j = 0; j < count; ++j) is_outlier[ranked[j].second] = true;
  return is_outlier;
}

double reference_element(const Distribution& d, std::uint64_t key, std::uint64_t i, const std::vector<bool>& outlier) {
  const PhiloxStream values(key, 0);
  double v = 0;
  switch (d.kind) {
    case DistributionKind::uniform: {
      const double u = d.lo + (d.hi - d.lo) * unit_closed_open(values.bits64(i));
      v = u < d.hi ? u : std::nextafter(d.hi, d.lo);
      break;
    }
    case DistributionKind::normal: v = d.mean + d.stddev * reference_standard_normal(values.bits64(i)); break;
    case DistributionKind::relu:
      v = d.mean + d.stddev * reference_standard_normal(values.bits64(i));
      v = v > 0 ? v : 0.0;
      break;
    case DistributionKind::llm_activation: {
      const double z = reference_standard_normal(values.bits64(i));
      v = outlier[i % d.columns] ? z * d.outlier_scale : z;
      break;
    }
    case DistributionKind::tiny:
    case DistributionKind::huge: {
      const PhiloxBlock b = values.block(i);
      const double significand = 1.0 + static_cast<double>(block_bits64(b, 0) >> 12) * 0x1p-52;
      const int exponent = d.min_exponent + static_cast<int>(bounded(
                                                block_bits64(b, 1), static_cast<std::uint64_t>(d.max_exponent - d.min_exponent)));
      const double magnitude = std::ldexp(significand, exponent);
      v = (b[0] & 1u) ? -magnitude : magnitude;
      break;
    }
    case DistributionKind::integers: {
      const auto lo = static_cast<std::int64_t>(d.lo);
      const auto count = static_cast<std::uint64_t>(static_cast<std::int64_t>(d.hi) - lo) + 1;
      v = static_cast<double>(lo + static_cast<std::int64_t>(bounded(values.bits64(i), count)));
      break;
    }
    case DistributionKind::zeros: v = 0.0; break;
    case DistributionKind::all_zero_blocks: {
      const bool zero = PhiloxStream(key, 3).uniform_closed_open(i / d.block) < d.zero_block_fraction;
      v = zero ? 0.0 : reference_standard_normal(values.bits64(i));
      break;
    }
  }
  if (d.specials_fraction > 0.0) {
    const PhiloxBlock b = PhiloxStream(key, 1).block(i);
    static constexpr double kSpecials[4] = {std::numeric_limits<double>::quiet_NaN(),
                                            std::numeric_limits<double>::infinity(),
                                            -std::numeric_limits<double>::infinity(), -0.0};
    if (unit_closed_open(block_bits64(b, 0)) < d.specials_fraction) v = kSpecials[b[2] & 3u];
  }
  return v;
}

std::vector<SimdPath> paths() {
  std::vector<SimdPath> p = {SimdPath::scalar};
  if (cpu_has_avx2()) p.push_back(SimdPath::avx2);
  return p;
}

const char* const kEveryKind[] = {"uniform(-3,5)",       "uniform(1,1.0000000000000002)",
                                  "normal",              "normal(1,2)",
                                  "relu",                "relu(0.5,2)",
                                  "llm_activation(96,0.05,100)", "llm_activation(7,0.5,3)",
                                  "tiny",                "huge(-3,1000)",
                                  "integers(-7,9)",      "integers(-9007199254740992,9007199254740992)",
                                  "zeros",               "all_zero_blocks(32,0.3)",
                                  "all_zero_blocks(3,0.5)", "normal+specials(0.1)",
                                  "all_zero_blocks(5)+specials(0.2)", "zeros+specials(1)",
                                  "uniform+specials(0.5)", "tiny+specials(0.01)"};

TEST(GeneratePaths, EveryPathGivesTheReferenceBitsForEveryDistribution) {
  if (!cpu_has_avx2()) GTEST_LOG_(INFO) << "no AVX2 on this CPU: only the scalar path is compared";
  const std::size_t lengths[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 17, 255, 256, 257, 511, 513, 1000, 2053};
  const std::uint64_t firsts[] = {0, 1, 3, 250, 0xFFFFFFFFull - 6, 0x123456789ull, 0xFFFFFFFFFFFFF000ull};
  int compared = 0;
  for (const char* text : kEveryKind) {
    const Distribution d = parse_distribution(text);
    for (std::uint64_t seed : {1u, 2u, 77u}) {
      const std::uint64_t key = tensor_key(seed, std::string("paths/") + text, "A");
      const std::vector<bool> outlier =
          d.kind == DistributionKind::llm_activation ? reference_outliers(d, key) : std::vector<bool>();
      for (std::uint64_t first : firsts) {
        for (std::size_t n : lengths) {
          std::vector<std::uint64_t> expected(n);
          for (std::size_t j = 0; j < n; ++j) expected[j] = bits_of(reference_element(d, key, first + j, outlier));
          for (SimdPath path : paths()) {
            std::vector<double> got(n);
            detail::generate_on(path, d, key, got, first);
            for (std::size_t j = 0; j < n; ++j) {
              ASSERT_EQ(bits_of(got[j]), expected[j])
                  << text << " path " << simd_path_name(path) << " key " << format_key(key) << " first " << first
                  << " n " << n << " element " << j;
            }
            ++compared;
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(GeneratePaths, PublicGenerateUsesAPathWithTheSameBits) {
  const Distribution d = parse_distribution("normal+specials(0.05)");
  const std::uint64_t key = tensor_key(5, "paths/public", "B");
  std::vector<double> a(4099), b(4099);
  generate(d, key, a, 17);
  detail::generate_on(SimdPath::scalar, d, key, b, 17);
  for (std::size_t j = 0; j < a.size(); ++j) ASSERT_EQ(bits_of(a[j]), bits_of(b[j])) << j;
}

TEST(GeneratePaths, AnyThreadCountGivesTheSameBits) {
  for (const char* text : kEveryKind) {
    const Distribution d = parse_distribution(text);
    const std::uint64_t key = tensor_key(11, std::string("threads/") + text, "B");
    std::vector<double> one(100'003);
    generate(d, key, one, 5);
    for (int threads : {2, 3, 4, 7}) {
      std::vector<double> many(one.size(), -1.0);
      generate(d, key, many, 5, threads);
      for (std::size_t j = 0; j < one.size(); ++j)
        ASSERT_EQ(bits_of(many[j]), bits_of(one[j])) << text << " threads " << threads << " element " << j;
    }
  }
  std::vector<double> out(10);
  EXPECT_THROW(generate(Distribution::normal(), 1, out, 0, 0), InputError);
}

TEST(PhiloxBits, EveryPathMatchesPhiloxStreamAcrossTheHighWord) {
  for (std::uint64_t key : {std::uint64_t{0}, ~std::uint64_t{0}, tensor_key(3, "philox", "bits")}) {
    for (std::uint32_t substream : {0u, 1u, 3u, 0xFFFFFFFFu}) {
      const PhiloxStream stream(key, substream);
      for (std::uint64_t first : {std::uint64_t{0}, std::uint64_t{0xFFFFFFFF} - 5, ~std::uint64_t{0} - 15}) {
        for (std::size_t n : {1u, 3u, 8u, 13u, 40u}) {
          for (SimdPath path : paths()) {
            std::vector<std::uint64_t> lo(n), hi(n), lo_only(n);
            detail::philox_bits_on(path, key, substream, first, lo, hi);
            detail::philox_bits_on(path, key, substream, first, lo_only);
            for (std::size_t j = 0; j < n; ++j) {
              const PhiloxBlock b = stream.block(first + j);  // index wraps past 2^64 - 1 like the counter
              ASSERT_EQ(lo[j], block_bits64(b, 0)) << simd_path_name(path) << " first " << first << " j " << j;
              ASSERT_EQ(hi[j], block_bits64(b, 1)) << simd_path_name(path);
              ASSERT_EQ(lo_only[j], lo[j]);
            }
          }
        }
      }
    }
  }
}

// Bits whose unit_open value is the grid midpoint nearest to p (p in (0, 1)).
std::uint64_t bits_for(double p) {
  const double k = std::floor(p * 0x1p52 - 0.5);
  const auto grid = static_cast<std::uint64_t>(std::clamp(k, 0.0, 0x1p52 - 1));
  return grid << 12 | 0x5A5;  // low bits are ignored by unit_open
}

TEST(StandardNormalArray, VectorLanesEqualTheScalarQuantileOnAdversarialInputs) {
  std::vector<std::uint64_t> bits;
  // Both ends of the grid (far tails, beyond r = 5: the scalar fallback lanes).
  for (std::uint64_t k = 0; k < 64; ++k) {
    bits.push_back(k << 12);
    bits.push_back(((std::uint64_t{1} << 52) - 1 - k) << 12);
  }
  // Around every power of two (log's |f| < 2^-20 branch and the halving split near sqrt 2),
  // on both sides of 1/2, and around the central/tail border |q| = 0.425 and r = 5.
  for (int e = 2; e <= 52; ++e) {
    for (double rel : {-0x1p-19, -0x1p-21, -0x1p-30, 0.0, 0x1p-30, 0x1p-21, 0x1p-19, 0.41421356, 0.4142136}) {
      const double p = std::ldexp(1.0 + rel, -e);
      bits.push_back(bits_for(p));
      bits.push_back(bits_for(1.0 - p));
    }
  }
  const PhiloxStream jitter(tensor_key(9, "normal", "near powers of two"), 0);
  for (int e = 2; e <= 52; ++e) {
    for (std::uint64_t i = 0; i < 400; ++i) {  // |f| < 2^-20 after log's reduction
      const double rel = (unit_closed_open(jitter.bits64(static_cast<std::uint64_t>(e) * 1000 + i)) - 0.5) * 0x1p-19;
      bits.push_back(bits_for(std::ldexp(1.0 + rel, -e)));
      bits.push_back(bits_for(1.0 - std::ldexp(1.0 + rel, -e)));
    }
  }
  for (double p : {0.075, 0.07500000000000001, 0.925, 0.9249999999999999, 1.4e-11, 1.5e-11, 1.3e-11, 0.5}) {
    const std::uint64_t b = bits_for(p);
    for (std::uint64_t d = 0; d < 8; ++d) bits.push_back(b + (d << 12) - (4 << 12));
  }
  // Plenty of ordinary ones, and an odd count (a short last group).
  const PhiloxStream stream(tensor_key(9, "normal", "adversarial"), 0);
  for (std::uint64_t i = 0; i < 200'001; ++i) bits.push_back(stream.bits64(i));

  for (SimdPath path : paths()) {
    std::vector<double> got(bits.size());
    detail::standard_normal_array_on(path, bits, got);
    for (std::size_t j = 0; j < bits.size(); ++j) {
      ASSERT_EQ(bits_of(got[j]), bits_of(normal_quantile(unit_open(bits[j]))))
          << simd_path_name(path) << " bits 0x" << std::hex << bits[j];
    }
  }
}

}  // namespace
}  // namespace fp8check
