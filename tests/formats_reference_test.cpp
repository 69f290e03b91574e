// An independent brute-force reference for every format and rounding mode, written
// from the format definitions (ebits, mbits, bias, special-value rule; docs/formats.md)
// WITHOUT convert.hpp's algorithm: list every finite value, find the bracketing pair
// lo <= |x| <= hi by search and apply the rounding rule to the pair. This covers what
// CUDA lacks (the fnuz formats, e4m3b15, up/down/away/stochastic everywhere) and checks
// triton_e4b15_from_float on hand-worked cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/triton_e4b15.hpp"

namespace fp8check {
namespace {

enum class Kind { ieee, fn, fnuz, finite, e8m0 };  // which codes are inf/NaN (format_spec.hpp)
struct Definition {
  Format id;
  int bits, ebits, mbits, bias;
  Kind kind;
  double documented_max;  // format_spec.hpp comments, docs/formats.md
};
const Definition kDefinitions[] = {
    {Format::e4m3fn, 8, 4, 3, 7, Kind::fn, 448},          {Format::e5m2, 8, 5, 2, 15, Kind::ieee, 57344},
    {Format::e4m3fnuz, 8, 4, 3, 8, Kind::fnuz, 240},      {Format::e5m2fnuz, 8, 5, 2, 16, Kind::fnuz, 57344},
    {Format::e4m3b11fnuz, 8, 4, 3, 11, Kind::fnuz, 30},   {Format::e4m3b15, 8, 4, 3, 15, Kind::finite, 1.875},
    {Format::e8m0fnu, 8, 8, 0, 127, Kind::e8m0, 0x1p127}, {Format::e2m1fn, 4, 2, 1, 1, Kind::finite, 6},
    {Format::e2m3fn, 6, 2, 3, 1, Kind::finite, 7.5},      {Format::e3m2fn, 6, 3, 2, 3, Kind::finite, 28},
    {Format::bf16, 16, 8, 7, 127, Kind::ieee, 0x1.FEp127}, {Format::fp16, 16, 5, 10, 15, Kind::ieee, 65504},
};

struct SplitMix64 {  // Steele, Lea, Flood 2014
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

// The value of a code by the definition (NaN and +-inf where the rule says so).
double reference_value(const Definition& d, std::uint32_t code) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  if (d.kind == Kind::e8m0) return code == 0xFF ? nan : std::ldexp(1.0, static_cast<int>(code) - d.bias);
  const std::uint32_t sign_bit = 1u << (d.bits - 1), mag = code & (sign_bit - 1);
  const std::uint32_t e = mag >> d.mbits, m = mag & ((1u << d.mbits) - 1), e_ones = (1u << d.ebits) - 1;
  if (d.kind == Kind::ieee && e == e_ones) return m != 0 ? nan : (code & sign_bit ? -inf : inf);
  if (d.kind == Kind::fn && mag == (sign_bit - 1)) return nan;
  if (d.kind == Kind::fnuz && code == sign_bit) return nan;
  const double v = e == 0 ? std::ldexp(m, 1 - d.bias - d.mbits)
                          : std::ldexp((1u << d.mbits) + m, static_cast<int>(e) - d.bias - d.mbits);
  return code & sign_bit ? -v : v;
}

// Brute-force encoder over the sorted list of finite magnitudes. locate() does the
// search once per input; round() then applies any mode to the bracketing pair.
class Reference {
  struct Entry {
    double value;
    std::uint32_t code;  // positive code
  };

 public:
  explicit Reference(const Definition& d) : d_(d) {
    const std::uint32_t mag_codes = d.kind == Kind::e8m0 ? 256 : 1u << (d.bits - 1);
    for (std::uint32_t c = 0; c < mag_codes; ++c)
      if (std::isfinite(reference_value(d, c))) grid_.push_back({reference_value(d, c), c});
    std::sort(grid_.begin(), grid_.end(), [](const Entry& a, const Entry& b) { return a.value < b.value; });
    const double max = grid_.back().value;
    beyond_max_ = d.kind == Kind::e8m0 ? 2 * max : 2 * max - grid_[grid_.size() - 2].value;  // max + ulp
  }
  double max() const { return grid_.back().value; }
  std::vector<double> values() const {  // the finite magnitudes and max + ulp
    std::vector<double> v;
    for (const Entry& e : grid_) v.push_back(e.value);
    v.push_back(beyond_max_);
    return v;
  }

