// The element type of a quantized operand: a low-precision float Format, or a
// symmetric integer (INT8, INT4) as integer-quantized kernels use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/core/format_spec.hpp"

namespace fp8check {

struct ElementType {
  enum class Kind : std::uint8_t { floating, int8, int4 };
  Kind kind = Kind::floating;
  Format format = Format::e4m3fn;  // meaningful when kind == floating

  static constexpr ElementType of(Format f) { return {Kind::floating, f}; }
  static constexpr ElementType int8() { return {Kind::int8, Format::e4m3fn}; }
  static constexpr ElementType int4() { return {Kind::int4, Format::e4m3fn}; }

  bool is_integer() const { return kind != Kind::floating; }
  int bits() const;                // storage bits per element
  double max_magnitude() const;    // 448 for e4m3fn, 127 for int8, 7 for int4 (symmetric)
  std::string name() const;        // "e4m3fn", "int8", "int4"
  friend bool operator==(const ElementType&, const ElementType&) = default;
};

// Accepts format names and aliases (see format_names.hpp) plus "int8", "int4".
ElementType parse_element_type(std::string_view name);

}  // namespace fp8check
