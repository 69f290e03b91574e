#include "harness/core/error.hpp"

#include <string_view>

namespace fp8check {

std::string describe_location(const SourceLocation& where) {
  std::string_view file = where.file_name();
  // Print the path relative to the project (harness/..., kernels/...), not the build machine's.
  for (std::string_view top : {"harness/", "kernels/", "references/", "tests/", "bench/"}) {
    if (auto pos = file.rfind(top); pos != std::string_view::npos) {
      file = file.substr(pos);
      break;
    }
  }
  std::string out(file);  // built piecewise: gcc 12 warns (-Wrestrict) on a chain of operator+
  out += ':';
  out += std::to_string(where.line_number());
  return out;
}

std::string one_line(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
    }
  }
  return out;
}

}  // namespace fp8check