  struct Position {      // where x falls: lo <= |x| < hi
    double x = 0, a = 0;  // a = |x|
    bool neg = false;     // sign of the result (e8m0 takes |x|)
    const Entry* lo = nullptr;  // nullptr: below the smallest value (e8m0 only)
    const Entry* hi = nullptr;  // nullptr: hi = max + ulp (overflow)
    double mid = 0;
    std::uint64_t fraction = 0;  // (a - lo) / (hi - lo), 0.32 fixed point, truncated
  };
  Position locate(double x) const {
    Position p{x, std::fabs(x), d_.kind != Kind::e8m0 && std::signbit(x)};
    if (!std::isfinite(x) || p.a >= beyond_max_) return p;
    const auto it = std::upper_bound(grid_.begin(), grid_.end(), p.a,
                                     [](double v, const Entry& e) { return v < e.value; });
    if (it == grid_.begin()) return p;
    p.lo = &*(it - 1);
    p.hi = it == grid_.end() ? nullptr : &*it;
    const double hi = p.hi ? p.hi->value : beyond_max_;
    p.mid = (p.lo->value + hi) / 2;
    // Exact: a - lo is exact (Sterbenz, or lo = 0) and hi - lo is a power of two.
    p.fraction = static_cast<std::uint64_t>(std::floor(std::ldexp((p.a - p.lo->value) / (hi - p.lo->value), 32)));
    return p;
  }

  std::uint32_t round(const Position& p, EncodeOptions o, std::uint32_t r = 0) const {
    const std::uint32_t sign_bit = 1u << (d_.bits - 1), sign = p.neg ? sign_bit : 0, max_code = grid_.back().code;
    if (std::isnan(p.x)) {  // the documented NaN codes (CUDA's choice): positive, all ones
      switch (d_.kind) {
        case Kind::ieee: case Kind::fn: return sign_bit - 1;
        case Kind::fnuz: return sign_bit;
        case Kind::e8m0: return 0xFF;
        case Kind::finite: return max_code;
      }
    }
    std::uint32_t overflow = sign | max_code;  // the format's overflow result (docs/formats.md)
    if (d_.kind == Kind::ieee) overflow = sign | (max_code + 1);  // inf
    if (d_.kind == Kind::fn) overflow = sign | (sign_bit - 1);    // S.1111.111
    if (d_.kind == Kind::fnuz) overflow = sign_bit;
    if (d_.kind == Kind::e8m0) overflow = 0xFF;
    if (std::isinf(p.a)) return o.clamp_inf ? sign | max_code : overflow;
    if (p.a >= beyond_max_) {  // rounds beyond max in any mode; IEEE 754 7.4 for directed ones
      const bool toward_max = o.rounding == Rounding::toward_zero || (o.rounding == Rounding::toward_pos_inf && p.neg) ||
                              (o.rounding == Rounding::toward_neg_inf && !p.neg);
      return o.saturate_finite || toward_max ? sign | max_code : overflow;
    }
    if (!p.lo) return 0;  // only e8m0 (no zero): below 2^-127 -> code 0
    auto code_of = [&](const Entry& e) { return e.code == 0 && d_.kind == Kind::fnuz ? 0u : sign | e.code; };
    if (p.a == p.lo->value) return code_of(*p.lo);
    const bool lo_odd = d_.kind == Kind::e8m0 || (p.lo->code & 1);  // e8m0: significand = implicit 1
    bool away = false;
    switch (o.rounding) {
      case Rounding::nearest_even: away = p.a > p.mid || (p.a == p.mid && lo_odd); break;
      case Rounding::nearest_away: away = p.a >= p.mid; break;
      case Rounding::toward_zero: away = false; break;
      case Rounding::toward_pos_inf: away = !p.neg; break;
      case Rounding::toward_neg_inf: away = p.neg; break;
      case Rounding::stochastic: away = p.fraction + r >= (std::uint64_t{1} << 32); break;
    }
    if (!away) return code_of(*p.lo);
    if (p.hi) return code_of(*p.hi);
    return o.saturate_finite ? sign | max_code : overflow;
  }
  std::uint32_t encode(double x, EncodeOptions o) const { return round(locate(x), o); }

