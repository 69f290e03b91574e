// fp8check's scalar codec (harness/core/convert.hpp) against NVIDIA's conversions,
// compiled here by the HOST compiler from the CUDA toolkit headers (the
// non-__CUDA_ARCH__ paths of cuda_fp8.hpp, cuda_fp6.hpp, cuda_fp4.hpp, cuda_bf16.hpp,
// cuda_fp16.hpp). Headers only: no GPU and no libcudart are needed.
//
// Mode mapping: __NV_SATFINITE = {saturate_finite, clamp_inf}; __NV_NOSAT = {!saturate_finite,
// !clamp_inf}. CUDA's fp6/fp4 always saturate (NaN -> +max), e8m0 takes |x|, bf16/fp16 are
// plain IEEE. Specials, read from the headers: fp8 satfinite +-inf -> +-max, nosat +-inf ->
// e5m2 +-inf / e4m3 0x7F|sign; float NaN -> 0x7F (canonicalised before the double path);
// e8m0 +-inf -> 0xFE (satfinite) / 0xFF (nosat), NaN -> 0xFF; fp6/fp4 +-inf -> +-max,
// NaN -> +max; bf16/fp16 NaN -> 0x7FFF.
// Encodes are compared code for code; for a NaN input in a format with NaN
// codes only "both are NaN" is required (fp8check's own NaN code is asserted separately).
//
// Deliberate differences from CUDA 13.0 (each asserted in DeliberateDifferences below):
// | CUDA function               | input                | CUDA                       | fp8check |
// |-----------------------------|----------------------|----------------------------|----------|
// | __nv_cvt_double_to_fp8 E4M3 | NaN with sign set    | 0xFF (keeps the sign)      | 0x7F     |
// | __nv_cvt_double_to_fp8 E5M2 | NaN                  | 0x7E|sign|(payload bit 50) | 0x7F     |
// fp8check emits one NaN code per format, the one CUDA's float-input path emits.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "harness/core/convert.hpp"

