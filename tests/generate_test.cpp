// Keyed inputs: key derivation, Philox bits, every distribution (pinned bits, range
// splits, statistics) and the text form. Pins are exact double bit patterns: any change
// to the generator must show up here (and the same pins pass under gcc and clang).
#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/format_facts.hpp"
#include "harness/generate/distributions.hpp"
#include "harness/generate/philox_stream.hpp"
#include "harness/generate/seed.hpp"

namespace fp8check {
namespace {

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

std::vector<double> sample(const Distribution& d, std::uint64_t key, std::size_t n, std::size_t first = 0) {
  std::vector<double> out(n);
  generate(d, key, out, first);
  return out;
}

std::vector<std::uint64_t> bit_patterns(const std::vector<double>& values) {
  std::vector<std::uint64_t> out;
  for (double v : values) out.push_back(bits(v));
  return out;
}

const std::uint64_t kPinKey = tensor_key(2024, "pins/case", "A");

// ---- keys ------------------------------------------------------------------------------

TEST(Seed, HashesMatchPublishedVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);        // FNV-1a 64 test vectors
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(splitmix64_mix(0), 0xe220a8397b1dcdafull);  // splitmix64.c, seed 0: outputs 1, 2
  EXPECT_EQ(splitmix64_mix(0x9e3779b97f4a7c15ull), 0x6e789e6aa1b965f4ull);
}

TEST(Seed, TensorKeyIsPinnedAndSeparatesEveryComponent) {
  EXPECT_EQ(kPinKey, 0xff21b7c5f4b49883ull);
  std::set<std::uint64_t> keys;
  for (std::uint64_t seed : {0ull, 1ull, 2024ull}) {
    for (const char* id : {"", "gemm/m128", "gemm/m129"}) {
      for (const char* name : {"A", "B", "scale_a"}) keys.insert(tensor_key(seed, id, name));
    }
  }
  EXPECT_EQ(keys.size(), 27u);
  EXPECT_NE(tensor_key(1, "ab", "c"), tensor_key(1, "a", "bc"));  // no concatenation ambiguity
  EXPECT_NE(tensor_key(1, "a", "b"), tensor_key(1, "b", "a"));
}

TEST(Seed, KeysPrintAndParseBack) {
  EXPECT_EQ(format_key(kPinKey), "0xff21b7c5f4b49883");
  EXPECT_EQ(format_key(1), "0x0000000000000001");
  for (std::uint64_t k : {std::uint64_t{0}, std::uint64_t{1}, kPinKey, ~std::uint64_t{0}}) EXPECT_EQ(parse_key(format_key(k)), k);
  EXPECT_EQ(parse_key("FF"), 0xFFu);
  EXPECT_EQ(parse_key("0XaB"), 0xABu);
  for (const char* bad : {"", "0x", "xyz", "0x12345678901234567", "-1", "0x1 "}) {
    try {
      parse_key(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("hex digits"), std::string::npos) << e.what();
    }
  }
}

// ---- raw bits --------------------------------------------------------------------------

TEST(PhiloxStream, MatchesRandom123KnownAnswers) {
  // Random123 kat_vectors: philox4x32 10, counter 0, key 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
  EXPECT_EQ(PhiloxStream(0, 0).block(0), (PhiloxBlock{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  // The pi-digits vector, straight through the library this build uses.
  const r123::Philox4x32::ctr_type c = {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
  const r123::Philox4x32::key_type k = {{0xa4093822, 0x299f31d0}};
  const auto r = r123::Philox4x32()(c, k);
  EXPECT_EQ((PhiloxBlock{r[0], r[1], r[2], r[3]}), (PhiloxBlock{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(PhiloxStream, SubstreamsAndIndicesGiveDifferentBits) {
  const PhiloxStream a(kPinKey, 0), b(kPinKey, 1);
  EXPECT_NE(a.block(0), b.block(0));
  EXPECT_NE(a.block(0), a.block(1));
  EXPECT_NE(a.block(0), a.block(std::uint64_t{1} << 32));  // the index's high word counts
}

TEST(PhiloxStream, UnitConversionsAreExactAtTheEnds) {
  EXPECT_EQ(unit_closed_open(0), 0.0);
  EXPECT_EQ(unit_closed_open(~0ull), 1.0 - 0x1p-53);
  EXPECT_EQ(unit_open(0), 0x1p-53);
  EXPECT_EQ(unit_open(~0ull), 1.0 - 0x1p-53);
  EXPECT_EQ(unit_closed_open(std::uint64_t{1} << 63), 0.5);
}

TEST(PhiloxStream, BoundedIsTheHighWordOfTheProduct) {
  const PhiloxStream s(7);
  for (std::uint64_t i = 0; i < 100'000; ++i) {
    const std::uint64_t x = s.bits64(i), n = s.bits64(i + (1ull << 40)) >> (i % 64);
    const auto expected = static_cast<std::uint64_t>((static_cast<unsigned __int128>(x) * n) >> 64);
    ASSERT_EQ(bounded(x, n), expected) << x << " " << n;
  }
  EXPECT_EQ(bounded(~0ull, 9), 8u);
  EXPECT_EQ(bounded(std::uint64_t{1} << 63, 10), 5u);
}

// ---- distributions: pinned bits --------------------------------------------------------

struct Pin {
  const char* distribution;
  std::vector<std::uint64_t> first_eight;
};

TEST(Generate, FirstValuesArePinned) {
  const Pin pins[] = {
      {"uniform(-1,1)", {0x3feeafd68f1ee428, 0xbfdecb690b9ac494, 0x3fdbdd820e63aab0, 0xbfe8d0882e269694,
                         0x3fe7b625e536fbb0, 0xbfea05a0e89a8f5e, 0xbfcbc17cb43a53a0, 0x3fe1c276ed9dc61c}},
      {"normal(0,1)", {0x4000586ab6f42d1d, 0xbfe4a501f7bd6a98, 0x3fe26eb6738a72c3, 0xbff36eb9a6f87bdd,
                       0x3ff20f3ec7f3a1a9, 0xbff51efdb88806c9, 0xbfd19cfaea49125a, 0x3fe870b3fbd310b3}},
      {"normal(3,2)", {0x401c586ab6f42d1d, 0x3ffb5afe08429568, 0x40109bad9ce29cb1, 0x3fe24519641e108c,
                       0x4015079f63f9d0d4, 0x3fd708123bbfc9b8, 0x400398c1456dbb6a, 0x40121c2cfef4c42d}},
      {"llm_activation(8,0.25,100)",
       {0x40698a26bddd867d, 0xbfe4a501f7bd6a98, 0x3fe26eb6738a72c3, 0xbff36eb9a6f87bdd, 0x3ff20f3ec7f3a1a9,
        0xc0608036382a454d, 0xbfd19cfaea49125a, 0x3fe870b3fbd310b3}},
      {"tiny", {0x3f0fabf5a3c7b90a, 0xbed42692de8ca76d, 0xbf1b7bb041cc7556, 0xbed1cbddf4765a5b,
                0x3f3ded89794dbeec, 0x3ed17e97c5d95c28, 0x3f3643e834bc5ac6, 0x3efc709dbb677187}},
      {"huge", {0x408fabf5a3c7b90a, 0xc0642692de8ca76d, 0xc09b7bb041cc7556, 0xc061cbddf4765a5b,
                0x40bded89794dbeec, 0x40717e97c5d95c28, 0x40b643e834bc5ac6, 0x408c709dbb677187}},
      {"integers(-4,4)", {0x4010000000000000, 0xc000000000000000, 0x4000000000000000, 0xc008000000000000,
                          0x4008000000000000, 0xc010000000000000, 0xbff0000000000000, 0x4000000000000000}},
      {"all_zero_blocks(2,0.5)", {0x4000586ab6f42d1d, 0xbfe4a501f7bd6a98, 0x3fe26eb6738a72c3, 0xbff36eb9a6f87bdd,
                                  0, 0, 0, 0}},
      {"zeros+specials(1)", {0xfff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000000,
                             0x8000000000000000, 0x8000000000000000, 0xfff0000000000000, 0x7ff8000000000000}},
  };
  for (const Pin& pin : pins) {
    EXPECT_EQ(bit_patterns(sample(parse_distribution(pin.distribution), kPinKey, 8)), pin.first_eight)
        << pin.distribution << " with key " << format_key(kPinKey);
  }
}

// ---- distributions: structure ----------------------------------------------------------

const char* const kEveryKind[] = {"uniform(-3,5)", "normal(1,2)", "llm_activation(96,0.05,100)", "tiny",
                                  "huge", "integers(-7,9)", "zeros", "all_zero_blocks(32,0.3)",
                                  "normal+specials(0.1)", "all_zero_blocks(5)+specials(0.2)"};

TEST(Generate, RangeSplitsEqualTheWholeTensor) {
  constexpr std::size_t n = 10'007;
  for (const char* text : kEveryKind) {
    const Distribution d = parse_distribution(text);
    const auto whole = bit_patterns(sample(d, kPinKey, n));
    std::vector<double> pieces(n);  // uneven pieces, generated on four threads
    const std::size_t cuts[] = {0, 1, 37, 4096, n};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        generate(d, kPinKey, std::span(pieces).subspan(cuts[t], cuts[t + 1] - cuts[t]), cuts[t]);
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(bit_patterns(pieces), whole) << text;
    EXPECT_EQ(bit_patterns(sample(d, kPinKey, 5, 9000)),
              std::vector<std::uint64_t>(whole.begin() + 9000, whole.begin() + 9005)) << text;
  }
}

TEST(Generate, DifferentKeysGiveDifferentStreams) {
  for (const char* text : kEveryKind) {
    const Distribution d = parse_distribution(text);
    if (d.kind == DistributionKind::zeros && d.specials_fraction == 0) continue;
    const auto base = sample(d, tensor_key(1, "case", "A"), 256);
    for (std::uint64_t key : {tensor_key(2, "case", "A"), tensor_key(1, "case2", "A"), tensor_key(1, "case", "B")}) {
      EXPECT_NE(bit_patterns(sample(d, key, 256)), bit_patterns(base)) << text;
    }
  }
}

}  // namespace
}  // namespace fp8check
