#include "tests/gemm_emulated_test_support.hpp"

#include <bit>
#include <cmath>
#include <limits>

#include "harness/core/convert.hpp"
#include "kernels/emulated/gemm_emulated_reference.hpp"

namespace fp8check::test {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A value that depends only on the seed and the logical position.
std::uint64_t hash_at(std::uint64_t seed, std::int64_t batch, std::int64_t i, std::int64_t j) {
  return splitmix64(splitmix64(splitmix64(seed ^ static_cast<std::uint64_t>(batch)) ^ static_cast<std::uint64_t>(i)) ^
                    static_cast<std::uint64_t>(j));
}

std::int64_t blocks(std::int64_t extent, int block) { return block > 0 ? (extent + block - 1) / block : 1; }

// A finite code of f from random bits (NaN and inf codes are re-drawn from other bits).
std::uint8_t finite_code(Format f, std::uint64_t h) {
  const std::uint32_t mask = (1u << format_spec(f).bits) - 1u;
  for (int shift = 0; shift < 56; shift += 8) {
    const std::uint32_t code = static_cast<std::uint32_t>(h >> shift) & mask;
    if (!is_nan_code(f, code) && !is_inf_code(f, code)) return static_cast<std::uint8_t>(code);
  }
  return 0;
}

std::uint8_t nan_or_max_code(Format f) {
  const FormatSpec s = format_spec(f);
  return static_cast<std::uint8_t>(s.has_nan() ? detail::nan_code(s) : s.max_magnitude_code());
}

float draw_scale(Scales kind, std::uint64_t h) {
  if (kind == Scales::powers_of_two) return std::ldexp(1.0f, static_cast<int>(h % 5) - 2);
  const float fraction = static_cast<float>((h >> 8) & 0x7FFFFF) / 8388608.0f;  // 23 bits: exact
  return std::ldexp(1.0f + fraction, static_cast<int>(h % 9) - 4);
}

std::int64_t scale_index(const GemmOperand& v, std::int64_t batch, std::int64_t i, std::int64_t j) {
  return batch * v.scales.batch_stride + i * v.scales.stride_mn + j * v.scales.stride_k;
}

}  // namespace

TestOperand make_operand(const OperandSpec& spec, std::uint64_t seed) {
  TestOperand t;
  t.spec = spec;
  GemmOperand& v = t.view;
  v.mn = spec.mn;
  v.k = spec.k;
  v.batches = spec.batches;
  v.k_major = spec.k_major;
  v.ld = (spec.k_major ? spec.k : spec.mn) + spec.ld_pad;
  const std::int64_t lines = spec.k_major ? spec.mn : spec.k;
  v.batch_stride = lines * v.ld;
  const auto size = static_cast<std::size_t>(spec.batches * v.batch_stride);
  const bool integer = spec.type.is_integer();
  const Format f = spec.type.format;
  if (integer) {
    v.storage = ElementStorage::int8_values;
    t.integers.assign(size, 127);  // ld padding: never read
  } else if (spec.store_values) {
    v.storage = ElementStorage::f32_values;
    v.code_format = f;  // the values' format: kernel models read codes
    t.values.assign(size, std::numeric_limits<float>::quiet_NaN());
  } else {
    v.storage = ElementStorage::codes;
    v.code_format = f;
    t.codes.assign(size, nan_or_max_code(f));
  }
  for (std::int64_t b = 0; b < spec.batches; ++b) {
    for (std::int64_t i = 0; i < spec.mn; ++i) {
      for (std::int64_t j = 0; j < spec.k; ++j) {
        const std::uint64_t h = hash_at(seed, b, i, j);
        const auto at = static_cast<std::size_t>(v.element_offset(b, i, j));
        const int small = static_cast<int>(h % 9) - 4;
        if (integer) {
          const int range = spec.type.kind == ElementType::Kind::int8 ? 127 : 7;
          t.integers[at] = static_cast<std::int8_t>(spec.values == Values::small_integers
                                                        ? small
                                                        : static_cast<int>(h % (2 * range + 1)) - range);
          continue;
        }
        const std::uint8_t code = spec.values == Values::small_integers
                                      ? static_cast<std::uint8_t>(encode(f, static_cast<double>(small)))
                                      : finite_code(f, h);
        if (spec.store_values) t.values[at] = static_cast<float>(decode(f, code));
        else t.codes[at] = code;
      }
    }
  }
  v.values = t.values.data();
  v.codes = t.codes.data();
  v.integers = t.integers.data();
  v.tensor_scale = spec.tensor_scale;
  if (!spec.scaled) return t;

  const std::int64_t bmn = blocks(spec.mn, spec.block.mn), bk = blocks(spec.k, spec.block.k);
  v.scales.block = spec.block;
  if (spec.scales_mn_contiguous) {
    v.scales.stride_mn = 1;
    v.scales.stride_k = bmn + spec.scale_ld_pad;
    v.scales.batch_stride = bk * v.scales.stride_k;
  } else {
    v.scales.stride_mn = bk + spec.scale_ld_pad;
    v.scales.stride_k = 1;
    v.scales.batch_stride = bmn * v.scales.stride_mn;
  }
  t.scales.assign(static_cast<std::size_t>(spec.batches * v.scales.batch_stride),
                  std::numeric_limits<float>::quiet_NaN());  // padding: never read
  for (std::int64_t b = 0; b < spec.batches; ++b)
    for (std::int64_t i = 0; i < bmn; ++i)
      for (std::int64_t j = 0; j < bk; ++j)
        t.scales[static_cast<std::size_t>(scale_index(v, b, i, j))] =
            draw_scale(spec.scales, hash_at(seed ^ 0x5CA1E5ull, b, i, j));
  v.scales.data = t.scales.data();
  return t;
}

