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

}  // namespace fp8check
