#include "kernels/emulated/mma/chain_tile.hpp"

#include <algorithm>

#include "harness/core/error.hpp"
#include "kernels/emulated/mma/fp8_chain_gemm.hpp"
#include "kernels/emulated/mma/fp8_chain_kernel.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"

namespace fp8check {
namespace {

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

// The definition: mma_execute per instruction and element.
void scalar_tile(const MmaInstruction& ins, MmaTileOperand a, MmaTileOperand b, std::int64_t rows, std::int64_t cols,
                 std::int64_t depth, std::uint32_t* d, std::ptrdiff_t ldd) {
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) {
      std::uint32_t acc = d[r * ldd + c];
      for (std::int64_t k0 = 0; k0 < depth; k0 += ins.k)
        acc = mma_execute(ins, a.codes + r * a.row_stride + k0 * a.col_stride, a.col_stride,
                          b.codes + k0 * b.row_stride + c * b.col_stride, b.row_stride, acc);
      d[r * ldd + c] = acc;
    }
}

// The same arithmetic with every operand decoded once per tile instead of twice per step
// (bf16 steps, FP8 ones without AVX2): mma_fused_dot_add's alignment (mma_aligned_term)
// and output (mma_round_output) on decoded operands, kept as signed significands and
// exponents; a step with a NaN or inf operand or c is mma_fused_dot_add itself.
void decoded_tile(const MmaInstruction& ins, MmaTileOperand a, MmaTileOperand b, std::int64_t rows, std::int64_t cols,
                  std::int64_t depth, std::uint32_t* d, std::ptrdiff_t ldd, MmaTileScratch& s) {
  const MmaStep step = ins.step();
  const int n = step.count, f = step.fraction_bits;
  const std::int64_t steps = depth / n;
  // A by rows, B by columns: operand (i, k) at i * depth + k; specials per (i, step).
  const auto decode = [&](MmaTileOperand o, Format format, std::int64_t count, bool by_rows, MmaDecodedOperands& out) {
    out.significand.resize(at(count * depth));
    out.exponent.resize(at(count * depth));
    out.special.assign(at(count * steps), 0);
    for (std::int64_t i = 0; i < count; ++i)
      for (std::int64_t k = 0; k < depth; ++k) {
        const std::uint16_t code = by_rows ? o.codes[i * o.row_stride + k * o.col_stride]
                                           : o.codes[k * o.row_stride + i * o.col_stride];
        const MmaOperand x = mma_operand(format, code);
        const auto magnitude = static_cast<std::int32_t>(x.significand);
        out.significand[at(i * depth + k)] = x.negative ? -magnitude : magnitude;
        out.exponent[at(i * depth + k)] = x.exponent;
        out.special[at(i * steps + k / n)] |= x.kind != MmaValueKind::finite;
      }
  };
  decode(a, step.a, rows, true, s.a_decoded);
  decode(b, step.b, cols, false, s.b_decoded);
  const int product_fraction_bits = format_spec(step.a).man_bits + format_spec(step.b).man_bits;
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t col = 0; col < cols; ++col) {
      std::uint32_t acc = d[r * ldd + col];
      for (std::int64_t st = 0; st < steps; ++st) {
        const MmaOperand c = mma_register_operand(step.c, acc);
        if (s.a_decoded.special[at(r * steps + st)] != 0 || s.b_decoded.special[at(col * steps + st)] != 0 ||
            c.kind != MmaValueKind::finite) {
          acc = mma_fused_dot_add(step, a.codes + r * a.row_stride + st * n * a.col_stride, a.col_stride,
                                  b.codes + st * n * b.row_stride + col * b.col_stride, b.row_stride, acc);
          continue;
        }
        const std::int64_t xa = r * depth + st * n, yb = col * depth + st * n;
        const std::int32_t* xs = s.a_decoded.significand.data() + xa;
        const std::int32_t* xe = s.a_decoded.exponent.data() + xa;
        const std::int32_t* ys = s.b_decoded.significand.data() + yb;
        const std::int32_t* ye = s.b_decoded.exponent.data() + yb;
        int e_max = c.exponent;
        for (int i = 0; i < n; ++i) e_max = std::max(e_max, xe[i] + ye[i]);
        std::int64_t sum = mma_aligned_term(c.significand, c.negative, f + c.exponent - e_max - c.fraction_bits);
        const int shift = f - e_max - product_fraction_bits;
        for (int i = 0; i < n; ++i) {
          const std::int64_t product = std::int64_t{xs[i]} * ys[i];
          sum += mma_aligned_term(static_cast<std::uint64_t>(product < 0 ? -product : product), product < 0,
                                  shift + xe[i] + ye[i]);
        }
        acc = mma_round_output(sum, e_max - f, step.d);
      }
      d[r * ldd + col] = acc;
    }
}

