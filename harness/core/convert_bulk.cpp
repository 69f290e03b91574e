// Whole-tensor conversion: argument checks, the scalar paths and run-time dispatch.
// The avx2 kernels live in convert_bulk_avx2.cpp, the only file built with -mavx2 -mf16c.
#include "harness/core/convert_bulk.hpp"

#include <array>
#include <bit>
#include <cstdlib>
#include <string>

#include "harness/core/error.hpp"

#if FP8C_HAVE_AVX2_KERNELS
#include <cpuid.h>
#endif

namespace fp8check {
namespace {

// "e4m3fn, e5m2, ..." without bf16/fp16: the formats one byte per code can hold.
std::string byte_format_list() {
  std::string out;
  for (Format f : kAllFormats) {
    if (format_spec(f).bits <= 8) out += (out.empty() ? "" : ", ") + std::string(format_spec(f).name);
  }
  return out;
}

void check_byte_format(const char* function, Format f) {
  const FormatSpec s = format_spec(f);
  if (s.bits > 8) {
    throw InputError(std::string(function) + ": " + s.name + " codes have " + std::to_string(s.bits) +
                     " bits but this function stores one code per byte; accepted formats: " +
                     byte_format_list());
  }
}

void check_same_size(const char* function, const char* what, std::size_t got, std::size_t expected) {
  if (got != expected) {
    throw InputError(std::string(function) + ": " + what + " has " + std::to_string(got) +
                     " elements but the input has " + std::to_string(expected) + "; they must be equal");
  }
}

void check_encode_arguments(Format f, std::size_t in, std::size_t out, EncodeOptions opt,
                            std::size_t random_bits) {
  check_byte_format("encode_array", f);
  check_same_size("encode_array", "the output", out, in);
  if (opt.rounding == Rounding::stochastic) {
    check_same_size("encode_array", "random_bits (stochastic rounding needs one per element)", random_bits, in);
  } else if (random_bits != 0) {
    throw InputError("encode_array: random_bits given but the rounding is not stochastic; pass random bits "
                     "only with Rounding::stochastic (one per element)");
  }
}

// The scalar paths convert between float and double on the integer unit, as convert.hpp
// does everything: a float-unit conversion would follow the caller's MXCSR (DAZ reads a
// subnormal float as 0, FTZ writes 0), and the scalar path is also the fallback for a
// caller whose MXCSR is not the default.
double exact_double(double x) { return x; }
double exact_double(float x) {
  const auto u = std::bit_cast<std::uint32_t>(x);
  const std::uint64_t sign = std::uint64_t{u >> 31} << 63;
  const std::uint32_t exp_field = (u >> 23) & 0xFFu, mantissa = u & 0x7FFFFFu;
  if (exp_field == 0xFFu) return std::bit_cast<double>(sign | (0x7FFull << 52) | (std::uint64_t{mantissa} << 29));
  if (exp_field == 0 && mantissa == 0) return std::bit_cast<double>(sign);
  if (exp_field != 0) {
    return std::bit_cast<double>(sign | (std::uint64_t{exp_field - 127 + 1023} << 52) | (std::uint64_t{mantissa} << 29));
  }
  const int top = std::bit_width(mantissa) - 1;  // subnormal: mantissa * 2^-149, leading bit at `top`
  const std::uint64_t fraction = (std::uint64_t{mantissa} << (52 - top)) & ((std::uint64_t{1} << 52) - 1);
  return std::bit_cast<double>(sign | (std::uint64_t(top - 149 + 1023) << 52) | fraction);
}

// A double that a float holds exactly (every decoded value) -> that float; NaN -> 0x7FC00000.
float exact_float(double x) {
  const auto u = std::bit_cast<std::uint64_t>(x);
  const std::uint32_t sign = static_cast<std::uint32_t>(u >> 63) << 31;
  const int exp_field = static_cast<int>((u >> 52) & 0x7FF);
  const std::uint64_t fraction = u & ((std::uint64_t{1} << 52) - 1);
  if (exp_field == 0x7FF) return std::bit_cast<float>(fraction != 0 ? 0x7FC00000u : sign | 0x7F800000u);
  if (exp_field == 0 && fraction == 0) return std::bit_cast<float>(sign);
  const int e = exp_field - 1023;  // decoded values are normal doubles
  std::uint64_t kept;
  int dropped_bits;
  std::uint32_t bits;
  if (e >= -126) {
    dropped_bits = 29;
    kept = fraction >> dropped_bits;
    bits = sign | (static_cast<std::uint32_t>(e + 127) << 23) | static_cast<std::uint32_t>(kept);
  } else {  // a float subnormal
    dropped_bits = 29 + (-126 - e);
    kept = (fraction | (std::uint64_t{1} << 52)) >> dropped_bits;
    bits = sign | static_cast<std::uint32_t>(kept);
  }
  if (exp_field == 0 || e > 127 || dropped_bits > 52 ||
      (fraction & ((std::uint64_t{1} << dropped_bits) - 1)) != 0) {
    throw InternalError("exact_float: " + std::to_string(x) + " is not a float");
  }
  return std::bit_cast<float>(bits);
}

template <Format F, typename T>
void encode_scalar(std::span<const T> in, std::span<std::uint8_t> out, EncodeOptions opt,
                   std::span<const std::uint32_t> random_bits) {
  if (opt.rounding == Rounding::stochastic) {
    for (std::size_t i = 0; i < in.size(); ++i) {
      out[i] = static_cast<std::uint8_t>(encode<F>(exact_double(in[i]), opt, random_bits[i]));
    }
    return;
  }
  for (std::size_t i = 0; i < in.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(encode<F>(exact_double(in[i]), opt));
  }
}

template <typename T>
void encode_scalar(Format f, std::span<const T> in, std::span<std::uint8_t> out, EncodeOptions opt,
                   std::span<const std::uint32_t> random_bits) {
#define FP8C_CALL(F) return encode_scalar<F, T>(in, out, opt, random_bits)
  FP8C_FORMAT_DISPATCH(f, FP8C_CALL)
#undef FP8C_CALL
}

// decode<F> for all 256 byte values, as floats; every NaN is the canonical 0x7FC00000.
using DecodeTable = std::array<float, 256>;

template <Format F>
DecodeTable make_decode_table() {
  DecodeTable table{};
  for (std::uint32_t code = 0; code < 256; ++code) {
    table[code] = exact_float(decode<F>(code));  // decode<F> ignores the bits above the width
  }
  return table;
}

const DecodeTable& decode_table(Format f) {
  // Built once, on first use (thread-safe static initialisation).
  static const std::array<DecodeTable, kFormatCount> tables = [] {
    std::array<DecodeTable, kFormatCount> all{};
    for (Format g : kAllFormats) {
      if (format_spec(g).bits > 8) continue;
#define FP8C_CALL(F) \
  all[static_cast<int>(g)] = make_decode_table<F>(); \
  break
      FP8C_FORMAT_DISPATCH(g, FP8C_CALL)
#undef FP8C_CALL
    }
    return all;
  }();
  return tables[static_cast<int>(f)];
}

void decode_scalar(Format f, std::span<const std::uint8_t> in, std::span<float> out) {
  const DecodeTable& table = decode_table(f);
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = table[in[i]];
}

// Whether a call on `path` runs the avx2 kernels. They are exact only under the default
// MXCSR (convert_bulk.hpp); under any other setting the call takes the scalar path.
bool avx2_kernels_apply(SimdPath path) {
  if (path == SimdPath::scalar) return false;
  if (!cpu_has_avx2()) {
    throw InputError("the avx2 conversion path was requested but this CPU lacks AVX2 or F16C; accepted: scalar");
  }
#if FP8C_HAVE_AVX2_KERNELS
  return detail::avx2_fp_environment_is_default();
#else
  return false;  // not reached: cpu_has_avx2() is false where the kernels are not built
#endif
}

}  // namespace

std::string_view simd_path_name(SimdPath p) { return p == SimdPath::avx2 ? "avx2" : "scalar"; }

bool cpu_has_avx2() {
#if FP8C_HAVE_AVX2_KERNELS
  // Asked once: CPUID exits to the hypervisor in a virtual machine (microseconds).
  static const bool has_avx2_and_f16c = [] {
    // avx2 through the compiler (which also checks that the OS saves YMM state); F16C from
    // CPUID leaf 1 (clang's __builtin_cpu_supports does not know "f16c").
    __builtin_cpu_init();
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    const bool has_f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
    return __builtin_cpu_supports("avx2") && has_f16c;
  }();
  return has_avx2_and_f16c;
#else
  return false;
#endif
}

SimdPath select_simd_path(const char* env_value, bool cpu_has_avx2) {
  const std::string_view value = env_value == nullptr ? "auto" : env_value;
  if (value == "auto" || value.empty()) return cpu_has_avx2 ? SimdPath::avx2 : SimdPath::scalar;
  if (value == "scalar") return SimdPath::scalar;
  if (value == "avx2") {
    if (cpu_has_avx2) return SimdPath::avx2;
    throw InputError("FP8CHECK_SIMD=avx2 but this CPU lacks AVX2 or F16C; accepted here: scalar, auto");
  }
  throw InputError("FP8CHECK_SIMD=" + std::string(value) + " is not a conversion path; accepted: scalar, avx2, auto");
}

SimdPath active_simd_path() {
  static const SimdPath path = select_simd_path(std::getenv("FP8CHECK_SIMD"), cpu_has_avx2());
  return path;
}

void encode_array(Format f, std::span<const float> in, std::span<std::uint8_t> out, EncodeOptions opt,
                  std::span<const std::uint32_t> random_bits) {
  detail::encode_array_on(active_simd_path(), f, in, out, opt, random_bits);
}

void encode_array(Format f, std::span<const double> in, std::span<std::uint8_t> out, EncodeOptions opt,
                  std::span<const std::uint32_t> random_bits) {
  check_encode_arguments(f, in.size(), out.size(), opt, random_bits.size());
  encode_scalar(f, in, out, opt, random_bits);  // double input: scalar only
}

void decode_array(Format f, std::span<const std::uint8_t> in, std::span<float> out) {
  detail::decode_array_on(active_simd_path(), f, in, out);
}

namespace detail {

void encode_array_on(SimdPath path, Format f, std::span<const float> in, std::span<std::uint8_t> out,
                     EncodeOptions opt, std::span<const std::uint32_t> random_bits) {
  check_encode_arguments(f, in.size(), out.size(), opt, random_bits.size());
#if FP8C_HAVE_AVX2_KERNELS
  if (avx2_kernels_apply(path) && avx2_encode_f32(f, opt, in.data(), out.data(), in.size())) return;
#else
  avx2_kernels_apply(path);  // throws for avx2
#endif
  encode_scalar(f, in, out, opt, random_bits);
}

void decode_array_on(SimdPath path, Format f, std::span<const std::uint8_t> in, std::span<float> out) {
  check_byte_format("decode_array", f);
  check_same_size("decode_array", "the output", out.size(), in.size());
#if FP8C_HAVE_AVX2_KERNELS
  if (avx2_kernels_apply(path) && avx2_decode(f, in.data(), out.data(), in.size())) return;
#else
  avx2_kernels_apply(path);  // throws for avx2
#endif
  decode_scalar(f, in, out);
}

}  // namespace detail
}  // namespace fp8check
