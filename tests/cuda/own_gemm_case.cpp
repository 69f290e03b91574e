#include "tests/cuda/own_gemm_case.hpp"

#include <cmath>
#include <cstring>

#include "harness/core/convert.hpp"
#include "harness/generate/philox_stream.hpp"
#include "kernels/emulated/gemm_epilogue.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"

namespace fp8check::test {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

std::int64_t stored_rows(const OwnGemmCase& s) {
  switch (s.kind) {
    case GemmKind::grouped_contiguous: {
      std::int64_t total = 0;
      for (std::int64_t r : s.group_rows) total += r;
      return total;
    }
    case GemmKind::grouped_masked: return s.groups * s.m;
    default: return s.m;
  }
}

std::uint8_t nan_code(Format f) { return f == Format::e5m2 ? 0x7F : static_cast<std::uint8_t>(encode(f, std::nan(""))); }

// A finite random code, or with `specials` now and then NaN, inf (e5m2) or the largest value.
std::uint8_t random_code(Format f, std::uint64_t bits, bool specials) {
  if (specials && (bits >> 40) % 61 == 0) {
    switch ((bits >> 50) % 3) {
      case 0: return nan_code(f);
      case 1: return f == Format::e5m2 ? 0x7C : 0x7E;  // +inf (e5m2) or +448
      default: return f == Format::e5m2 ? 0xFB : 0xFE;  // -max
    }
  }
  std::uint8_t code = static_cast<std::uint8_t>(bits);
  if (is_nan_code(f, code) || is_inf_code(f, code)) code = static_cast<std::uint8_t>(code & 0xB7);  // a finite neighbour
  return code;
}

float random_scale(std::uint64_t bits) {
  const int exponent = static_cast<int>(bits % 9) - 4;
  const float mantissa = 1.0f + static_cast<float>((bits >> 8) & 0x7FFFFF) * 0x1p-23f;
  return std::ldexp(mantissa, exponent);
}

}  // namespace

std::vector<OwnGemmInputs::Region> OwnGemmInputs::regions() const {
  std::vector<Region> r = {{a_codes.data(), a_codes.size()}, {b_codes.data(), b_codes.size()}};
  for (const std::vector<float>* v : {&a_scales, &b_scales, &c, &bias})
    if (!v->empty()) r.push_back({v->data(), v->size() * sizeof(float)});
  return r;
}