namespace fp8check {
namespace {

struct SplitMix64 {  // Steele, Lea, Flood 2014; fixed seed -> the same inputs everywhere
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

float float_from_bits(std::uint32_t b) { float f; std::memcpy(&f, &b, 4); return f; }
std::uint32_t bits_of_float(float f) { std::uint32_t b; std::memcpy(&b, &f, 4); return b; }
double double_from_bits(std::uint64_t b) { double d; std::memcpy(&d, &b, 8); return d; }

constexpr Rounding kRn = Rounding::nearest_even, kRz = Rounding::toward_zero,
                   kRu = Rounding::toward_pos_inf, kRd = Rounding::toward_neg_inf;
constexpr bool kSat = true, kNoSat = false;

// One CUDA conversion and the fp8check options that claim the same semantics.
struct CudaConversion {
  const char* name;
  Format format;
  EncodeOptions options;
  std::uint32_t (*from_float)(float);
  std::uint32_t (*from_double)(double);  // nullptr: CUDA has no double-input variant
};

void PrintTo(const CudaConversion& c, std::ostream* os) { *os << c.name; }  // for gtest messages

std::uint32_t raw(__nv_bfloat16 b) { return static_cast<__nv_bfloat16_raw>(b).x; }
std::uint32_t raw(__half h) { return static_cast<__half_raw>(h).x; }

#define FP8C_FP8(NAME, KIND, SAT, F)                                                              \
  {NAME, F, {kRn, SAT == __NV_SATFINITE, SAT == __NV_SATFINITE},                                   \
   [](float x) -> std::uint32_t { return __nv_cvt_float_to_fp8(x, SAT, KIND); },                  \
   [](double x) -> std::uint32_t { return __nv_cvt_double_to_fp8(x, SAT, KIND); }}
#define FP8C_E8M0(NAME, SAT, MODE, R)                                                             \
  {NAME, Format::e8m0fnu, {R, SAT == __NV_SATFINITE, SAT == __NV_SATFINITE},                      \
   [](float x) -> std::uint32_t { return __nv_cvt_float_to_e8m0(x, SAT, MODE); },                 \
   [](double x) -> std::uint32_t { return __nv_cvt_double_to_e8m0(x, SAT, MODE); }}
#define FP8C_FP6(NAME, KIND, MODE, R, F)                                                          \
  {NAME, F, {R, kSat, kSat}, [](float x) -> std::uint32_t { return __nv_cvt_float_to_fp6(x, KIND, MODE); }, \
   [](double x) -> std::uint32_t { return __nv_cvt_double_to_fp6(x, KIND, MODE); }}
#define FP8C_FP4(NAME, MODE, R)                                                                   \
  {NAME, Format::e2m1fn, {R, kSat, kSat},                                                         \
   [](float x) -> std::uint32_t { return __nv_cvt_float_to_fp4(x, __NV_E2M1, MODE); },            \
   [](double x) -> std::uint32_t { return __nv_cvt_double_to_fp4(x, __NV_E2M1, MODE); }}
#define FP8C_IEEE16(NAME, F, R, FN, DFN)                                                          \
  {NAME, F, {R, kNoSat, kNoSat}, [](float x) -> std::uint32_t { return raw(FN(x)); }, DFN}

const CudaConversion kConversions[] = {
    FP8C_FP8("e4m3_satfinite", __NV_E4M3, __NV_SATFINITE, Format::e4m3fn),
    FP8C_FP8("e4m3_nosat", __NV_E4M3, __NV_NOSAT, Format::e4m3fn),
    FP8C_FP8("e5m2_satfinite", __NV_E5M2, __NV_SATFINITE, Format::e5m2),
    FP8C_FP8("e5m2_nosat", __NV_E5M2, __NV_NOSAT, Format::e5m2),
    FP8C_E8M0("e8m0_rz_satfinite", __NV_SATFINITE, cudaRoundZero, kRz),
    FP8C_E8M0("e8m0_rz_nosat", __NV_NOSAT, cudaRoundZero, kRz),
    FP8C_E8M0("e8m0_ru_satfinite", __NV_SATFINITE, cudaRoundPosInf, kRu),
    FP8C_E8M0("e8m0_ru_nosat", __NV_NOSAT, cudaRoundPosInf, kRu),
    FP8C_FP6("e2m3_rn", __NV_E2M3, cudaRoundNearest, kRn, Format::e2m3fn),
    FP8C_FP6("e2m3_rz", __NV_E2M3, cudaRoundZero, kRz, Format::e2m3fn),
    FP8C_FP6("e3m2_rn", __NV_E3M2, cudaRoundNearest, kRn, Format::e3m2fn),
    FP8C_FP6("e3m2_rz", __NV_E3M2, cudaRoundZero, kRz, Format::e3m2fn),
    FP8C_FP4("e2m1_rn", cudaRoundNearest, kRn),
    FP8C_FP4("e2m1_rz", cudaRoundZero, kRz),
    FP8C_IEEE16("bf16_rn", Format::bf16, kRn, __float2bfloat16_rn,
                [](double x) -> std::uint32_t { return raw(__double2bfloat16(x)); }),
    FP8C_IEEE16("bf16_rz", Format::bf16, kRz, __float2bfloat16_rz, nullptr),
    FP8C_IEEE16("bf16_ru", Format::bf16, kRu, __float2bfloat16_ru, nullptr),
    FP8C_IEEE16("bf16_rd", Format::bf16, kRd, __float2bfloat16_rd, nullptr),
    FP8C_IEEE16("fp16_rn", Format::fp16, kRn, __float2half_rn,
                [](double x) -> std::uint32_t { return raw(__double2half(x)); }),
    FP8C_IEEE16("fp16_rz", Format::fp16, kRz, __float2half_rz, nullptr),
    FP8C_IEEE16("fp16_ru", Format::fp16, kRu, __float2half_ru, nullptr),
    FP8C_IEEE16("fp16_rd", Format::fp16, kRd, __float2half_rd, nullptr),
};
#undef FP8C_FP8
#undef FP8C_E8M0
#undef FP8C_FP6
#undef FP8C_FP4
#undef FP8C_IEEE16

const Format kCudaFormats[] = {Format::e4m3fn, Format::e5m2,   Format::e8m0fnu, Format::e2m3fn,
                               Format::e3m2fn, Format::e2m1fn, Format::bf16,    Format::fp16};

// Ascending non-negative finite values of f (decode is checked against CUDA below).
std::vector<double> finite_magnitudes(Format f) {
  const FormatSpec s = format_spec(f);
  std::vector<double> v;
  for (std::uint32_t c = 0; c <= s.max_magnitude_code(); ++c) v.push_back(decode(f, c));
  return v;
}

const std::uint32_t kNanBits[] = {0x7FC00000u, 0x7FC00001u, 0x7FFFFFFFu, 0x7F800001u,
                                  0x7FA00000u, 0x7FE00000u, 0x7F900000u};

// Structured float inputs for all CUDA formats at once, both signs: every value, its
// float neighbours, every midpoint (incl. 0|min_sub and max|max+ulp) and its neighbours,
// every power of two in float range and its neighbours, +-0, +-inf, NaNs.
std::vector<float> structured_floats() {
  std::vector<float> pos;
  const float inf = std::numeric_limits<float>::infinity();
  auto with_neighbours = [&](float x) {
    pos.insert(pos.end(), {x, std::nextafter(x, 0.0f), std::nextafter(x, inf)});
  };
  for (Format f : kCudaFormats) {
    std::vector<double> v = finite_magnitudes(f);
    const bool powers_of_two = format_spec(f).rule == SpecialRule::e8m0;
    v.push_back(powers_of_two ? 2 * v.back() : 2 * v.back() - v[v.size() - 2]);  // next above max
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] <= std::numeric_limits<float>::max()) with_neighbours(static_cast<float>(v[i]));
      if (i > 0) with_neighbours(static_cast<float>((v[i - 1] + v[i]) / 2));  // exact midpoint
    }
  }
  for (int k = -149; k <= 127; ++k) with_neighbours(std::ldexp(1.0f, k));
  pos.insert(pos.end(), {std::numeric_limits<float>::max(), inf});
  std::vector<float> all;
  for (float x : pos) all.insert(all.end(), {x, -x});
  for (std::uint32_t b : kNanBits) all.insert(all.end(), {float_from_bits(b), float_from_bits(b | 0x80000000u)});
  return all;
}

