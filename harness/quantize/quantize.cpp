#include "harness/quantize/quantize.hpp"

#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "harness/core/convert_bulk.hpp"
#include "harness/core/error.hpp"
#include "harness/quantize/block_scale.hpp"
#include "harness/quantize/convention_math.hpp"
#include "harness/quantize/element_codec.hpp"
#include "harness/quantize/quantize_scale_avx2.hpp"

namespace fp8check {
namespace {

std::string coordinate(std::int64_t i, std::int64_t j) {
  return "(" + std::to_string(i) + ", " + std::to_string(j) + ")";
}

void check_options(const Eigen::Ref<const MatrixD>& x, const Recipe& recipe, const QuantizeOptions& o) {
  const auto fail = [&](const std::string& what) { throw InputError("quantize with " + recipe.name() + ": " + what); };
  const ScalePolicy& p = o.scale;
  const bool float_scales = recipe.scale_type() == ScaleType::fp32 || recipe.scale_type() == ScaleType::fp16;
  if (!float_scales && p.meaning != ScaleMeaning::dequant)
    fail("scale meaning 'quant' applies to fp32/fp16 scales; " + std::string(scale_type_name(recipe.scale_type())) +
         " scales are dequantization multipliers by definition (expected meaning dequant)");
  if (!float_scales && p.pow2 != Pow2Scale::none)
    fail("power-of-two scale rounding applies to fp32/fp16 scales; " +
         std::string(scale_type_name(recipe.scale_type())) + " scales have their own rule (expected pow2 none)");
  if (p.format_max && !(std::isfinite(*p.format_max) && *p.format_max > 0))
    fail("format max " + std::to_string(*p.format_max) + " is not valid: expected a finite value > 0");
  if (!(p.nvfp4_scale_max > 0 && p.nvfp4_scale_max <= 448))
    fail("NVFP4 scale max " + std::to_string(p.nvfp4_scale_max) + " is not valid: expected 0 < max <= 448");
  const std::int64_t elements = x.rows() * x.cols();
  const bool stochastic = p.element_encode.rounding == Rounding::stochastic;
  if (stochastic != !o.random_bits.empty() ||
      (stochastic && static_cast<std::int64_t>(o.random_bits.size()) != elements))
    fail("random_bits holds " + std::to_string(o.random_bits.size()) + " words: expected " +
         (stochastic ? std::to_string(elements) + " (one per element) for stochastic rounding"
                     : std::string("none (rounding is not stochastic)")));
  if (recipe.scheme == ScalingScheme::delayed) {
    if (o.history == nullptr) fail("a delayed recipe needs an amax history (QuantizeOptions::history)");
    if (!(o.history->settings() == recipe.delayed))
      fail("the amax history keeps " + std::to_string(o.history->settings().history_len) + " steps (" +
           std::string(amax_compute_name(o.history->settings().compute)) + ", margin " +
           std::to_string(o.history->settings().margin) + "): expected the recipe's settings");
  } else if (o.history != nullptr) {
    fail("an amax history applies only to delayed recipes");
  }
  check_convention(recipe, p);
}

void check_shape(const Eigen::Ref<const MatrixD>& x, const Recipe& recipe, const QuantizeOptions& o,
                 const ScaleLayout& layout) {
  const std::string shape = std::to_string(x.rows()) + "x" + std::to_string(x.cols());
  if (o.require_full_blocks && (x.rows() % layout.block.rows != 0 || x.cols() % layout.block.cols != 0))
    throw InputError("quantize with " + recipe.name() + ": shape " + shape + " is not a whole number of " +
                     block_shape_name(layout.block) + " blocks: expected rows divisible by " +
                     std::to_string(layout.block.rows) + " and cols by " + std::to_string(layout.block.cols) +
                     " (or allow partial edge blocks)");
  if (o.nan == NanPolicy::propagate && !recipe.element.is_integer()) return;
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (std::int64_t j = 0; j < x.cols(); ++j)
      if (std::isnan(x(i, j)))
        throw InputError("quantize with " + recipe.name() + ": element " + coordinate(i, j) + " of the " + shape +
                         " input is NaN: expected finite values or inf" +
                         (recipe.element.is_integer() ? " (integer codes cannot hold NaN)" : " (or NaN propagation)"));
}

// Block amax over the valid elements only, as the convention folds it (exact: NaN ignored).
double block_amax(const Eigen::Ref<const MatrixD>& x, const ScaleLayout& l, std::int64_t gi, std::int64_t gj,
                  const ConventionArith& arith) {
  const std::int64_t i_end = std::min(x.rows(), (gi + 1) * l.block.rows);
  const std::int64_t j0 = gj * l.block.cols, j_end = std::min(x.cols(), j0 + l.block.cols);
  double amax = 0;
  for (std::int64_t i = gi * l.block.rows; i < i_end; ++i)
    for (std::int64_t j = j0; j < j_end; ++j) amax = fold_amax(arith, amax, x(i, j));
  return amax;
}

// The same value, faster: the exact fold in four independent chains (a maximum that
// ignores NaN does not depend on the order it is taken in), finished by the convention
// (convention_math.hpp's finish_block_amax, which the CUDA quantize kernels share).
double block_amax_fast(const Eigen::Ref<const MatrixD>& x, const ScaleLayout& l, std::int64_t gi, std::int64_t gj,
                       const ConventionArith& arith) {
  const ConventionArith exact{};
  const std::int64_t i_end = std::min(x.rows(), (gi + 1) * l.block.rows);
  const std::int64_t j0 = gj * l.block.cols, n = std::min(x.cols(), j0 + l.block.cols) - j0;
  double m[4] = {0, 0, 0, 0};
  bool nan = false;
  for (std::int64_t i = gi * l.block.rows; i < i_end; ++i) {
    const double* row = x.data() + i * x.outerStride() + j0;
    std::int64_t j = 0;
    for (; j + 4 <= n; j += 4)
      for (int k = 0; k < 4; ++k) {
        m[k] = fold_amax(exact, m[k], row[j + k]);
        nan |= row[j + k] != row[j + k];
      }
    for (; j < n; ++j) {
      m[0] = fold_amax(exact, m[0], row[j]);
      nan |= row[j] != row[j];
    }
  }
  const double amax = fold_amax(exact, fold_amax(exact, m[0], m[1]), fold_amax(exact, m[2], m[3]));
  return finish_block_amax(arith, amax, nan);
}

}  // namespace

void check_convention(const Recipe& recipe, const ScalePolicy& policy) {
  const QuantConvention& c = policy.convention;
  const std::string name(convention_name(c.id));
  if (c.amax_floor && !(std::isfinite(*c.amax_floor) && *c.amax_floor >= 0))
    throw InputError("amax floor " + std::to_string(*c.amax_floor) + " of convention " + name +
                     " is not valid: expected a finite value >= 0");
  if (c.id == ConventionId::exact) return;
  if (recipe.scale_type() != ScaleType::fp32 || recipe.scheme == ScalingScheme::nvfp4)
    throw InputError("convention " + name + " applies to fp32 scales (recipes tensor, delayed, row, col, vec<N>, "
                     "blk<R>x<C>); recipe " + recipe.name() + " has " +
                     std::string(scale_type_name(recipe.scale_type())) + " scales: expected convention exact");
  if (convention_arith(c).unit_scale_for_degenerate_amax && policy.zero_block != ZeroBlockScale::one)
    throw InputError("convention " + name + " gives all-zero blocks the scale 1 (compute_scale_from_amax): " +
                     "expected zero-block scale one");
}

ScaleLayout check_quantize_arguments(Eigen::Ref<const MatrixD> x, const Recipe& recipe, const QuantizeOptions& options) {
  recipe.validate();
  if (x.rows() < 1 || x.cols() < 1)
    throw InputError("quantize with " + recipe.name() + ": the input is " + std::to_string(x.rows()) + "x" +
                     std::to_string(x.cols()) + ": expected at least one element");
  check_options(x, recipe, options);
  const ScaleLayout layout =
      make_scale_layout(x.rows(), x.cols(), recipe.block, options.order, scale_type_bytes(recipe.scale_type()));
  check_shape(x, recipe, options, layout);
  return layout;
}

std::string_view nan_policy_name(NanPolicy p) { return p == NanPolicy::propagate ? "propagate" : "reject"; }

NanPolicy parse_nan_policy(std::string_view name) {
  if (name == "propagate") return NanPolicy::propagate;
  if (name == "reject") return NanPolicy::reject;
  throw InputError("unknown NaN policy '" + std::string(name) + "': expected propagate or reject");
}

double tensor_amax(Eigen::Ref<const MatrixD> x) {
  double amax = 0;
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (std::int64_t j = 0; j < x.cols(); ++j)
      if (const double a = std::fabs(x(i, j)); a > amax) amax = a;  // NaN compares false: ignored
  return amax;
}

namespace {

// The bulk path: scaled values rounded to odd into float (round_to_odd_float), encoded a
// row segment at a time by the float codec (convert_bulk.hpp: AVX2 where the CPU has it,
// encode<F> otherwise). Bit-identical to encoding each scaled double alone for every
// float element format and rounding but stochastic; integers keep the element codec.
bool bulk_encode_covers(const Recipe& recipe, const QuantizeOptions& o) {
  return !recipe.element.is_integer() && o.scale.element_encode.rounding != Rounding::stochastic;
}

// The AVX2 + FMA scaling kernels (quantize_scale_avx2.hpp): on the bulk codec's avx2 path
// (so FP8CHECK_SIMD=scalar turns them off too), with FMA, under the default FP environment.
bool simd_scaling_available() {
#if FP8C_HAVE_AVX2_KERNELS
  static const bool cpu = active_simd_path() == SimdPath::avx2 && __builtin_cpu_supports("fma");
  return cpu && detail::avx2_fp_environment_is_default();
#else
  return false;
#endif
}

QuantizedMatrix quantize_blocks(Eigen::Ref<const MatrixD> x, const Recipe& recipe, const QuantizeOptions& options,
                                bool bulk) {
  const ScaleLayout layout = check_quantize_arguments(x, recipe, options);
  const ScalePolicy& policy = options.scale;
  const ScaleType type = recipe.scale_type();

  QuantizedMatrix q{recipe, CodeMatrix(x.rows(), x.cols()), ScaleTensor::zeros(layout, type, policy.meaning), {}};
  double format_max = policy.format_max.value_or(recipe.element.max_magnitude());
  double outer = 1;  // NVFP4: the fp32 tensor scale every block scale multiplies
  if (recipe.scheme == ScalingScheme::nvfp4) {
    ScalePolicy tensor_policy;  // dequantization multiplier, rounded to nearest
    tensor_policy.zero_block = policy.zero_block;
    outer =
        compute_block_scale(tensor_amax(x), policy.nvfp4_scale_max * format_max, ScaleType::fp32, tensor_policy).stored;
    q.tensor_scale = static_cast<float>(outer);
  }
  if (recipe.scheme == ScalingScheme::delayed) format_max = std::ldexp(format_max, -recipe.delayed.margin);

  // fp32 scales go through the host+device arithmetic of the convention (convention_math.hpp);
  // e8m0, e4m3 and fp16 scales have one (exact) rule each (block_scale.hpp).
  const bool fp32_scales = type == ScaleType::fp32;
  const bool quant = policy.meaning == ScaleMeaning::quant;
  const ConventionArith arith = convention_arith(policy.convention);
  const Fp32ScaleRules rules{quant, policy.pow2 == Pow2Scale::round_up, policy.zero_block == ZeroBlockScale::one};
  std::vector<float> row(bulk ? static_cast<std::size_t>(std::min(x.cols(), layout.block.cols)) : 0);
  const bool simd = bulk && simd_scaling_available();
  for (std::int64_t gi = 0; gi < layout.grid_rows; ++gi) {
    for (std::int64_t gj = 0; gj < layout.grid_cols; ++gj) {
      // Delayed scaling: the history's amax (none yet: the zero-block scale, TE's initial 1).
      double amax = recipe.scheme == ScalingScheme::delayed ? options.history->scale_amax().value_or(0.0)
                    : bulk                                  ? block_amax_fast(x, layout, gi, gj, arith)
                                                            : block_amax(x, layout, gi, gj, arith);
      Fp32BlockScale fp32{};
      ScaleFactor factor;
      if (fp32_scales) {
        fp32 = fp32_block_scale(arith, amax, format_max, rules);
        q.scales.set(gi, gj, fp32.stored, 0);
      } else {
        amax = std::max(amax, arith.amax_floor);
        const BlockScale s = compute_block_scale(amax, format_max * outer, type, policy);
        q.scales.set(gi, gj, s.stored, s.code);
        factor = ScaleFactor{static_cast<double>(s.stored) * outer, quant};
      }
      const auto scaled = [&](double v) {
        return fp32_scales ? scale_element(arith, fp32, quant, v) : factor.to_code_domain(v);
      };
      const std::int64_t i_end = std::min(x.rows(), (gi + 1) * layout.block.rows);
      const std::int64_t j0 = gj * layout.block.cols, j_end = std::min(x.cols(), j0 + layout.block.cols);
      const auto n = static_cast<std::size_t>(j_end - j0);
      for (std::int64_t i = gi * layout.block.rows; i < i_end; ++i) {
        if (bulk) {
          const double* xr = x.data() + i * x.outerStride() + j0;
          std::size_t k = 0;
#if FP8C_HAVE_AVX2_KERNELS
          if (simd && fp32_scales && arith.op != ElementOp::exact) {
            const bool divide = arith.op == ElementOp::divide;
            detail::avx2_scale_fp32(xr, n, divide ? fp32.s : fp32.q, divide, static_cast<int>(arith.clamp),
                                    fp32.clamp_limit, row.data());
            k = n;
          } else if (simd) {  // the exact quotient or product, by the stored scale
            const double by = fp32_scales ? static_cast<double>(fp32.stored) : factor.value;
            while (k < n) {
              k += detail::avx2_scale_exact(xr + k, n - k, by, quant, row.data() + k);
              for (const std::size_t end = std::min(n, k + 4); k < end; ++k)  // a special group, or the tail
                row[k] = round_to_odd_float(scaled(xr[k]));
            }
          }
#endif
          for (; k < n; ++k) row[k] = round_to_odd_float(scaled(xr[k]));
          encode_array(recipe.element.format, std::span<const float>(row.data(), n),
                       std::span<std::uint8_t>(&q.codes(i, j0), n), policy.element_encode);
          continue;
        }
        for (std::int64_t j = j0; j < j_end; ++j) {
          const std::uint32_t bits =
              options.random_bits.empty() ? 0u : options.random_bits[static_cast<std::size_t>(i * x.cols() + j)];
          q.codes(i, j) = encode_element(recipe.element, scaled(x(i, j)), policy.element_encode, bits);
        }
      }
    }
  }
  return q;
}

}  // namespace

QuantizedMatrix quantize(Eigen::Ref<const MatrixD> x, const Recipe& recipe, const QuantizeOptions& options) {
  return quantize_blocks(x, recipe, options, bulk_encode_covers(recipe, options));
}

QuantizedMatrix quantize_reference(Eigen::Ref<const MatrixD> x, const Recipe& recipe, const QuantizeOptions& options) {
  return quantize_blocks(x, recipe, options, false);
}

namespace {

void check_dequantizable(const QuantizedMatrix& q) {
  const ScaleLayout& l = q.scales.layout;
  const CodeMatrix& c = q.codes;
  q.recipe.validate();
  q.scales.check_storage("the scales of a " + q.recipe.name() + " quantized matrix");
  if (c.rows != l.rows || c.cols != l.cols || c.ld < c.cols ||
      static_cast<std::int64_t>(c.codes.size()) < (c.rows - 1) * c.ld + c.cols)
    throw InputError("dequantize " + q.recipe.name() + ": codes are " + std::to_string(c.rows) + "x" +
                     std::to_string(c.cols) + " (ld " + std::to_string(c.ld) + ", " + std::to_string(c.codes.size()) +
                     " bytes) but the scales describe " + describe(l) + ": expected matching shapes");
  if (q.scales.type != q.recipe.scale_type() || q.tensor_scale.has_value() != (q.recipe.scheme == ScalingScheme::nvfp4))
    throw InputError("dequantize " + q.recipe.name() + ": expected " +
                     std::string(scale_type_name(q.recipe.scale_type())) + " scales" +
                     (q.recipe.scheme == ScalingScheme::nvfp4 ? " and a tensor scale" : " and no tensor scale") +
                     ", got " + std::string(scale_type_name(q.scales.type)) + " scales" +
                     (q.tensor_scale ? " and a tensor scale" : ""));
}

ScaleFactor block_factor(const QuantizedMatrix& q, std::int64_t gi, std::int64_t gj) {
  return {static_cast<double>(q.scales.value(gi, gj)) * q.tensor_scale.value_or(1.0f),
          q.scales.meaning == ScaleMeaning::quant};
}

}  // namespace

MatrixD dequantize_reference(const QuantizedMatrix& q) {
  check_dequantizable(q);
  const ScaleLayout& l = q.scales.layout;
  const CodeMatrix& c = q.codes;
  MatrixD out(c.rows, c.cols);
  for (std::int64_t i = 0; i < c.rows; ++i)
    for (std::int64_t j = 0; j < c.cols; ++j) {
      const std::uint8_t code = c(i, j);
      if (is_nan_element(q.recipe.element, code)) {
        out(i, j) = std::nan("");
        continue;
      }
      out(i, j) = block_factor(q, l.block_row(i), l.block_col(j)).from_code_domain(decode_element(q.recipe.element, code));
    }
  return out;
}

// Float formats decode a row at a time through the bulk codec (exact: every value is a
// float; NaN codes decode to NaN and nothing else does), then scale block by block.
MatrixD dequantize(const QuantizedMatrix& q) {
  if (q.recipe.element.is_integer()) return dequantize_reference(q);
  check_dequantizable(q);
  const ScaleLayout& l = q.scales.layout;
  const CodeMatrix& c = q.codes;
  MatrixD out(c.rows, c.cols);
  std::vector<float> row(static_cast<std::size_t>(c.cols));
  for (std::int64_t i = 0; i < c.rows; ++i) {
    decode_array(q.recipe.element.format, std::span<const std::uint8_t>(c.codes.data() + i * c.ld, row.size()), row);
    for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
      const ScaleFactor factor = block_factor(q, l.block_row(i), gj);
      const std::int64_t j_end = std::min(c.cols, (gj + 1) * l.block.cols);
      for (std::int64_t j = gj * l.block.cols; j < j_end; ++j) {
        const float v = row[static_cast<std::size_t>(j)];
        out(i, j) = std::isnan(v) ? std::nan("") : factor.from_code_domain(v);
      }
    }
  }
  return out;
}

}  // namespace fp8check