 private:
  Definition d_;
  std::vector<Entry> grid_;  // finite magnitudes, ascending
  double beyond_max_ = 0;    // max + ulp: the first value past the format
};

const Definition& definition(Format f) {
  return *std::find_if(std::begin(kDefinitions), std::end(kDefinitions), [f](const Definition& d) { return d.id == f; });
}

TEST(FormatsReference, DefinitionsMatchFormatSpecAndDocumentedMax) {
  for (const Definition& d : kDefinitions) {
    const FormatSpec s = format_spec(d.id);
    EXPECT_EQ(s.bits, d.bits) << s.name;
    EXPECT_EQ(s.exp_bits, d.ebits) << s.name;
    EXPECT_EQ(s.man_bits, d.mbits) << s.name;
    EXPECT_EQ(s.bias, d.bias) << s.name;
    EXPECT_EQ(Reference(d).max(), d.documented_max) << s.name;
  }
}

TEST(FormatsReference, DecodeMatchesDefinitionOnEveryCode) {
  for (const Definition& d : kDefinitions)
    for (std::uint32_t c = 0; c < (1u << d.bits); ++c) {
      const double want = reference_value(d, c), got = decode(d.id, c);
      EXPECT_EQ(std::isnan(got), std::isnan(want)) << format_spec(d.id).name << " code " << c;
      EXPECT_EQ(is_nan_code(d.id, c), std::isnan(want)) << format_spec(d.id).name << " code " << c;
      EXPECT_EQ(is_inf_code(d.id, c), std::isinf(want)) << format_spec(d.id).name << " code " << c;
      if (!std::isnan(want)) {
        EXPECT_EQ(got, want) << format_spec(d.id).name << " code " << c;
        EXPECT_EQ(std::signbit(got), std::signbit(want)) << format_spec(d.id).name << " code " << c;
      }
    }
}

// Inputs, both signs: every value (and max + ulp), every midpoint, each +-1 double and
// +-1 float ulp; powers of two over the range and beyond; +-0, +-inf, NaNs; random doubles
// log-uniform over the range and uniform between neighbours.
std::vector<double> reference_inputs(const Reference& ref, std::uint64_t seed) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> v = ref.values();
  std::vector<double> pos;
  auto with_neighbours = [&](double x) {
    pos.insert(pos.end(), {x, std::nextafter(x, 0.0), std::nextafter(x, inf)});
    const bool is_float = x <= std::numeric_limits<float>::max() && static_cast<float>(x) == x;
    const float f = is_float ? static_cast<float>(x) : 0.0f;
    if (is_float) pos.insert(pos.end(), {std::nextafter(f, 0.0f), std::nextafter(f, static_cast<float>(inf))});
  };
  for (std::size_t i = 0; i < v.size(); ++i) {
    with_neighbours(v[i]);
    if (i > 0) with_neighbours((v[i - 1] + v[i]) / 2);
  }
  const int lo_exp = std::ilogb(v[0] > 0 ? v[0] : v[1]) - 8, hi_exp = std::ilogb(v.back()) + 8;
  for (int k = lo_exp; k <= hi_exp; ++k) with_neighbours(std::ldexp(1.0, k));
  pos.insert(pos.end(), {std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                         std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(), 1e300, inf});
  SplitMix64 rng{seed};
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t r = rng.next(), s = rng.next();
    const int k = lo_exp + static_cast<int>((r >> 52) % static_cast<std::uint64_t>(hi_exp - lo_exp + 1));
    pos.push_back(std::ldexp(1.0 + std::ldexp(static_cast<double>(r & 0xFFFFFFFFFFFFFull), -52), k));
    const std::size_t j = 1 + (s >> 32) % (v.size() - 1);
    pos.push_back(v[j - 1] + (v[j] - v[j - 1]) * std::ldexp(static_cast<double>(s & 0xFFFFFF), -24));
  }
  std::vector<double> all;
  for (double x : pos) all.insert(all.end(), {x, -x});
  for (std::uint64_t nan : {0x7FF8000000000000ull, 0xFFF8000000000001ull, 0x7FF0000000000001ull}) {
    double d;
    std::memcpy(&d, &nan, sizeof d);
    all.push_back(d);
  }
  return all;
}

struct Mismatches {
  std::size_t count = 0;
  std::ostringstream examples;
  void add(double x, EncodeOptions o, std::uint32_t r, std::uint32_t want, std::uint32_t got) {
    if (count++ < 8)
      examples << "  x=" << std::hexfloat << x << std::defaultfloat << " rounding=" << static_cast<int>(o.rounding)
               << " sat=" << o.saturate_finite << " clamp=" << o.clamp_inf << " r=" << r << std::hex
               << " reference=0x" << want << " fp8check=0x" << got << std::dec << "\n";
  }
};