std::vector<float> test_floats() {
  std::vector<float> all = structured_floats();
  SplitMix64 rng{0xF8C0DEC0FFEEull};
  for (int i = 0; i < 1'000'000; ++i) {  // 2M random float bit patterns
    const std::uint64_t r = rng.next();
    all.insert(all.end(), {float_from_bits(static_cast<std::uint32_t>(r)), float_from_bits(r >> 32)});
  }
  return all;
}

// Doubles: the floats, +-1 double ulp around each structured float, and random
// doubles both log-uniform over [2^-160, 2^140) and as raw bit patterns.
std::vector<double> test_doubles() {
  std::vector<double> all;
  const double inf = std::numeric_limits<double>::infinity();
  for (float x : structured_floats()) {
    const double d = x;
    all.insert(all.end(), {d, std::nextafter(d, -inf), std::nextafter(d, inf)});
  }
  SplitMix64 rng{0xD0B1E5EEDull};
  for (int i = 0; i < 1'000'000; ++i) {
    const std::uint64_t r = rng.next();
    const std::uint64_t exponent = 1023 - 160 + ((r >> 52) & 0x7FF) % 300;  // 2^-160 .. 2^139
    all.push_back(double_from_bits((r & 0x800FFFFFFFFFFFFFull) | (exponent << 52)));
    if (i % 4 == 0) all.push_back(double_from_bits(rng.next()));
  }
  return all;
}

// Collects disagreements: a count and the first few, printable.
struct Mismatches {
  std::size_t count = 0;
  std::ostringstream examples;
  void add(const char* what, double x, std::uint32_t cuda, std::uint32_t ours) {
    if (count++ < 8)
      examples << "  " << what << " x=" << std::hexfloat << x << std::defaultfloat << " cuda=0x"
               << std::hex << cuda << " fp8check=0x" << ours << std::dec << "\n";
  }
};