#if FP8C_HAVE_FP8_CHAIN_AVX2
// The tables of both FP8 formats, built once.
const detail::CodeTable& table_of(Format f) {
  static const detail::CodeTable e4m3 = detail::code_table(Format::e4m3fn), e5m2 = detail::code_table(Format::e5m2);
  return f == Format::e5m2 ? e5m2 : e4m3;
}

// The scalar model for the one step of one row the lanes do not cover (fp8_chain_kernel.hpp).
struct LaneContext {
  MmaStep step;
  MmaTileOperand a, b;
  std::int64_t col0;
  int lanes;
};

void scalar_step(const void* context, std::int64_t row, std::int64_t s, std::uint32_t* partial) {
  const auto& c = *static_cast<const LaneContext*>(context);
  const std::int64_t k0 = s * c.step.count;
  const std::uint16_t* a = c.a.codes + row * c.a.row_stride + k0 * c.a.col_stride;
  for (int lane = 0; lane < c.lanes; ++lane)
    partial[lane] = mma_fused_dot_add(c.step, a, c.a.col_stride,
                                      c.b.codes + k0 * c.b.row_stride + (c.col0 + lane) * c.b.col_stride,
                                      c.b.row_stride, partial[lane]);
}

// A packed as the panel kernel reads it: blocks of kFp8RowBlock rows, step-major inside a
// block (fp8_chain_kernel.hpp); rows past `rows` stay +0.
void pack_a(const MmaInstruction& ins, MmaTileOperand a, std::int64_t rows, std::int64_t depth, MmaTileScratch& s) {
  constexpr std::int64_t B = detail::kFp8RowBlock;
  const std::int64_t step_k = ins.step().count, steps = depth / step_k, blocks = (rows + B - 1) / B;
  const detail::CodeTable& t = table_of(ins.a);
  s.a_values.assign(static_cast<std::size_t>(blocks * B * depth), 0.0f);
  s.a_exponents.assign(s.a_values.size(), static_cast<std::int8_t>(kMmaZeroExponent));
  s.a_special.assign(static_cast<std::size_t>(blocks * steps * B), 0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t k = 0; k < depth; ++k) {
      const std::uint16_t code = a.codes[r * a.row_stride + k * a.col_stride];
      const std::int64_t slot = ((r / B) * steps + k / step_k) * B + r % B;
      const auto i = static_cast<std::size_t>(slot * step_k + k % step_k);
      s.a_values[i] = t.value[code];
      s.a_exponents[i] = t.exponent[code];
      s.a_special[static_cast<std::size_t>(slot)] |= t.special[code];
    }
}

// Columns col0 .. col0 + lanes of B, k-major, 32 lanes a row; missing lanes stay +0.
void pack_b_panel(const MmaInstruction& ins, MmaTileOperand b, std::int64_t col0, int lanes, std::int64_t depth,
                  MmaTileScratch& s) {
  constexpr std::int64_t L = detail::kFp8PanelLanes;
  const std::int64_t step_k = ins.step().count;
  const detail::CodeTable& t = table_of(ins.b);
  s.b_values.assign(static_cast<std::size_t>(depth * L), 0.0f);
  s.b_exponents.assign(s.b_values.size(), static_cast<std::int8_t>(kMmaZeroExponent));
  s.b_special.assign(static_cast<std::size_t>(depth / step_k), 0);
  for (std::int64_t k = 0; k < depth; ++k)
    for (int lane = 0; lane < lanes; ++lane) {
      const std::uint16_t code = b.codes[k * b.row_stride + (col0 + lane) * b.col_stride];
      const auto i = static_cast<std::size_t>(k * L + lane);
      s.b_values[i] = t.value[code];
      s.b_exponents[i] = t.exponent[code];
      s.b_special[static_cast<std::size_t>(k / step_k)] |= t.special[code];
    }
}