TEST(FormatsReference, EncodeMatchesReferenceInEveryModeAndFormat) {
  const Rounding kDeterministic[] = {Rounding::nearest_even, Rounding::toward_zero, Rounding::toward_pos_inf,
                                     Rounding::toward_neg_inf, Rounding::nearest_away};
  for (const Definition& d : kDefinitions) {
    const Reference ref(d);
    SplitMix64 rng{0x5EED0000ull + static_cast<std::uint64_t>(d.id)};
    Mismatches m;
    for (double x : reference_inputs(ref, rng.next())) {
      const Reference::Position p = ref.locate(x);
      auto check = [&](EncodeOptions o, std::uint32_t r) {
        const std::uint32_t want = ref.round(p, o, r), got = encode(d.id, x, o, r);
        if (want != got) m.add(x, o, r, want, got);
      };
      for (bool sat : {false, true}) {
        for (bool clamp : {false, true})
          for (Rounding rounding : kDeterministic) check({rounding, sat, clamp}, 0);
        // r at the rule's edges: f + r = 2^32 rounds away, 2^32 - 1 does not.
        const std::uint64_t edge = (std::uint64_t{1} << 32) - p.fraction;
        for (std::uint64_t r : {std::uint64_t{0}, std::uint64_t{0xFFFFFFFF}, edge, edge - 1})
          if (r <= 0xFFFFFFFFu) check({Rounding::stochastic, sat, sat}, static_cast<std::uint32_t>(r));
      }
    }
    EXPECT_EQ(m.count, 0u) << format_spec(d.id).name << "\n" << m.examples.str();
  }
}

// Hand-worked: e4m3fn around 1 (quantum 1/8): 1.0 = 0x38, 1.125 = 0x39.
TEST(FormatsReference, StochasticRuleOnHandWorkedCases) {
  const EncodeOptions o{Rounding::stochastic, true, true};
  constexpr std::uint32_t kHalf = 0x80000000u, kAll = 0xFFFFFFFFu;
  EXPECT_EQ(encode<Format::e4m3fn>(1.0625, o, kHalf), 0x39u);       // f = 1/2: 2^31 + 2^31 = 2^32
  EXPECT_EQ(encode<Format::e4m3fn>(1.0625, o, kHalf - 1), 0x38u);   // 2^32 - 1 < 2^32
  EXPECT_EQ(encode<Format::e4m3fn>(-1.0625, o, kHalf), 0xB9u);      // away from zero
  EXPECT_EQ(encode<Format::e4m3fn>(1.0625, o, 0), 0x38u);           // r = 0 never rounds away
  EXPECT_EQ(encode<Format::e4m3fn>(1.0 + 0x1p-35, o, kAll), 0x39u); // f = 2^-32 of a quantum: 1 + r = 2^32
  EXPECT_EQ(encode<Format::e4m3fn>(1.0 + 0x1p-36, o, kAll), 0x38u); // f truncates to 0
  EXPECT_EQ(encode<Format::e4m3fn>(1.0, o, kAll), 0x38u);           // exact: nothing to round
  EXPECT_EQ(encode<Format::e4m3fn>(1.03125, o, 3u << 30), 0x39u);   // f = 1/4, r = 3/4
  EXPECT_EQ(encode<Format::e4m3fn>(1.03125, o, (3u << 30) - 1), 0x38u);
}

TEST(FormatsReference, StochasticFrequencyMatchesFraction) {
  SplitMix64 rng{0xC0FFEEull};
  constexpr int kDraws = 200000;
  for (double fraction : {0.1, 0.3, 0.5, 0.9}) {
    const double x = 1.0 + fraction / 8;  // e4m3fn: between 1.0 and 1.125
    int away = 0;
    for (int i = 0; i < kDraws; ++i)
      away += encode<Format::e4m3fn>(x, {Rounding::stochastic, true, true}, static_cast<std::uint32_t>(rng.next() >> 32)) == 0x39u;
    const double sigma = std::sqrt(fraction * (1 - fraction) / kDraws);
    EXPECT_NEAR(static_cast<double>(away) / kDraws, fraction, 5 * sigma) << "fraction " << fraction;
  }
}