// For formats with no inf and no NaN the overflow settings must not change anything.
std::vector<EncodeOptions> equivalent_options(const CudaConversion& c) {
  std::vector<EncodeOptions> out{c.options};
  if (format_spec(c.format).rule == SpecialRule::finite)
    for (bool sat : {false, true})
      for (bool clamp : {false, true})
        if (sat != c.options.saturate_finite || clamp != c.options.clamp_inf)
          out.push_back({c.options.rounding, sat, clamp});
  return out;
}

void compare(const CudaConversion& c, const EncodeOptions& o, double x, std::uint32_t cuda,
             const char* what, Mismatches& m) {
  const std::uint32_t ours = encode(c.format, x, o);
  const bool same = std::isnan(x) && format_spec(c.format).has_nan()
                        ? is_nan_code(c.format, cuda) && is_nan_code(c.format, ours)
                        : cuda == ours;
  if (!same) m.add(what, x, cuda, ours);
}

class CudaHostEncode : public ::testing::TestWithParam<CudaConversion> {};

TEST_P(CudaHostEncode, MatchesCuda) {
  static const std::vector<float> floats = test_floats();
  static const std::vector<double> doubles = test_doubles();
  const CudaConversion& c = GetParam();
  const std::vector<EncodeOptions> options = equivalent_options(c);
  std::vector<Mismatches> m(options.size());
  for (float x : floats) {
    const std::uint32_t cuda = c.from_float(x);
    for (std::size_t i = 0; i < options.size(); ++i) compare(c, options[i], x, cuda, "float", m[i]);
  }
  if (c.from_double)
    for (double x : doubles) {
      const std::uint32_t cuda = c.from_double(x);
      for (std::size_t i = 0; i < options.size(); ++i) compare(c, options[i], x, cuda, "double", m[i]);
    }
  for (std::size_t i = 0; i < options.size(); ++i)
    EXPECT_EQ(m[i].count, 0u) << c.name << " saturate_finite=" << options[i].saturate_finite
                              << " clamp_inf=" << options[i].clamp_inf << "\n" << m[i].examples.str();
}

TEST_P(CudaHostEncode, NanCodeIsCudasFloatPathChoice) {
  const CudaConversion& c = GetParam();
  const FormatSpec s = format_spec(c.format);
  const std::uint32_t canonical = c.from_float(float_from_bits(kNanBits[0]));
  for (std::uint32_t b : kNanBits)
    for (std::uint32_t sign : {0u, 0x80000000u}) {
      const float x = float_from_bits(b | sign);
      EXPECT_EQ(encode(c.format, x, c.options), canonical) << c.name << " NaN 0x" << std::hex << (b | sign);
      EXPECT_EQ(c.from_float(x), canonical) << c.name << ": CUDA's float path no longer canonicalises NaN";
    }
  // The documented canonical codes (convert.hpp, detail::nan_code).
  switch (s.rule) {
    case SpecialRule::ieee: case SpecialRule::fn: EXPECT_EQ(canonical, s.magnitude_mask()); break;
    case SpecialRule::e8m0: EXPECT_EQ(canonical, 0xFFu); break;
    case SpecialRule::finite: EXPECT_EQ(canonical, s.max_magnitude_code()); break;
    case SpecialRule::fnuz: ADD_FAILURE() << "CUDA has no fnuz format"; break;
  }
}

// The rows of the table at the top of this file, so that a change on either side shows.
TEST(CudaHostReference, DeliberateDifferences) {
  const double pos_nan = double_from_bits(0x7FF8000000000000ull);   // payload bit 51 set
  const double neg_nan = double_from_bits(0xFFF8000000000000ull);
  const double nan_bit50 = double_from_bits(0x7FF4000000000000ull);  // payload bit 50 set
  for (__nv_saturation_t sat : {__NV_SATFINITE, __NV_NOSAT}) {
    const EncodeOptions o{kRn, sat == __NV_SATFINITE, sat == __NV_SATFINITE};
    EXPECT_EQ(__nv_cvt_double_to_fp8(pos_nan, sat, __NV_E4M3), 0x7F);
    EXPECT_EQ(__nv_cvt_double_to_fp8(neg_nan, sat, __NV_E4M3), 0xFF);
    EXPECT_EQ(encode<Format::e4m3fn>(neg_nan, o), 0x7Fu);
    EXPECT_EQ(__nv_cvt_double_to_fp8(pos_nan, sat, __NV_E5M2), 0x7E);
    EXPECT_EQ(__nv_cvt_double_to_fp8(neg_nan, sat, __NV_E5M2), 0xFE);
    EXPECT_EQ(__nv_cvt_double_to_fp8(nan_bit50, sat, __NV_E5M2), 0x7F);
    for (double x : {pos_nan, neg_nan, nan_bit50}) EXPECT_EQ(encode<Format::e5m2>(x, o), 0x7Fu);
  }
}

