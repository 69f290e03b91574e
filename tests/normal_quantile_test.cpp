// The portable math under the normal generator: portable_log and normal_quantile
// (AS 241). Accuracy is measured against the platform's libm (log, erfc) as a reference;
// the generator itself never calls libm for these.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "harness/generate/normal_quantile.hpp"
#include "harness/generate/philox_stream.hpp"
#include "harness/generate/portable_log.hpp"
#include "harness/generate/seed.hpp"

namespace fp8check {
namespace {

// Units in the last place between two doubles of the same sign.
std::int64_t ulp_distance(double a, double b) {
  std::int64_t ia, ib;
  a = std::fabs(a), b = std::fabs(b);  // same-sign magnitudes are ordered like their bits
  std::memcpy(&ia, &a, sizeof ia);
  std::memcpy(&ib, &b, sizeof ib);
  return ia > ib ? ia - ib : ib - ia;
}

double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

TEST(PortableLog, WithinOneUlpOfLibmOverAllPositiveDoubles) {
  // 2e6 keyed random positive finite bit patterns (subnormals included), plus [0.5, 2].
  std::int64_t worst_ulps = 0;
  for (std::uint64_t i = 0; i < 2'000'000; ++i) {
    std::uint64_t bits = splitmix64_mix(i) & 0x7FFFFFFFFFFFFFFFull;
    if ((bits >> 52) == 0x7FF) continue;  // inf / NaN patterns are checked below
    if (bits == 0) continue;
    double x;
    std::memcpy(&x, &bits, sizeof x);
    const double ours = portable_log(x), libm = std::log(x);
    if (libm == 0.0) {
      EXPECT_EQ(ours, 0.0);
      continue;
    }
    ASSERT_EQ(std::signbit(ours), std::signbit(libm)) << x;
    worst_ulps = std::max(worst_ulps, ulp_distance(ours, libm));
  }
  for (double x = 0.5; x <= 2.0; x += 0x1p-16) {
    worst_ulps = std::max(worst_ulps, ulp_distance(portable_log(x), std::log(x)));
  }
  EXPECT_LE(worst_ulps, 1);
}

TEST(PortableLog, SpecialValues) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(portable_log(1.0), 0.0);
  EXPECT_EQ(portable_log(0.0), -kInf);
  EXPECT_EQ(portable_log(-0.0), -kInf);
  EXPECT_EQ(portable_log(kInf), kInf);
  EXPECT_TRUE(std::isnan(portable_log(-1.0)));
  EXPECT_TRUE(std::isnan(portable_log(-kInf)));
  EXPECT_TRUE(std::isnan(portable_log(std::numeric_limits<double>::quiet_NaN())));
}

TEST(NormalQuantile, InvertsTheNormalCdfToOnePartIn1e13) {
  // Every p the generator can produce lies in [2^-53, 1 - 2^-53]; check 2^-60 .. 1/2 on a
  // log grid (256 points per binade) and the upper half through 1 - p.
  double worst = 0.0;
  for (int e = -60; e <= -1; ++e) {
    for (int m = 0; m < 256; ++m) {
      const double p = std::ldexp(1.0 + m / 256.0, e);
      if (p >= 1.0) continue;
      worst = std::max(worst, std::fabs(phi(normal_quantile(p)) / p - 1.0));
      const double upper = 1.0 - p;  // upper tail: compare the complement, computed exactly
      if (upper > 0.5) worst = std::max(worst, std::fabs(phi(-normal_quantile(upper)) / (1.0 - upper) - 1.0));
    }
  }
  EXPECT_LT(worst, 1e-13);  // measured 4.1e-14 with glibc's erfc as the reference
}

TEST(NormalQuantile, KnownQuantilesAndDomain) {
  EXPECT_EQ(normal_quantile(0.5), 0.0);
  EXPECT_NEAR(normal_quantile(0.975), 1.9599639845400542, 4e-15);  // mpmath, 50 digits
  EXPECT_NEAR(normal_quantile(0.8413447460685429), 1.0, 4e-15);  // Phi(1)
  EXPECT_NEAR(normal_quantile(1e-300), -37.047096299361199, 1e-12);  // mpmath, 50 digits
  // The generator's extreme p (unit_open of all-zero / all-one bits) bound |z|.
  EXPECT_NEAR(normal_quantile(unit_open(0)), -8.2095361516013869, 1e-14);  // mpmath
  EXPECT_EQ(normal_quantile(unit_open(~std::uint64_t{0})), -normal_quantile(unit_open(0)));
  EXPECT_TRUE(std::isnan(normal_quantile(0.0)));
  EXPECT_TRUE(std::isnan(normal_quantile(1.0)));
  EXPECT_TRUE(std::isnan(normal_quantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST(NormalQuantile, ExactlyAntisymmetricOnTheGeneratorsGrid) {
  // unit_open(~bits) == 1 - unit_open(bits) exactly, and the quantile honours that,
  // so the generated normal samples are symmetric bit for bit.
  const PhiloxStream stream(0x1234);
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    const std::uint64_t bits = stream.bits64(i);
    ASSERT_EQ(unit_open(~bits), 1.0 - unit_open(bits));
    ASSERT_EQ(normal_quantile(unit_open(~bits)), -normal_quantile(unit_open(bits)));
  }
}

}  // namespace
}  // namespace fp8check
