// Small parsers the ops' parameter values share ("m128.n256.k512", "e4m3fn.e5m2").
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/core/error.hpp"

namespace fp8check {

// "a.b.c" -> {"a", "b", "c"}; an empty text gives one empty field.
inline std::vector<std::string> split_fields(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

// A whole decimal integer >= `min`; InputError naming `what` otherwise.
inline std::int64_t parse_count(const std::string& text, const std::string& what, std::int64_t min) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min)
    throw InputError(what + ": '" + text + "' is not an integer >= " + std::to_string(min));
  return v;
}

}  // namespace fp8check
