// Doubles in messages: the shortest text that reads back as the same double
// (std::to_chars), so "1.2578125" rather than "1.25781".
#pragma once

#include <charconv>
#include <string>

namespace fp8check::record::detail {

inline std::string shortest_text(double x) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, x);
  return std::string(text, result.ptr);
}

}  // namespace fp8check::record::detail
