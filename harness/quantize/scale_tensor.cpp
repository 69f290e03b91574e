#include "harness/quantize/scale_tensor.hpp"

#include <string>

#include "harness/core/error.hpp"

namespace fp8check {
namespace {

void expect_layout(const ScaleLayout& actual, const ScaleLayout& expected) {
  if (!(actual == expected))
    throw InputError("scale layout mismatch: the scales are laid out as " + describe(actual) +
                     ", but the consumer expects " + describe(expected) +
                     ": convert explicitly (with_order) or quantize with the expected layout");
}

}  // namespace

ScaleTensor ScaleTensor::zeros(const ScaleLayout& layout, ScaleType type, ScaleMeaning meaning) {
  ScaleTensor s;
  s.layout = layout;
  s.type = type;
  s.meaning = meaning;
  const auto n = static_cast<std::size_t>(layout.storage_size());
  s.values.assign(n, 0.0f);
  if (s.has_codes()) s.codes.assign(n, 0);
  return s;
}

void ScaleTensor::set(std::int64_t gi, std::int64_t gj, float value, std::uint8_t code) {
  values[slot(gi, gj)] = value;
  if (has_codes()) codes[slot(gi, gj)] = code;
}

void ScaleTensor::check_storage(const std::string& what) const {
  const auto n = static_cast<std::size_t>(layout.storage_size());
  if (values.size() != n || codes.size() != (has_codes() ? n : 0))
    throw InputError(what + ": holds " + std::to_string(values.size()) + " scale values and " +
                     std::to_string(codes.size()) + " codes: expected " + std::to_string(n) + " values" +
                     (has_codes() ? " and as many codes" : " and no codes") + " for " + describe(layout));
}

const std::vector<float>& ScaleTensor::values_in(const ScaleLayout& expected) const {
  expect_layout(layout, expected);
  return values;
}

const std::vector<std::uint8_t>& ScaleTensor::codes_in(const ScaleLayout& expected) const {
  expect_layout(layout, expected);
  if (!has_codes())
    throw InputError("scales of type " + std::string(scale_type_name(type)) +
                     " have no raw codes: expected e8m0 or e4m3 scales");
  return codes;
}

ScaleTensor with_order(const ScaleTensor& s, ScaleOrder order) {
  const ScaleLayout& l = s.layout;
  ScaleLayout target = make_scale_layout(l.rows, l.cols, l.block, order, scale_type_bytes(s.type));
  ScaleTensor out = ScaleTensor::zeros(target, s.type, s.meaning);
  for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
    for (std::int64_t gj = 0; gj < l.grid_cols; ++gj)
      out.set(gi, gj, s.value(gi, gj), s.has_codes() ? s.code(gi, gj) : std::uint8_t{0});
  return out;
}

}  // namespace fp8check