OwnGemmInputs make_own_gemm_inputs(const OwnGemmCase& s) {
  OwnGemmInputs in;
  in.spec = s;
  const std::int64_t rows = stored_rows(s);
  const std::int64_t a_batches = s.kind == GemmKind::batched ? s.groups : 1;
  const std::int64_t b_batches = s.kind == GemmKind::dense ? 1 : s.groups;
  const std::int64_t out_batches = a_batches;
  const std::int64_t lda = s.k + s.lda_pad, ldb = s.k + s.ldb_pad;
  const PhiloxStream a_bits(s.seed * 16 + 1), b_bits(s.seed * 16 + 2), misc(s.seed * 16 + 3);

  in.a_codes.assign(static_cast<std::size_t>(a_batches * rows * lda), nan_code(s.a_format));
  for (std::int64_t b = 0; b < a_batches; ++b)
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t j = 0; j < s.k; ++j) {
        const std::int64_t at = (b * rows + i) * lda + j;
        in.a_codes[static_cast<std::size_t>(at)] = random_code(s.a_format, a_bits.bits64(static_cast<std::uint64_t>(at)), s.specials);
      }
  in.b_codes.assign(static_cast<std::size_t>(b_batches * s.n * ldb), nan_code(s.b_format));
  for (std::int64_t b = 0; b < b_batches; ++b)
    for (std::int64_t i = 0; i < s.n; ++i)
      for (std::int64_t j = 0; j < s.k; ++j) {
        const std::int64_t at = (b * s.n + i) * ldb + j;
        in.b_codes[static_cast<std::size_t>(at)] = random_code(s.b_format, b_bits.bits64(static_cast<std::uint64_t>(at)), s.specials);
      }

  GemmArguments& args = in.args;
  GemmDesc& d = args.desc;
  d.kind = s.kind;
  d.m = s.kind == GemmKind::grouped_contiguous ? rows : s.m;
  d.n = s.n;
  d.k = s.k;
  d.groups = s.groups;
  d.group_rows = s.group_rows;
  d.a_type = ElementType::of(s.a_format);
  d.b_type = ElementType::of(s.b_format);
  d.d_type = s.output;
  d.a_k_major = d.b_k_major = true;
  d.lda = lda;
  d.ldb = ldb;
  d.alpha = s.alpha;
  d.beta = s.beta;
  d.with_bias = s.bias;

  GemmOperand& a = args.a;
  a = GemmOperand::of_codes(in.a_codes.data(), s.a_format, rows, s.k, true);
  a.ld = lda;
  a.batches = a_batches;
  a.batch_stride = rows * lda;
  GemmOperand& b = args.b;
  b = GemmOperand::of_codes(in.b_codes.data(), s.b_format, s.n, s.k, true);
  b.ld = ldb;
  b.batches = b_batches;
  b.batch_stride = s.n * ldb;

  std::uint64_t next = 0;
  if (s.blocked) {
    const std::int64_t kg = ceil_div(s.k, cuda_index::kBlockedScaleK), nb = ceil_div(s.n, cuda_index::kBlockedScaleK);
    in.a_scales.resize(static_cast<std::size_t>(a_batches * rows * kg));
    in.b_scales.resize(static_cast<std::size_t>(b_batches * nb * kg));
    for (float& v : in.a_scales) v = random_scale(misc.bits64(next++));
    for (float& v : in.b_scales) v = random_scale(misc.bits64(next++));
    d.a_scale = {1, 128};
    d.b_scale = {128, 128};
    a.scales = {in.a_scales.data(), d.a_scale, kg, 1, rows * kg};
    b.scales = {in.b_scales.data(), d.b_scale, kg, 1, nb * kg};
  } else if (s.outer == OuterScales::tensor) {
    in.a_scales.resize(static_cast<std::size_t>(a_batches));
    in.b_scales.resize(static_cast<std::size_t>(b_batches));
    for (float& v : in.a_scales) v = random_scale(misc.bits64(next++));
    for (float& v : in.b_scales) v = random_scale(misc.bits64(next++));
    d.a_scale = d.b_scale = {0, 0};
    a.scales = {in.a_scales.data(), d.a_scale, 0, 0, 1};
    b.scales = {in.b_scales.data(), d.b_scale, 0, 0, 1};
  } else if (s.outer == OuterScales::row_col) {
    in.a_scales.resize(static_cast<std::size_t>(a_batches * rows));
    in.b_scales.resize(static_cast<std::size_t>(b_batches * s.n));
    for (float& v : in.a_scales) v = random_scale(misc.bits64(next++));
    for (float& v : in.b_scales) v = random_scale(misc.bits64(next++));
    d.a_scale = d.b_scale = {1, 0};
    a.scales = {in.a_scales.data(), d.a_scale, 1, 0, rows};
    b.scales = {in.b_scales.data(), d.b_scale, 1, 0, s.n};
  } else {
    d.a_scale = d.b_scale = {0, 0};
  }

  GemmProblem& p = args.problem;
  p.kind = s.kind;
  p.m = s.kind == GemmKind::grouped_contiguous ? rows : s.m;
  p.n = s.n;
  p.k = s.k;
  p.groups = s.groups;
  if (s.kind == GemmKind::grouped_contiguous) {
    p.group_row_offsets.push_back(0);
    for (std::int64_t r : s.group_rows) p.group_row_offsets.push_back(p.group_row_offsets.back() + r);
  }
  if (s.kind == GemmKind::grouped_masked) p.masked_m = s.group_rows;
  p.alpha = s.alpha;
  p.beta = s.beta;
  p.output = s.output;
  p.d_scale = s.d_scale;
  if (s.beta != 0.0f) {
    in.c.resize(static_cast<std::size_t>(out_batches * rows * s.n));
    for (float& v : in.c) {
      const std::uint64_t bits = misc.bits64(next++);
      v = random_scale(bits) * ((bits >> 60) & 1 ? -1.0f : 1.0f);
    }
    p.c = in.c.data();
    p.ldc = s.n;
    p.c_batch_stride = rows * s.n;
  }
  if (s.bias) {
    in.bias.resize(static_cast<std::size_t>(s.n));
    for (float& v : in.bias) {
      const std::uint64_t bits = misc.bits64(next++);
      v = random_scale(bits) * ((bits >> 60) & 1 ? -1.0f : 1.0f);
    }
    p.bias = in.bias.data();
  }
  args.config = s.config;
  args.validate();
  return in;
}

