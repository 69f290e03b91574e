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

// A whole decimal integer >= `min`, without leading zeros ("064" would give the problem of
// "64" another id); InputError naming `what` otherwise.
inline std::int64_t parse_count(const std::string& text, const std::string& what, std::int64_t min) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min)
    throw InputError(what + ": '" + text + "' is not an integer >= " + std::to_string(min));
  if (text.size() > 1 && text[0] == '0')
    throw InputError(what + ": '" + text + "' has a leading zero (expected " + std::to_string(v) +
                     ": one problem, one id)");
  return v;
}

// InputError naming `what` when `field` is in `seen` (a shape such as "m64.m32" says two
// things); adds it otherwise.
inline void require_once(std::vector<std::string>& seen, const std::string& field, const std::string& what) {
  for (const std::string& f : seen)
    if (f == field) throw InputError(what + ": '" + field + "' is given twice (expected each field once)");
  seen.push_back(field);
}

}  // namespace fp8check