// Triton's fp32 -> fp8e4b15: fp16 RNE, clamp to +-1.875 (NaN -> -1.875), then half an fp8
// ulp is added to the fp16 bits and 7 bits dropped (ties away). Worked by hand, e.g.
// 1.0625 = 0x3C40 (fp16) is the e4b15 tie 1|1.125 -> 0x3C80 >> 7 = 0x79.
TEST(FormatsReference, TritonE4b15HandWorked) {
  struct Case { float x; std::uint32_t code; const char* why; };
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const Case cases[] = {
      {1.0f, 0x78, "exact"},
      {1.0625f, 0x79, "tie 1|1.125 -> away (RNE would give 0x78)"},
      {-1.0625f, 0xF9, "tie, away from zero"},
      {1.0625f - 0x1p-12f, 0x79, "fp16 rounds up onto the tie, then away: double rounding"},
      {1.0625f - 0x1p-11f, 0x79, "fp16 tie 0x3C3F|0x3C40 -> even 0x3C40, then away"},
      {1.0625f - 0x1p-11f - 0x1p-20f, 0x78, "fp16 0x3C3F, below the tie"},
      {0.96875f, 0x78, "tie 0.9375|1 -> away, carries into the exponent"},
      {1.8f, 0x7E, "fp16 0x3F33 -> 1.75"},
      {1.9f, 0x7F, "fp16 0x3F9A > 1.875: clamped"},
      {2.0f, 0x7F, "clamped"},
      {-100.0f, 0xFF, "clamped to -1.875"},
      {1e6f, 0x7F, "fp16 overflows to inf, clamped"},
      {inf, 0x7F, "+inf clamped"},
      {-inf, 0xFF, "-inf clamped"},
      {nan, 0xFF, "NaN: PTX max returns -1.875"},
      {-nan, 0xFF, "NaN of either sign"},
      {0x1p-17f, 0x01, "min subnormal (fp16 0x0080)"},
      {0x1p-18f, 0x01, "fp16 0x0040: tie 0|2^-17 -> away"},
      {0x1p-18f - 0x1p-24f, 0x00, "fp16 0x003F"},
      {1e-10f, 0x00, "fp16 +0"},
      {-1e-10f, 0x80, "fp16 -0 -> e4b15 -0"},
  };
  for (const Case& c : cases) EXPECT_EQ(triton_e4b15_from_float(c.x), c.code) << c.x << ": " << c.why;
  // The single, correctly rounded encode differs exactly where Triton rounds twice or ties away.
  EXPECT_EQ(encode<Format::e4m3b15>(1.0625f - 0x1p-12f, {Rounding::nearest_away, true, true}), 0x78u);
  EXPECT_EQ(encode<Format::e4m3b15>(1.0625f, {Rounding::nearest_even, true, true}), 0x78u);
}

// The same two roundings done with the brute-force reference, on every fp16 value and
// on random floats.
TEST(FormatsReference, TritonE4b15IsFp16ThenTiesAwayClamped) {
  const Reference fp16(definition(Format::fp16)), e4b15(definition(Format::e4m3b15));
  auto expected = [&](float x) {
    const double h = reference_value(definition(Format::fp16), fp16.encode(x, {Rounding::nearest_even, false, false}));
    const double clamped = std::isnan(h) ? -1.875 : std::clamp(h, -1.875, 1.875);
    return e4b15.encode(clamped, {Rounding::nearest_away, true, true});
  };
  std::vector<float> inputs;
  for (std::uint32_t c = 0; c < 0x10000u; ++c) inputs.push_back(static_cast<float>(reference_value(definition(Format::fp16), c)));
  SplitMix64 rng{0x7E4B15ull};
  for (int i = 0; i < 300000; ++i) {
    const std::uint64_t r = rng.next();
    const int k = -27 + static_cast<int>((r >> 40) % 30);  // 2^-27 .. 2^2
    inputs.push_back(std::ldexp(1.0f + std::ldexp(static_cast<float>(r & 0x7FFFFF), -23), k) * (r >> 63 ? -1 : 1));
    const auto bits = static_cast<std::uint32_t>(rng.next());
    float raw;
    std::memcpy(&raw, &bits, sizeof raw);
    inputs.push_back(raw);
  }
  std::size_t mismatches = 0;
  for (float x : inputs)
    if (triton_e4b15_from_float(x) != expected(x) && mismatches++ < 8)
      ADD_FAILURE() << std::hexfloat << x << ": reference 0x" << std::hex << expected(x) << " triton_e4b15_from_float 0x"
                    << triton_e4b15_from_float(x);
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace fp8check
