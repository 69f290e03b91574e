#include "harness/suite/text_location.hpp"

namespace fp8check {

std::string TextLocation::file_line() const {
  std::string out = file;  // built piecewise: gcc 12 warns (-Wrestrict) on a chain of operator+
  out += ':';
  out += std::to_string(line);
  return out;
}

std::string TextLocation::str() const {
  std::string out = file_line();
  out += ':';
  out += std::to_string(column);
  return out;
}

void fail_at(const TextLocation& at, const std::string& message, SourceLocation where) {
  std::string text = at.str();
  text += ": ";
  text += message;
  throw InputError(text, where);
}

}  // namespace fp8check
