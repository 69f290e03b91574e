#include "harness/quantize/quantize_compare.hpp"

#include <bit>
#include <cmath>
#include <cstdio>

#include "harness/core/error.hpp"
#include "harness/quantize/element_codec.hpp"

namespace fp8check {
namespace {

std::string hex(unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%02X", v);
  return buf;
}

std::string float_text(float v) {
  if (std::isnan(v)) return "NaN";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.9g (0x%08X)", static_cast<double>(v), std::bit_cast<std::uint32_t>(v));
  return buf;
}

bool same_float(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

void require(bool ok, const std::string& what) {
  if (!ok) throw InputError("cannot compare quantized matrices: " + what);
}

void count_code(QuantizeComparison& c, const QuantizedMatrix& e, const QuantizedMatrix& a, std::int64_t i,
                std::int64_t j) {
  const ElementType t = e.recipe.element;
  const std::uint8_t ce = e.codes(i, j), ca = a.codes(i, j);
  ++c.codes_compared;
  if (ce == ca || (is_nan_element(t, ce) && is_nan_element(t, ca))) return;
  ++c.code_mismatches;
  if (!c.first_code_mismatch)
    c.first_code_mismatch = QuantizeMismatch{QuantizeMismatch::What::code, i, j, hex(ce), hex(ca)};
}

void count_scale(QuantizeComparison& c, const ScaleTensor& e, const ScaleTensor& a, std::int64_t gi, std::int64_t gj) {
  ++c.scales_compared;
  const bool agree = e.has_codes() ? e.code(gi, gj) == a.code(gi, gj) : same_float(e.value(gi, gj), a.value(gi, gj));
  if (agree) return;
  ++c.scale_mismatches;
  if (c.first_scale_mismatch) return;
  const auto text = [&](const ScaleTensor& s) {
    return s.has_codes() ? float_text(s.value(gi, gj)) + " code " + hex(s.code(gi, gj)) : float_text(s.value(gi, gj));
  };
  c.first_scale_mismatch = QuantizeMismatch{QuantizeMismatch::What::scale, gi, gj, text(e), text(a)};
}

}  // namespace

std::string_view mismatch_kind_name(QuantizeMismatch::What w) {
  switch (w) {
    case QuantizeMismatch::What::code:
      return "code";
    case QuantizeMismatch::What::scale:
      return "scale";
    case QuantizeMismatch::What::tensor_scale:
      return "tensor scale";
  }
  return "?";
}

QuantizeComparison compare_quantized(const QuantizedMatrix& expected, const QuantizedMatrix& actual) {
  const ScaleTensor& se = expected.scales;
  const ScaleTensor& sa = actual.scales;
  require(expected.recipe == actual.recipe,
          "recipes differ: expected " + expected.recipe.description() + ", got " + actual.recipe.description());
  require(expected.codes.rows == actual.codes.rows && expected.codes.cols == actual.codes.cols,
          "code shapes differ: expected " + std::to_string(expected.codes.rows) + "x" +
              std::to_string(expected.codes.cols) + ", got " + std::to_string(actual.codes.rows) + "x" +
              std::to_string(actual.codes.cols));
  require(se.layout.grid_rows == sa.layout.grid_rows && se.layout.grid_cols == sa.layout.grid_cols &&
              se.layout.block == sa.layout.block && se.type == sa.type && se.meaning == sa.meaning,
          "scale grids differ: expected " + describe(se.layout) + " " + std::string(scale_type_name(se.type)) + " " +
              std::string(scale_meaning_name(se.meaning)) + ", got " + describe(sa.layout) + " " +
              std::string(scale_type_name(sa.type)) + " " + std::string(scale_meaning_name(sa.meaning)));
  se.check_storage("the reference scales");
  sa.check_storage("the scales under test");
  for (const CodeMatrix* c : {&expected.codes, &actual.codes})
    require(c->ld >= c->cols && static_cast<std::int64_t>(c->codes.size()) >= (c->rows - 1) * c->ld + c->cols,
            "a code matrix holds " + std::to_string(c->codes.size()) + " bytes with ld " + std::to_string(c->ld) +
                ": expected at least (rows - 1) * ld + cols");

  QuantizeComparison c;
  if (expected.tensor_scale || actual.tensor_scale) {
    ++c.scales_compared;
    const float te = expected.tensor_scale.value_or(std::nanf("")), ta = actual.tensor_scale.value_or(std::nanf(""));
    if (expected.tensor_scale.has_value() != actual.tensor_scale.has_value() || !same_float(te, ta)) {
      ++c.scale_mismatches;
      const auto text = [](const std::optional<float>& s) { return s ? float_text(*s) : std::string("none"); };
      c.first_scale_mismatch = QuantizeMismatch{QuantizeMismatch::What::tensor_scale, 0, 0, text(expected.tensor_scale),
                                                text(actual.tensor_scale)};
    }
  }
  for (std::int64_t gi = 0; gi < se.layout.grid_rows; ++gi)
    for (std::int64_t gj = 0; gj < se.layout.grid_cols; ++gj) count_scale(c, se, sa, gi, gj);
  for (std::int64_t i = 0; i < expected.codes.rows; ++i)
    for (std::int64_t j = 0; j < expected.codes.cols; ++j) count_code(c, expected, actual, i, j);
  return c;
}

std::string QuantizeComparison::summary() const {
  const auto part = [](const char* what, std::int64_t n, std::int64_t bad, const std::optional<QuantizeMismatch>& m) {
    std::string s = std::string(what) + ": ";
    if (bad == 0) return s + "all " + std::to_string(n) + " agree";
    s += std::to_string(bad) + " of " + std::to_string(n) + " differ, first ";
    s += m->what == QuantizeMismatch::What::tensor_scale
             ? std::string("the tensor scale")
             : "at (" + std::to_string(m->row) + ", " + std::to_string(m->col) + ")";
    return s + ": expected " + m->expected + ", got " + m->actual;
  };
  return part("codes", codes_compared, code_mismatches, first_code_mismatch) + "; " +
         part("scales", scales_compared, scale_mismatches, first_scale_mismatch);
}

}  // namespace fp8check
