#include "kernels/emulated/quantize_fault.hpp"

#include <string>

#include "harness/core/error.hpp"
#include "harness/quantize/block_scale.hpp"

namespace fp8check {
namespace {

// The FNUZ twin of an OCP FP8 format (the one a wrong variant writes); the format itself
// when it has none.
Format fnuz_twin(Format f) {
  if (f == Format::e4m3fn) return Format::e4m3fnuz;
  if (f == Format::e5m2) return Format::e5m2fnuz;
  return f;
}

// Re-encodes every element into the twin format from the same scaled value the reference
// encoded (quantize.cpp's loop, with the twin in place of the declared format).
void write_twin_codes(Eigen::Ref<const MatrixD> x, const QuantizeOptions& o, QuantizedMatrix& q) {
  const ElementType t = q.recipe.element;
  if (t.is_integer() || fnuz_twin(t.format) == t.format) return;
  const Format twin = fnuz_twin(t.format);
  const ScaleLayout& l = q.scales.layout;
  const double outer = q.tensor_scale.value_or(1.0f);
  for (std::int64_t i = 0; i < x.rows(); ++i)
    for (std::int64_t j = 0; j < x.cols(); ++j) {
      const ScaleFactor factor{static_cast<double>(q.scales.value(l.block_row(i), l.block_col(j))) * outer,
                               q.scales.meaning == ScaleMeaning::quant};
      const std::uint32_t bits = o.random_bits.empty() ? 0u : o.random_bits[static_cast<std::size_t>(i * x.cols() + j)];
      q.codes(i, j) = static_cast<std::uint8_t>(encode(twin, factor.to_code_domain(x(i, j)), o.scale.element_encode, bits));
    }
}

// 1/s rounded to the scale type (fp16, e8m0 and e4m3 through their codecs).
void invert_scales(ScaleTensor& s) {
  const ScaleLayout& l = s.layout;
  for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
    for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
      const double inverse = 1.0 / static_cast<double>(s.value(gi, gj));
      switch (s.type) {
        case ScaleType::fp32: s.set(gi, gj, static_cast<float>(inverse)); break;
        case ScaleType::fp16: s.set(gi, gj, decode_f32(Format::fp16, encode(Format::fp16, inverse))); break;
        case ScaleType::e8m0:
        case ScaleType::e4m3: {
          const Format f = s.type == ScaleType::e8m0 ? Format::e8m0fnu : Format::e4m3fn;
          const std::uint32_t code = encode(f, inverse);
          s.set(gi, gj, decode_f32(f, code), static_cast<std::uint8_t>(code));
          break;
        }
      }
    }
}

// The same scales written at the transposed order's offsets, the declared layout kept.
ScaleTensor transposed_storage(const ScaleTensor& s) {
  const ScaleLayout& l = s.layout;
  ScaleTensor out = ScaleTensor::zeros(l, s.type, s.meaning);
  for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
    for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
      const auto slot = static_cast<std::size_t>(l.order == ScaleOrder::row_major ? gj * l.grid_rows + gi
                                                                                   : gi * l.grid_cols + gj);
      out.values[slot] = s.value(gi, gj);
      if (s.has_codes()) out.codes[slot] = s.code(gi, gj);
    }
  return out;
}

}  // namespace

std::string_view quantize_fault_name(QuantizeFault f) {
  switch (f) {
    case QuantizeFault::none: return "none";
    case QuantizeFault::wrong_fp8_variant: return "wrong_fp8_variant";
    case QuantizeFault::no_saturation: return "no_saturation";
    case QuantizeFault::round_toward_zero: return "round_toward_zero";
    case QuantizeFault::round_half_away: return "round_half_away";
    case QuantizeFault::inverted_scale: return "inverted_scale";
    case QuantizeFault::transposed_scale_layout: return "transposed_scale_layout";
  }
  return "?";
}

QuantizeFault parse_quantize_fault(std::string_view name) {
  std::string accepted;
  for (QuantizeFault f : kAllQuantizeFaults) {
    if (quantize_fault_name(f) == name) return f;
    accepted += (accepted.empty() ? "" : ", ") + std::string(quantize_fault_name(f));
  }
  throw InputError("unknown quantize fault '" + std::string(name) + "'; accepted: " + accepted);
}

QuantizedMatrix quantize_with_fault(Eigen::Ref<const MatrixD> x, const Recipe& recipe, const QuantizeOptions& options,
                                    QuantizeFault fault) {
  QuantizeOptions o = options;
  EncodeOptions& encode_options = o.scale.element_encode;
  if (fault == QuantizeFault::no_saturation) encode_options.saturate_finite = encode_options.clamp_inf = false;
  if (fault == QuantizeFault::round_toward_zero && encode_options.rounding == Rounding::nearest_even)
    encode_options.rounding = Rounding::toward_zero;
  if (fault == QuantizeFault::round_half_away && encode_options.rounding == Rounding::nearest_even)
    encode_options.rounding = Rounding::nearest_away;
  QuantizedMatrix q = quantize(x, recipe, o);
  if (fault == QuantizeFault::wrong_fp8_variant) write_twin_codes(x, o, q);
  if (fault == QuantizeFault::inverted_scale) invert_scales(q.scales);
  if (fault == QuantizeFault::transposed_scale_layout) q.scales = transposed_storage(q.scales);
  return q;
}

}  // namespace fp8check
