// Argument checks shared by the references: they throw std::invalid_argument (references/
// does not see fp8check's error types) with a message naming the problem, the operand, what
// it is and what is accepted.
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "references/dense.hpp"

namespace fp8check::references::detail {

// A problem descriptor as text, via its operator<<.
template <typename Problem>
std::string describe(const Problem& problem) {
  std::ostringstream os;
  os << problem;
  return os.str();
}

// The shortest decimal text that reads back as exactly `value` (std::to_chars).
std::string exact_text(double value);

[[noreturn]] void fail(const std::string& message);

// Throws "<context>: <operand> is RxC, the problem needs <rows>x<cols>" on a mismatch.
void require_shape(const std::string& context, const std::string& operand, const Eigen::Ref<const MatrixD>& m, std::int64_t rows,
                   std::int64_t cols);
void require_length(const std::string& context, const std::string& operand, std::int64_t length,
                    std::int64_t expected);
void require_non_negative(const std::string& context, const char* name, std::int64_t value);
void require_positive(const std::string& context, const char* name, std::int64_t value);
void require_finite(const std::string& context, const char* name, double value);

// Whether two row-major views share memory (each spans its first to its last element).
bool views_overlap(const Eigen::Ref<const MatrixD>& x, const Eigen::Ref<const MatrixD>& y);

}  // namespace fp8check::references::detail
