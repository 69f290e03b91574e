#include "harness/exchange/output_readers.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/quantize/element_codec.hpp"
#include "harness/run/gemm_inputs.hpp"  // written_row_blocks

namespace fp8check::exchange {
namespace {

std::string where(const H5Node& entry) { return entry.file() + ": " + entry.path(); }

// "(0, 5, 17)": the index of flat element `flat` of an array of `shape`.
std::string position(const Shape& shape, std::uint64_t flat) {
  Shape index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return shape_text(index);
}

std::string number_text(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

// The dataset's values after checking its kind, element type and shape (what the message
// says the kernel must write).
template <H5Element T>
std::vector<T> read_array(const H5Node& entry, const Shape& shape, const std::string& what) {
  if (entry.is_group()) throw InputError(where(entry) + " is a group: expected a dataset of " + what);
  if (!entry.holds<T>())
    throw InputError(where(entry) + " holds " + entry.type_text() + " values: expected " + what);
  const Shape got = entry.shape();
  if (got != shape)
    throw InputError(where(entry) + " has shape " + shape_text(got) + ": expected " + shape_text(shape) + " (" + what + ")");
  return entry.read<T>(shape);
}

// The bits of `v` in output type `t` when v is one of its values (NaN: the type's NaN).
std::optional<std::uint32_t> exact_bits(OutputType t, float v) {
  if (t == OutputType::fp32) return std::bit_cast<std::uint32_t>(v);
  const Format f = t == OutputType::bf16 ? Format::bf16 : Format::fp16;
  const std::uint32_t code = encode(f, static_cast<double>(v));
  if (std::isnan(v) || decode(f, code) == static_cast<double>(v)) return code;
  return std::nullopt;
}

// Values of a 16/32-bit output type, as their bits; InputError at the first value the
// type cannot hold.
std::vector<std::uint32_t> output_bits(const H5Node& entry, const std::vector<float>& values, const Shape& shape,
                                       OutputType t) {
  std::vector<std::uint32_t> bits(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::optional<std::uint32_t> b = exact_bits(t, values[i]);
    if (!b)
      throw InputError(where(entry) + " element " + position(shape, i) + " = " + number_text(values[i]) + " is not a " +
                       std::string(output_type_name(t)) + " value: expected each output rounded to the case's " +
                       "output_type (" + std::string(output_type_name(t)) + ")");
    bits[i] = *b;
  }
  return bits;
}

[[noreturn]] void nan_filled(const H5Node& entry) {
  throw InputError(where(entry) + " is NaN in every element the case writes: a NaN-filled output (did the kernel run "
                                  "and write its result?)");
}

}  // namespace

void read_gemm_output(const H5Node& entry, const GemmArguments& args, GemmOutput& out) {
  const GemmDesc& d = args.desc;
  const GemmProblem& p = args.problem;
  const Shape shape = gemm_output_shape(d);
  std::vector<bool> written(static_cast<std::size_t>(p.output_batches() * p.stored_rows()), false);
  for (const RowBlock& blk : written_row_blocks(d))
    for (std::int64_t i = blk.first; i < blk.last; ++i) written[static_cast<std::size_t>(i)] = true;

  std::vector<std::uint32_t> bits;
  std::vector<double> values;  // exact, for amax
  double scale = 1;
  if (d.d_type == OutputType::e4m3fn) {
    const std::vector<std::uint8_t> codes = read_array<std::uint8_t>(entry, shape, "uint8 e4m3fn codes");
    if (!entry.has("scale"))
      throw InputError(where(entry) + " has no attribute scale: expected the output scale the codes carry (the case's "
                                      "output_scale, " + number_text(p.d_scale) + ")");
    scale = entry.number("scale");
    if (scale != static_cast<double>(p.d_scale))
      throw InputError(where(entry) + " has scale " + number_text(scale) + ": expected the case's output_scale " +
                       number_text(p.d_scale) + " (D = encode(t * output_scale))");
    bits.assign(codes.begin(), codes.end());
    for (std::uint8_t c : codes) values.push_back(decode(Format::e4m3fn, c));
  } else {
    const std::vector<float> v = read_array<float>(entry, shape, "float32 values");
    bits = output_bits(entry, v, shape, d.d_type);
    values.assign(v.begin(), v.end());
  }

  // Rows the problem writes take the file's values; rows it does not own (masked padding)
  // are "not written" when NaN and keep the pipeline's sentinel, so anything else there
  // counts as written (check "padding rows written").
  const std::int64_t n = d.n;
  double amax = 0;
  std::int64_t nan_count = 0, written_count = 0;
  for (std::size_t row = 0; row < written.size(); ++row)
    for (std::int64_t j = 0; j < n; ++j) {
      const std::size_t i = row * static_cast<std::size_t>(n) + static_cast<std::size_t>(j);
      const bool nan = std::isnan(values[i]);
      if (!written[row]) {
        if (!nan) out.bits[i] = bits[i];
        continue;
      }
      out.bits[i] = bits[i];
      ++written_count;
      nan_count += nan;
      amax = nan || std::isnan(amax) ? std::numeric_limits<double>::quiet_NaN() : std::max(amax, std::fabs(values[i]) / scale);
    }
  if (written_count > 0 && nan_count == written_count) nan_filled(entry);
  out.amax = amax;  // amax_D from the output values (before the output scale)
}

void read_attention_output(const H5Node& entry, const AttentionArguments& args, AttentionOutput& out) {
  const AttentionDesc& d = args.desc;
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  const Shape shape{u(d.batch), u(d.q_heads), u(d.seq_q), u(d.head_dim_v)};
  const std::vector<float> values = read_array<float>(entry, shape, "float32 values");
  out.type = d.o_type;
  out.batch = d.batch;
  out.heads = d.q_heads;
  out.rows = d.seq_q;
  out.cols = d.head_dim_v;
  out.bits = output_bits(entry, values, shape, d.o_type);
  out.lse.clear();
  out.p_max = 0;
  out.p_saturated = 0;
  out.has_internals = false;  // an external kernel returns O only
  if (!values.empty() && std::all_of(values.begin(), values.end(), [](float v) { return std::isnan(v); }))
    nan_filled(entry);
}

QuantizedMatrix read_quantize_output(const H5Node& entry, const QuantizeArguments& args) {
  const Recipe& r = args.recipe;
  const std::int64_t rows = args.x->rows(), cols = args.x->cols();
  const ScaleType type = r.scale_type();
  const ScaleLayout layout = make_scale_layout(rows, cols, r.block, ScaleOrder::row_major, scale_type_bytes(type));
  if (!entry.is_group())
    throw InputError(where(entry) + " is a dataset: expected a group with datasets codes and scales");
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  const Shape code_shape{u(rows), u(cols)}, scale_shape{u(layout.grid_rows), u(layout.grid_cols)};

  QuantizedMatrix q{r, CodeMatrix(rows, cols), ScaleTensor::zeros(layout, type, args.options.scale.meaning), {}};
  const H5Node codes = entry.open("codes", "a dataset codes (" + r.element.name() + ")");
  if (r.element.is_integer()) {
    const int max_int = integer_code_offset(r.element);
    const std::vector<std::int8_t> v = read_array<std::int8_t>(codes, code_shape, "int8 values of " + r.element.name());
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] < -max_int || v[i] > max_int)
        throw InputError(where(codes) + " element " + position(code_shape, i) + " = " + std::to_string(v[i]) +
                         " is not a symmetric " + r.element.name() + " value: expected [-" + std::to_string(max_int) +
                         ", " + std::to_string(max_int) + "]");
      q.codes.codes[i] = static_cast<std::uint8_t>(v[i] + max_int);
    }
  } else {
    const std::vector<std::uint8_t> v = read_array<std::uint8_t>(codes, code_shape, "uint8 codes of " + r.element.name());
    const std::uint32_t count = format_spec(r.element.format).code_count();
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] >= count)
        throw InputError(where(codes) + " element " + position(code_shape, i) + " = " + std::to_string(v[i]) +
                         " is not a " + r.element.name() + " code: expected 0 .. " + std::to_string(count - 1));
      q.codes.codes[i] = v[i];
    }
  }

  const H5Node scales = entry.open("scales", "a dataset scales (" + std::string(scale_kind_name(type)) + ")");
  if (q.scales.has_codes()) {
    const Format f = type == ScaleType::e8m0 ? Format::e8m0fnu : Format::e4m3fn;
    const std::vector<std::uint8_t> v =
        read_array<std::uint8_t>(scales, scale_shape, "uint8 " + std::string(scale_kind_name(type)) + " scale codes");
    for (std::int64_t gi = 0; gi < layout.grid_rows; ++gi)
      for (std::int64_t gj = 0; gj < layout.grid_cols; ++gj) {
        const std::uint8_t c = v[static_cast<std::size_t>(gi * layout.grid_cols + gj)];
        if (type == ScaleType::e4m3 && (c & 0x80u))
          throw InputError(where(scales) + " element " + shape_text({u(gi), u(gj)}) + " = " + std::to_string(c) +
                           " is a negative e4m3 code: expected unsigned (ue4m3) scales, 0 .. 127");
        q.scales.set(gi, gj, static_cast<float>(decode(f, c)), c);
      }
  } else {
    const std::vector<float> v = read_array<float>(scales, scale_shape, "float32 scales");
    for (std::int64_t gi = 0; gi < layout.grid_rows; ++gi)
      for (std::int64_t gj = 0; gj < layout.grid_cols; ++gj) {
        const float s = v[static_cast<std::size_t>(gi * layout.grid_cols + gj)];
        if (type == ScaleType::fp16 && !exact_bits(OutputType::fp16, s))
          throw InputError(where(scales) + " element " + shape_text({u(gi), u(gj)}) + " = " + number_text(s) +
                           " is not an fp16 value: expected the recipe's fp16 scales");
        q.scales.set(gi, gj, s);
      }
  }
  const bool wants_tensor_scale = r.scheme == ScalingScheme::nvfp4;
  if (wants_tensor_scale != entry.has("tensor_scale"))
    throw InputError(where(entry) + (wants_tensor_scale ? " has no attribute tensor_scale: expected NVFP4's fp32 tensor scale"
                                                        : " has an attribute tensor_scale: " + r.name() + " has none"));
  if (wants_tensor_scale) q.tensor_scale = static_cast<float>(entry.number("tensor_scale"));
  return q;
}

}  // namespace fp8check::exchange
