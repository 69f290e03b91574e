#include "harness/core/element_type.hpp"

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check {

int ElementType::bits() const {
  switch (kind) {
    case Kind::int8: return 8;
    case Kind::int4: return 4;
    case Kind::floating: return format_spec(format).bits;
  }
  return 0;
}

double ElementType::max_magnitude() const {
  switch (kind) {
    case Kind::int8: return 127;
    case Kind::int4: return 7;
    case Kind::floating: return decode(format, format_spec(format).max_magnitude_code());
  }
  return 0;
}

std::string ElementType::name() const {
  switch (kind) {
    case Kind::int8: return "int8";
    case Kind::int4: return "int4";
    case Kind::floating: return std::string(format_name(format));
  }
  return "?";
}

ElementType parse_element_type(std::string_view name) {
  if (name == "int8") return ElementType::int8();
  if (name == "int4") return ElementType::int4();
  try {
    return ElementType::of(parse_format(name));
  } catch (const InputError&) {
    throw InputError("unknown element type '" + std::string(name) + "': expected int8, int4 or a format (" +
                     format_name_list() + ")");
  }
}

}  // namespace fp8check