// Decoding: every code of every CUDA format, value for value (NaN: both NaN).
float cuda_decode(Format f, std::uint32_t c) {
  const auto fp8 = static_cast<__nv_fp8_storage_t>(c);
  switch (f) {
    case Format::e4m3fn: return __half2float(__half(__nv_cvt_fp8_to_halfraw(fp8, __NV_E4M3)));
    case Format::e5m2: return __half2float(__half(__nv_cvt_fp8_to_halfraw(fp8, __NV_E5M2)));
    case Format::e8m0fnu: return __bfloat162float(__nv_bfloat16(__nv_cvt_e8m0_to_bf16raw(fp8)));
    case Format::e2m3fn: return __half2float(__half(__nv_cvt_fp6_to_halfraw(fp8, __NV_E2M3)));
    case Format::e3m2fn: return __half2float(__half(__nv_cvt_fp6_to_halfraw(fp8, __NV_E3M2)));
    case Format::e2m1fn: return __half2float(__half(__nv_cvt_fp4_to_halfraw(fp8, __NV_E2M1)));
    case Format::bf16: return __bfloat162float(__nv_bfloat16(__nv_bfloat16_raw{static_cast<unsigned short>(c)}));
    case Format::fp16: return __half2float(__half(__half_raw{static_cast<unsigned short>(c)}));
    default: ADD_FAILURE() << "not a CUDA format"; return 0;
  }
}

TEST(CudaHostReference, DecodeMatchesCudaOnEveryCode) {
  for (Format f : kCudaFormats) {
    Mismatches m;
    for (std::uint32_t c = 0; c < format_spec(f).code_count(); ++c) {
      const float cuda = cuda_decode(f, c), ours = static_cast<float>(decode(f, c));
      const bool same = std::isnan(cuda) ? std::isnan(ours) : bits_of_float(cuda) == bits_of_float(ours);
      if (!same || std::isnan(ours) != is_nan_code(f, c)) m.add("code", c, bits_of_float(cuda), bits_of_float(ours));
    }
    EXPECT_EQ(m.count, 0u) << format_spec(f).name << " (values shown as float bits)\n" << m.examples.str();
  }
}

// CUDA's direct bf16 -> e8m0 path (no float in between), on all 2^16 bf16 codes.
TEST(CudaHostReference, E8m0FromEveryBf16MatchesCuda) {
  for (__nv_saturation_t sat : {__NV_SATFINITE, __NV_NOSAT})
    for (cudaRoundMode mode : {cudaRoundZero, cudaRoundPosInf}) {
      const EncodeOptions o{mode == cudaRoundZero ? kRz : kRu, sat == __NV_SATFINITE, sat == __NV_SATFINITE};
      Mismatches m;
      for (std::uint32_t c = 0; c < 0x10000u; ++c) {
        const double x = decode<Format::bf16>(c);
        const std::uint32_t cuda = __nv_cvt_bfloat16raw_to_e8m0(__nv_bfloat16_raw{static_cast<unsigned short>(c)}, sat, mode);
        if (cuda != encode<Format::e8m0fnu>(x, o)) m.add("bf16", x, cuda, encode<Format::e8m0fnu>(x, o));
      }
      EXPECT_EQ(m.count, 0u) << "sat=" << (sat == __NV_SATFINITE) << " rz=" << (mode == cudaRoundZero) << "\n"
                             << m.examples.str();
    }
}

INSTANTIATE_TEST_SUITE_P(AllModes, CudaHostEncode, ::testing::ValuesIn(kConversions),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace fp8check