GemmOutput own_gemm_reference(const OwnGemmInputs& in, const KernelModel& model, cuda_index::GemmPath path) {
  const GemmArguments& args = in.args;
  const GemmProblem& p = args.problem;
  const GemmOperand& a = args.a;
  const GemmOperand& b = args.b;
  const bool native = path == cuda_index::GemmPath::native;
  const MmaInstruction ins = native ? model.instruction(a.code_format, b.code_format) : model.instruction(Format::bf16, Format::bf16);
  const std::int64_t step = ins.k;
  const bool blocked = a.k_blocked() || b.k_blocked();
  const std::int64_t group = blocked ? (a.k_blocked() ? a.scales.block.k : b.scales.block.k) : 0;
  const int splits = args.config.split_k;
  // docs/accumulation.md, "Segments": L = ceil(ceil(K / S) / block_k) * block_k.
  const std::int64_t length = ceil_div(ceil_div(p.k, splits), args.config.block_k) * args.config.block_k;
  const auto code = [&](const GemmOperand& op, std::int64_t batch, std::int64_t mn, std::int64_t k) -> std::uint16_t {
    if (k >= p.k) return 0;  // the kernel's zero-filled tail of the last instruction
    const std::uint8_t c = op.codes[op.element_offset(batch, mn, k)];
    return native ? c : static_cast<std::uint16_t>(encode<Format::bf16>(decode(op.code_format, c)));
  };

  GemmOutput out;
  out.prepare_for(p);
  double amax = 0.0;
  const auto element = [&](std::int64_t a_batch, std::int64_t b_batch, std::int64_t row, std::int64_t col) {
    float partials[64];
    for (int s = 0; s < splits; ++s) {
      const std::int64_t begin = std::min(p.k, s * length), end = std::min(p.k, (s + 1) * length);
      std::uint32_t partial = 0;
      float sum = 0.0f;
      for (std::int64_t k0 = begin; k0 < end; k0 += step) {
        std::uint16_t av[64], bv[64];
        for (std::int64_t i = 0; i < step; ++i) {
          av[i] = code(a, a_batch, row, k0 + i);
          bv[i] = code(b, b_batch, col, k0 + i);
        }
        partial = mma_execute(ins, av, 1, bv, 1, partial);
        const std::int64_t k_end = k0 + step;
        if (k_end >= end || (k_end - begin) % 128 == 0 || (group > 0 && k_end % group == 0)) {
          float part;
          std::memcpy(&part, &partial, 4);
          if (blocked) {
            const std::int64_t g = (k_end - 1) / group;
            const float sa = a.k_blocked() ? a.scale_of_group(a_batch, row, g) : a.scale(a_batch, row, 0);
            const float sb = b.k_blocked() ? b.scale_of_group(b_batch, col, g) : b.scale(b_batch, col, 0);
            sum = std::fma(sa * sb, part, sum);
          } else {
            sum = sum + part;
          }
          partial = 0;
        }
      }
      partials[s] = sum;
    }
    const float acc = detail::reduce_partials(partials, splits, 1, args.config.reduction);
    const float sa = blocked ? 1.0f : a.scale(a_batch, row, 0), sb = blocked ? 1.0f : b.scale(b_batch, col, 0);
    const float* c = p.beta != 0.0f ? p.c + a_batch * p.c_batch_stride + row * p.ldc + col : nullptr;
    const detail::Epilogued e = detail::epilogue<float>(p, acc, sa, sb, a.tensor_scale * b.tensor_scale, c,
                                                        p.bias ? p.bias + col : nullptr);
    out.at(a_batch, row, col) = e.bits;
    amax = detail::amax_combine(amax, e.magnitude);
  };
  const auto rows_of = [&](std::int64_t a_batch, std::int64_t b_batch, std::int64_t first, std::int64_t count) {
    for (std::int64_t r = first; r < first + count; ++r)
      for (std::int64_t col = 0; col < p.n; ++col) element(a_batch, b_batch, r, col);
  };
  switch (p.kind) {
    case GemmKind::dense: rows_of(0, 0, 0, p.m); break;
    case GemmKind::batched:
      for (std::int64_t g = 0; g < p.groups; ++g) rows_of(g, g, 0, p.m);
      break;
    case GemmKind::grouped_contiguous:
      for (std::int64_t g = 0; g < p.groups; ++g)
        rows_of(0, g, p.group_row_offsets[g], p.group_row_offsets[g + 1] - p.group_row_offsets[g]);
      break;
    case GemmKind::grouped_masked:
      for (std::int64_t g = 0; g < p.groups; ++g) rows_of(0, g, g * p.m, p.masked_m[g]);
      break;
  }
  out.amax = amax;
  return out;
}

BitDiff compare_output_bits(const OwnGemmInputs& in, const GemmOutput& got, const GemmOutput& want) {
  BitDiff r;
  const GemmProblem& p = in.args.problem;
  for (std::int64_t b = 0; b < got.batches; ++b)
    for (std::int64_t row = 0; row < got.rows; ++row) {
      if (p.kind == GemmKind::grouped_masked && row % p.m >= p.masked_m[static_cast<std::size_t>(row / p.m)]) continue;
      for (std::int64_t col = 0; col < got.cols; ++col) {
        ++r.compared;
        const bool both_nan = std::isnan(got.value(b, row, col)) && std::isnan(want.value(b, row, col));
        if (!both_nan && got.at(b, row, col) != want.at(b, row, col)) {
          if (r.differing++ == 0)
            r.first = "(" + std::to_string(b) + ", " + std::to_string(row) + ", " + std::to_string(col) + "): got 0x" +
                      std::to_string(got.at(b, row, col)) + " want " + std::to_string(want.at(b, row, col));
        }
      }
    }
  r.amax_equal = (std::isnan(got.amax) && std::isnan(want.amax)) || got.amax == want.amax;
  return r;
}

}  // namespace fp8check::test