void lane_tile(const MmaInstruction& ins, MmaTileOperand a, MmaTileOperand b, std::int64_t rows, std::int64_t cols,
               std::int64_t depth, std::uint32_t* d, std::ptrdiff_t ldd, MmaTileScratch& s) {
  constexpr std::int64_t B = detail::kFp8RowBlock, L = detail::kFp8PanelLanes;
  const std::int64_t blocks = (rows + B - 1) / B;
  pack_a(ins, a, rows, depth, s);
  for (std::int64_t col0 = 0; col0 < cols; col0 += L) {
    const int lanes = static_cast<int>(std::min(L, cols - col0));
    pack_b_panel(ins, b, col0, lanes, depth, s);
    // The accumulators of this panel in the kernel's layout; lanes past `lanes` stay +0.
    s.accumulators.assign(static_cast<std::size_t>(rows * L), 0u);
    for (std::int64_t r = 0; r < rows; ++r)
      std::copy_n(d + r * ldd + col0, lanes, s.accumulators.begin() + r * L);
    const LaneContext context{ins.step(), a, b, col0, lanes};
    detail::Fp8ChainPanel kernel;
    kernel.a_values = s.a_values.data(), kernel.a_exponents = s.a_exponents.data();
    kernel.a_special = s.a_special.data();
    kernel.b_values = s.b_values.data(), kernel.b_exponents = s.b_exponents.data();
    kernel.b_special = s.b_special.data();
    kernel.k = depth, kernel.m = rows, kernel.step_k = context.step.count;
    kernel.fraction_bits = ins.fraction_bits, kernel.output_bits = ins.d_fraction_bits;
    const detail::Fp8Window whole{0, depth / context.step.count, 0, 0};
    kernel.windows = &whole, kernel.window_count = 1, kernel.promote = false;
    kernel.block_begin = 0, kernel.block_end = blocks;
    kernel.c = s.accumulators.data(), kernel.d = s.accumulators.data();
    kernel.scalar_step = scalar_step, kernel.context = &context;
    detail::fp8_chain_panel_avx2(kernel);
    for (std::int64_t r = 0; r < rows; ++r)
      std::copy_n(s.accumulators.begin() + r * L, lanes, d + r * ldd + col0);
  }
}
#endif

}  // namespace

void mma_chain_tile(const MmaInstruction& ins, MmaTileOperand a, MmaTileOperand b, std::int64_t rows,
                    std::int64_t cols, std::int64_t depth, std::uint32_t* d, std::ptrdiff_t ldd,
                    MmaTileScratch& scratch, ChainGemmPath path) {
  if (ins.scale != MmaScaleKind::none || ins.c != MmaRegister::f32 || depth % ins.k != 0)
    throw InternalError(std::string("mma_chain_tile: ") + ins.name + " over depth " + std::to_string(depth) +
                        ": needs an FP32 accumulator, no block scales and a depth that is a multiple of k");
  if (rows <= 0 || cols <= 0) return;
  if (path == ChainGemmPath::scalar) return scalar_tile(ins, a, b, rows, cols, depth, d, ldd);
#if FP8C_HAVE_FP8_CHAIN_AVX2
  if (detail::fp8_chain_gemm_applies(ins)) return lane_tile(ins, a, b, rows, cols, depth, d, ldd, scratch);
#endif
  decoded_tile(ins, a, b, rows, cols, depth, d, ldd, scratch);
}

}  // namespace fp8check
