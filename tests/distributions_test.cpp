// Each distribution has the shape it claims (moments, ranges, outlier channels, zero
// blocks, specials), and the text form parses, prints and rejects as documented.
// Tolerances are 5 standard errors of the statistic at the sample size used.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/format_facts.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/generate/seed.hpp"

namespace fp8check {
namespace {

std::vector<double> sample(const Distribution& d, std::uint64_t key, std::size_t n) {
  std::vector<double> out(n);
  generate(d, key, out);
  return out;
}

const std::uint64_t kKey = tensor_key(7, "distributions_test", "x");

TEST(Normal, MomentsOnAMillionSamples) {
  constexpr std::size_t n = 1'000'000;
  const auto z = sample(Distribution::normal(), kKey, n);
  double sum = 0, sum2 = 0, sum4 = 0, within_one = 0;
  for (double v : z) {
    sum += v;
    sum2 += v * v;
    sum4 += v * v * v * v;
    within_one += std::fabs(v) < 1.0;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.005);                  // se 0.001
  EXPECT_NEAR(std::sqrt(sum2 / n), 1.0, 0.0035);     // se 0.0007
  EXPECT_NEAR(sum4 / n, 3.0, 0.05);                  // kurtosis; se 0.01
  EXPECT_NEAR(within_one / n, 0.6826894921, 0.0025); // Phi(1) - Phi(-1); se 0.0005

  const auto x = sample(Distribution::normal(3, 2), kKey, n);
  double s = 0, s2 = 0;
  for (double v : x) s += v, s2 += (v - 3) * (v - 3);
  EXPECT_NEAR(s / n, 3.0, 0.01);
  EXPECT_NEAR(std::sqrt(s2 / n), 2.0, 0.007);
}

TEST(Uniform, StaysInsideTheHalfOpenInterval) {
  const auto u = sample(Distribution::uniform(-1, 1), kKey, 1'000'000);
  EXPECT_GE(*std::min_element(u.begin(), u.end()), -1.0);
  EXPECT_LT(*std::max_element(u.begin(), u.end()), 1.0);
  double sum = 0, sum2 = 0;
  for (double v : u) sum += v, sum2 += v * v;
  EXPECT_NEAR(sum / u.size(), 0.0, 0.003);
  EXPECT_NEAR(sum2 / u.size(), 1.0 / 3.0, 0.0015);
  // An interval one ulp wide: lo + width * u rounds up to hi for half the draws; never returned.
  const auto narrow = sample(Distribution::uniform(1.0, 1.0 + 0x1p-52), kKey, 10'000);
  EXPECT_TRUE(std::all_of(narrow.begin(), narrow.end(), [](double v) { return v == 1.0; }));
}

TEST(Integers, EveryValueInRangeEquallyLikely) {
  const auto v = sample(Distribution::integers(-4, 4), kKey, 900'000);
  std::vector<int> counts(9, 0);
  for (double x : v) {
    ASSERT_EQ(x, std::trunc(x));
    ASSERT_TRUE(x >= -4 && x <= 4) << x;
    ++counts[static_cast<int>(x) + 4];
  }
  for (int c : counts) EXPECT_NEAR(c, 100'000, 1'500);  // se 298
  const auto wide = sample(Distribution::integers(-0x1p53, 0x1p53), kKey, 10'000);
  for (double x : wide) ASSERT_TRUE(x == std::trunc(x) && std::fabs(x) <= 0x1p53);
  const auto single = sample(Distribution::integers(5, 5), kKey, 100);
  EXPECT_TRUE(std::all_of(single.begin(), single.end(), [](double x) { return x == 5.0; }));
}

// Every binade of [2^min, 2^max) is hit, with both signs, and nothing else.
void expect_binade_uniform(const Distribution& d) {
  const auto v = sample(d, kKey, 200'000);
  std::vector<int> binade_hits(d.max_exponent - d.min_exponent, 0);
  int negative = 0;
  for (double x : v) {
    int e = 0;
    std::frexp(x, &e);  // |x| in [2^(e-1), 2^e)
    ASSERT_TRUE(e - 1 >= d.min_exponent && e - 1 < d.max_exponent) << x;
    ++binade_hits[e - 1 - d.min_exponent];
    negative += std::signbit(x);
  }
  const double expected = 200'000.0 / binade_hits.size();
  for (int hits : binade_hits) EXPECT_NEAR(hits, expected, 5 * std::sqrt(expected));
  EXPECT_NEAR(negative, 100'000, 1'200);
}

TEST(TinyAndHuge, CoverTheFp8UnderflowAndOverflowRanges) {
  const Distribution tiny = Distribution::tiny(), huge = Distribution::huge();
  expect_binade_uniform(tiny);
  expect_binade_uniform(huge);
  for (Format f : {Format::e4m3fn, Format::e5m2, Format::e4m3fnuz, Format::e5m2fnuz}) {
    const FormatFacts facts = format_facts(f);
    // tiny: from far below half the smallest subnormal (flush to zero) into the normals.
    EXPECT_LE(std::ldexp(1.0, tiny.min_exponent), facts.min_subnormal / 8) << facts.spec.name;
    EXPECT_GE(std::ldexp(1.0, tiny.max_exponent), facts.min_normal * 2) << facts.spec.name;
    // huge: from half the largest finite value to twice the overflow threshold.
    EXPECT_LE(std::ldexp(1.0, huge.min_exponent), facts.max_normal / 2) << facts.spec.name;
    EXPECT_GE(std::ldexp(1.0, huge.max_exponent), facts.overflow_threshold * 2) << facts.spec.name;
  }
}

// Channels whose root mean square exceeds 10 (the body's is about 1).
std::vector<int> loud_channels(const std::vector<double>& v, int columns) {
  std::vector<double> sum2(columns, 0.0);
  for (std::size_t i = 0; i < v.size(); ++i) sum2[i % columns] += v[i] * v[i];
  std::vector<int> loud;
  const double rows = static_cast<double>(v.size() / columns);
  for (int c = 0; c < columns; ++c) {
    const double rms = std::sqrt(sum2[c] / rows);
    if (rms > 10) {
      loud.push_back(c);
      EXPECT_NEAR(rms, 100, 10) << "channel " << c;
    } else {
      EXPECT_NEAR(rms, 1, 0.1) << "channel " << c;
    }
  }
  return loud;
}

TEST(LlmActivation, ExactlyRoundedFractionOfChannelsAreOutliers) {
  const auto v = sample(Distribution::llm_activation(64, 0.05, 100), kKey, 64 * 2000);
  EXPECT_EQ(loud_channels(v, 64).size(), 3u);  // round(0.05 * 64) = 3
  EXPECT_EQ(loud_channels(sample(Distribution::llm_activation(64, 1e-6, 100), kKey, 64 * 2000), 64).size(), 1u);
  EXPECT_EQ(loud_channels(sample(Distribution::llm_activation(64, 0, 100), kKey, 64 * 2000), 64).size(), 0u);
  // Which channels is chosen by the key.
  std::vector<std::vector<int>> sets;
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    sets.push_back(loud_channels(sample(Distribution::llm_activation(64, 0.05, 100), tensor_key(seed, "c", "x"), 64 * 500), 64));
  }
  std::sort(sets.begin(), sets.end());
  EXPECT_NE(sets.front(), sets.back());
}

TEST(AllZeroBlocks, WholeBlocksAreZeroAtTheRequestedRate) {
  constexpr std::size_t block = 16, blocks = 20'000;
  const auto v = sample(Distribution::all_zero_blocks(block, 0.25), kKey, block * blocks);
  std::size_t zero_blocks = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    const auto begin = v.begin() + b * block;
    const auto zeros = std::count(begin, begin + block, 0.0);
    ASSERT_TRUE(zeros == 0 || zeros == static_cast<long>(block)) << "block " << b;
    zero_blocks += zeros == static_cast<long>(block);
  }
  EXPECT_NEAR(static_cast<double>(zero_blocks) / blocks, 0.25, 0.015);  // se 0.003
}

TEST(Relu, IsTheNormalClampedAtZeroWithPlusZero) {
  constexpr std::size_t n = 100'000;
  const auto z = sample(Distribution::normal(0.5, 2), kKey, n);
  const auto r = sample(Distribution::relu(0.5, 2), kKey, n);
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (z[i] > 0) ASSERT_EQ(r[i], z[i]) << i;
    else ASSERT_TRUE(r[i] == 0.0 && !std::signbit(r[i])) << i;
    zeros += r[i] == 0.0;
  }
  EXPECT_NEAR(static_cast<double>(zeros) / n, 0.4013, 0.005);  // P(N(0.5, 2) <= 0) = Phi(-0.25)
}

TEST(Specials, ReplaceTheRequestedShareAndNothingElse) {
  constexpr std::size_t n = 200'000;
  const auto plain = sample(Distribution::normal(), kKey, n);
  const auto sprinkled = sample(Distribution::normal().with_specials(0.1), kKey, n);
  std::size_t nan = 0, pos_inf = 0, neg_inf = 0, neg_zero = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = sprinkled[i];
    if (std::isnan(x)) ++nan;
    else if (x == INFINITY) ++pos_inf;
    else if (x == -INFINITY) ++neg_inf;
    else if (x == 0.0 && std::signbit(x)) ++neg_zero;
    else ASSERT_EQ(std::memcmp(&x, &plain[i], sizeof x), 0) << "element " << i << " changed";
  }
  for (std::size_t count : {nan, pos_inf, neg_inf, neg_zero}) EXPECT_NEAR(count, n * 0.025, 180);  // se 35
  const auto all = sample(Distribution::zeros().with_specials(1.0), kKey, 1000);
  EXPECT_TRUE(std::none_of(all.begin(), all.end(), [](double x) { return x == 0.0 && !std::signbit(x); }));
  for (double x : sample(Distribution::zeros(), kKey, 1000)) EXPECT_TRUE(x == 0.0 && !std::signbit(x));
}

// ---- text form -------------------------------------------------------------------------

TEST(Parse, AcceptsTheDocumentedForms) {
  const std::pair<const char*, Distribution> cases[] = {
      {"normal", Distribution::normal()},
      {"normal(0,2)", Distribution::normal(0, 2)},
      {"relu", Distribution::relu()},
      {"relu(1,3)", Distribution::relu(1, 3)},
      {"uniform(-1,1)", Distribution::uniform(-1, 1)},
      {"outliers", Distribution::llm_activation()},
      {"llm_activation(1024)", Distribution::llm_activation(1024)},
      {"tiny", Distribution::tiny(-20, -5)},
      {"huge", Distribution::huge(6, 17)},
      {"integers(-4,4)", Distribution::integers(-4, 4)},
      {"zeros", Distribution::zeros()},
      {" all_zero_blocks( 32 , 0.5 ) ", Distribution::all_zero_blocks(32, 0.5)},
      {"normal+specials", Distribution::normal().with_specials(0.01)},
      {"tiny(-30,-10) + specials(0.05)", Distribution::tiny(-30, -10).with_specials(0.05)},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(parse_distribution(text), expected) << text;
}

TEST(Parse, PrintedFormsReadBackExactly) {
  EXPECT_EQ(to_string(parse_distribution("outliers")), "llm_activation(4096,0.005,100)");
  EXPECT_EQ(to_string(Distribution::normal(0, 2).with_specials(0.25)), "normal(0,2)+specials(0.25)");
  for (const Distribution& d :
       {Distribution::uniform(0.1, 1e300), Distribution::normal(-1e-300, 3.141592653589793),
        Distribution::llm_activation(7, 0.3, 12.5), Distribution::huge(-3, 1024), Distribution::zeros(),
        Distribution::integers(-0x1p53, 12), Distribution::all_zero_blocks(1, 1).with_specials(1e-7)}) {
    EXPECT_EQ(parse_distribution(to_string(d)), d) << d;
  }
}

TEST(Parse, RejectsWithTheAcceptedForms) {
  const std::pair<const char*, const char*> cases[] = {
      {"gaussian", "unknown kind 'gaussian'"}, {"", "unknown kind ''"},
      {"normal(0,1,2)", "at most 2"},          {"normal(0,abc)", "'abc' is not a number"},
      {"normal(0,1", "expected ',' or ')'"},   {"normal)", "unexpected ')'"},
      {"normal+foo", "unknown option"},        {"normal+specials(0.1,2)", "one parameter"},
      {"llm_activation(2.5)", "columns must be an integer"}, {"tiny(-3.5)", "min_exp must be an integer"},
  };
  for (const auto& [text, problem] : cases) {
    try {
      parse_distribution(text);
      ADD_FAILURE() << "accepted '" << text << "'";
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(problem), std::string::npos) << message;
      for (const char* kind : {"uniform(lo,hi)", "normal(mean,std)", "llm_activation(", "tiny(", "huge(",
                               "integers(lo,hi)", "zeros", "all_zero_blocks(", "+specials"}) {
        EXPECT_NE(message.find(kind), std::string::npos) << message;
      }
    }
  }
}

TEST(Validate, NamesTheBadParameterAndItsRange) {
  const std::pair<Distribution, const char*> cases[] = {
      {Distribution::normal(0, 0), "std > 0"},
      {Distribution::uniform(1, 1), "lo < hi"},
      {Distribution::uniform(-1e308, 1e308), "hi - lo finite"},
      {Distribution::integers(0.5, 3), "integers -2^53 <= lo <= hi <= 2^53"},
      {Distribution::llm_activation(0), "columns must be in [1, 1048576]"},
      {Distribution::llm_activation(8, 1.5), "outlier_fraction must be in [0, 1]"},
      {Distribution::tiny(-1100, 0), "-1022 <= min_exp < max_exp <= 1024"},
      {Distribution::all_zero_blocks(0), "block must be >= 1"},
      {Distribution::normal().with_specials(NAN), "fraction must be in [0, 1]"},
  };
  for (const auto& [d, problem] : cases) {
    std::vector<double> out(4);
    try {
      generate(d, kKey, out);  // generate validates first
      ADD_FAILURE() << "accepted " << d;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_distribution(to_string(d)), InputError) << d;
  }
}

}  // namespace
}  // namespace fp8check
