#include "kernels/cuda/cublaslt/cublaslt_operands.hpp"

#include <bit>
#include <cmath>
#include <cstring>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/quantize/tiled_scale_layout.hpp"

namespace fp8check::cublaslt {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
std::int64_t round_up(std::int64_t a, std::int64_t b) { return ceil_div(a, b) * b; }

std::vector<std::uint8_t> pack_codes(const GemmOperand& op, const MatrixLayout& l) {
  const std::size_t elements = static_cast<std::size_t>(
      (l.batch_count > 1 ? l.batch_stride * (l.batch_count - 1) : 0) + l.ld * static_cast<std::int64_t>(l.cols));
  if (l.element_bits == 8) return {op.codes, op.codes + elements};
  if (l.element_bits != 4 || elements % 2 != 0)
    throw InternalError("cuBLASLt operands: " + std::to_string(l.element_bits) + "-bit codes, " +
                        std::to_string(elements) + " elements");
  std::vector<std::uint8_t> out(elements / 2);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>((op.codes[2 * i] & 0x0F) | (op.codes[2 * i + 1] & 0x0F) << 4);
  return out;
}

void put_float(std::vector<std::uint8_t>& bytes, std::int64_t index, float v) {
  std::memcpy(bytes.data() + index * 4, &v, 4);
}

// The scale tensor of one operand (`rows` rows along M or N) in the plan's mode.
std::vector<std::uint8_t> pack_scales(const ScaleInput& s, const GemmOperand& op, std::int64_t rows, std::int64_t k) {
  if (!s.bound) return {};
  std::vector<std::uint8_t> out(static_cast<std::size_t>(s.bytes()), 0);
  auto scale = [&](std::int64_t row, std::int64_t k_at) { return op.scale(0, row, k_at); };
  switch (s.mode) {
    case CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F: put_float(out, 0, scale(0, 0)); break;
    case CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F:
      for (std::int64_t i = 0; i < rows; ++i) put_float(out, i, scale(i, 0));
      break;
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F: {
      const std::int64_t ld = round_up(rows, 4);
      for (std::int64_t j = 0; j < ceil_div(k, 128); ++j)
        for (std::int64_t i = 0; i < rows; ++i) put_float(out, j * ld + i, scale(i, j * 128));
      break;
    }
    case CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F: {
      const std::int64_t ld = round_up(ceil_div(k, 128), 4);
      for (std::int64_t i = 0; i < ceil_div(rows, 128); ++i)
        for (std::int64_t j = 0; j < ceil_div(k, 128); ++j) put_float(out, i * ld + j, scale(i * 128, j * 128));
      break;
    }
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0:
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3: {
      const bool mx = s.mode == CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0;
      const std::int64_t block = mx ? 32 : 16, inner = ceil_div(k, block);
      const Format f = mx ? Format::e8m0fnu : Format::e4m3fn;
      std::vector<std::uint8_t> codes(static_cast<std::size_t>(rows * inner));
      for (std::int64_t i = 0; i < rows; ++i)
        for (std::int64_t j = 0; j < inner; ++j) {
          const double v = scale(i, j * block);
          const std::uint32_t code = encode(f, v);
          if (decode(f, code) != v)  // can_implement refuses such scales
            throw InternalError("cuBLASLt operands: scale " + std::to_string(v) + " is not exact in " + format_spec(f).name);
          codes[static_cast<std::size_t>(i * inner + j)] = static_cast<std::uint8_t>(code);
        }
      out = to_tiled_scales(codes.data(), rows, inner, inner, 0);
      break;
    }
    default: throw InternalError("cuBLASLt operands: scale mode " + scale_mode_name(s.mode));
  }
  if (static_cast<std::int64_t>(out.size()) != s.bytes())
    throw InternalError("cuBLASLt operands: " + scale_mode_name(s.mode) + " tensor of " + std::to_string(out.size()) +
                        " bytes, plan says " + std::to_string(s.bytes()));
  return out;
}

// One value in a C/bias/D type: 4 bytes of fp32, 2 of bf16/fp16, 1 of e4m3.
void put_value(std::vector<std::uint8_t>& bytes, std::int64_t index, cudaDataType t, float v) {
  switch (t) {
    case CUDA_R_32F: put_float(bytes, index, v); break;
    case CUDA_R_16BF:
    case CUDA_R_16F: {
      const std::uint16_t code = static_cast<std::uint16_t>(encode(t == CUDA_R_16BF ? Format::bf16 : Format::fp16, v));
      std::memcpy(bytes.data() + index * 2, &code, 2);
      break;
    }
    default: throw InternalError("cuBLASLt operands: C or bias type " + cuda_type_name(t));
  }
}

std::uint32_t get_bits(const std::vector<std::uint8_t>& bytes, std::int64_t index, int element_bits) {
  std::uint32_t v = 0;
  std::memcpy(&v, bytes.data() + index * (element_bits / 8), static_cast<std::size_t>(element_bits / 8));
  return v;
}

}  // namespace

HostBuffers pack_operands(const Plan& plan, const GemmArguments& args) {
  HostBuffers h;
  h.a = pack_codes(args.b, plan.a);
  h.b = pack_codes(args.a, plan.b);
  h.a_scale = pack_scales(plan.a_scale, args.b, plan.m, plan.k);
  h.b_scale = pack_scales(plan.b_scale, args.a, plan.n, plan.k);
  const GemmProblem& p = args.problem;
  h.c.assign(static_cast<std::size_t>(plan.c.bytes()), 0);
  if (p.beta != 0)
    for (std::int64_t b = 0; b < plan.c.batch_count; ++b)
      for (std::int64_t row = 0; row < plan.n; ++row)
        for (std::int64_t col = 0; col < plan.m; ++col) {
          const std::int64_t at = b * plan.c.batch_stride + row * plan.c.ld + col;  // (col, row) of the N x M matrix
          put_value(h.c, at, plan.c.type, p.c[b * p.c_batch_stride + row * p.ldc + col]);
        }
  if (plan.bias_type) {
    h.bias.assign(static_cast<std::size_t>(plan.m * 2), 0);
    for (std::int64_t j = 0; j < plan.m; ++j) put_value(h.bias, j, *plan.bias_type, p.bias[j]);
  }
  h.d_scale = p.d_scale;
  return h;
}

void unpack_output(const Plan& plan, const GemmArguments& args, const std::vector<std::uint8_t>& d, float amax_d,
                   GemmOutput& out) {
  if (d.size() != plan.d.bytes())
    throw InternalError("cuBLASLt D: " + std::to_string(d.size()) + " bytes, plan says " + std::to_string(plan.d.bytes()));
  const OutputType type = args.problem.output;
  double amax = 0;
  for (std::int64_t b = 0; b < plan.d.batch_count; ++b)
    for (std::int64_t row = 0; row < plan.n; ++row)
      for (std::int64_t col = 0; col < plan.m; ++col) {
        const std::uint32_t bits = get_bits(d, b * plan.d.batch_stride + row * plan.d.ld + col, plan.d.element_bits);
        out.at(b, row, col) = bits;
        const double v = output_value(type, bits);
        amax = std::isnan(v) || std::isnan(amax) ? std::nan("") : std::max(amax, std::fabs(v));
      }
  out.amax = plan.amax_d ? static_cast<double>(amax_d) : amax;
}

}  // namespace fp8check::cublaslt
