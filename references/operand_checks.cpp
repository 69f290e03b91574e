#include "references/operand_checks.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace fp8check::references::detail {

std::string exact_text(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (result.ec != std::errc()) return "?";  // cannot happen: 32 chars hold any double
  return std::string(buffer, result.ptr);
}

void fail(const std::string& message) { throw std::invalid_argument(message); }

void require_shape(const std::string& context, const std::string& operand, const Eigen::Ref<const MatrixD>& m, std::int64_t rows,
                   std::int64_t cols) {
  if (m.rows() == rows && m.cols() == cols) return;
  fail(context + ": " + operand + " is " + std::to_string(m.rows()) + "x" + std::to_string(m.cols()) +
       ", the problem needs " + std::to_string(rows) + "x" + std::to_string(cols));
}

void require_length(const std::string& context, const std::string& operand, std::int64_t length,
                    std::int64_t expected) {
  if (length == expected) return;
  fail(context + ": " + operand + " has " + std::to_string(length) + " entries, the problem needs " +
       std::to_string(expected));
}

void require_non_negative(const std::string& context, const char* name, std::int64_t value) {
  if (value >= 0) return;
  fail(context + ": " + name + " = " + std::to_string(value) + " is negative; sizes are >= 0");
}

void require_positive(const std::string& context, const char* name, std::int64_t value) {
  if (value >= 1) return;
  fail(context + ": " + name + " = " + std::to_string(value) + " must be >= 1");
}

void require_finite(const std::string& context, const char* name, double value) {
  if (std::isfinite(value)) return;
  fail(context + ": " + name + " = " + exact_text(value) + " must be a finite number");
}

bool views_overlap(const Eigen::Ref<const MatrixD>& x, const Eigen::Ref<const MatrixD>& y) {
  if (x.size() == 0 || y.size() == 0) return false;
  const auto begin = [](const Eigen::Ref<const MatrixD>& v) { return reinterpret_cast<std::uintptr_t>(v.data()); };
  const auto end = [](const Eigen::Ref<const MatrixD>& v) {
    return reinterpret_cast<std::uintptr_t>(v.data() + (v.rows() - 1) * v.outerStride() + v.cols());
  };
  return begin(x) < end(y) && begin(y) < end(x);
}

}  // namespace fp8check::references::detail