void TestOperand::poison_rows(std::int64_t batch, std::int64_t first, std::int64_t count) {
  for (std::int64_t i = first; i < first + count; ++i) {
    for (std::int64_t j = 0; j < spec.k; ++j) {
      const auto at = static_cast<std::size_t>(view.element_offset(batch, i, j));
      if (!codes.empty()) codes[at] = nan_or_max_code(spec.type.format);
      if (!values.empty()) values[at] = std::numeric_limits<float>::quiet_NaN();
    }
    if (!spec.scaled || spec.block.mn != 1) continue;  // a wider scale block is shared with valid rows
    for (std::int64_t j = 0; j < blocks(spec.k, spec.block.k); ++j)
      scales[static_cast<std::size_t>(scale_index(view, batch, i, j))] = std::numeric_limits<float>::quiet_NaN();
  }
}

void TestOperand::set_k_block_scales(std::int64_t j, float value) {
  for (std::int64_t b = 0; b < spec.batches; ++b)
    for (std::int64_t i = 0; i < blocks(spec.mn, spec.block.mn); ++i)
      scales[static_cast<std::size_t>(scale_index(view, b, i, j))] = value;
}

GemmProblem dense_problem(std::int64_t m, std::int64_t n, std::int64_t k) {
  GemmProblem p;
  p.m = m;
  p.n = n;
  p.k = k;
  return p;
}

double fp64_element(const GemmProblem& p, const GemmOperand& a, const GemmOperand& b, std::int64_t a_batch,
                    std::int64_t b_batch, std::int64_t row, std::int64_t n) {
  double sum = 0;
  for (std::int64_t k = 0; k < p.k; ++k)
    sum += a.element(a_batch, row, k) * b.element(b_batch, n, k) * static_cast<double>(a.scale(a_batch, row, k)) *
           static_cast<double>(b.scale(b_batch, n, k));
  double t = static_cast<double>(p.alpha) * (sum * (static_cast<double>(a.tensor_scale) * b.tensor_scale));
  if (p.beta != 0.0f) t += static_cast<double>(p.beta) * p.c[a_batch * p.c_batch_stride + row * p.ldc + n];
  if (p.bias != nullptr) t += p.bias[n];
  return t;
}

GemmOutput run_fast(const GemmProblem& p, const TestOperand& a, const TestOperand& b, const GemmConfig& c,
                    const AccumulationModel& m, int threads, GemmFault fault, SimdPath path) {
  GemmOutput out;
  detail::gemm_emulated_on(path, p, a.view, b.view, c, m, out, threads, fault);
  return out;
}

GemmOutput run_reference(const GemmProblem& p, const TestOperand& a, const TestOperand& b, const GemmConfig& c,
                         const AccumulationModel& m, GemmFault fault) {
  GemmOutput out;
  gemm_emulated_reference(p, a.view, b.view, c, m, out, fault);
  return out;
}

::testing::AssertionResult same_bits(const GemmOutput& x, const GemmOutput& y) {
  if (x.type != y.type || x.batches != y.batches || x.rows != y.rows || x.cols != y.cols)
    return ::testing::AssertionFailure() << "outputs differ in type or shape";
  for (std::int64_t b = 0; b < x.batches; ++b)
    for (std::int64_t r = 0; r < x.rows; ++r)
      for (std::int64_t c = 0; c < x.cols; ++c)
        if (x.at(b, r, c) != y.at(b, r, c))
          return ::testing::AssertionFailure() << "D[" << b << "," << r << "," << c << "]: " << x.value(b, r, c)
                                               << " (0x" << std::hex << x.at(b, r, c) << ") vs " << std::dec
                                               << y.value(b, r, c) << " (0x" << std::hex << y.at(b, r, c) << ")";
  const bool amax_same = std::bit_cast<std::uint64_t>(x.amax) == std::bit_cast<std::uint64_t>(y.amax) ||
                         (std::isnan(x.amax) && std::isnan(y.amax));
  if (!amax_same) return ::testing::AssertionFailure() << "amax " << x.amax << " vs " << y.amax;
  return ::testing::AssertionSuccess();
}

std::vector<SimdPath> available_paths() {
  std::vector<SimdPath> paths{SimdPath::scalar};
  if (cpu_has_avx2()) paths.push_back(SimdPath::avx2);
  return paths;
}

}  // namespace fp8check::test
