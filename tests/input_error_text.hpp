// The message of the InputError that f throws, or "no InputError": tests compare a whole
// one-line message with EXPECT_EQ.
#pragma once

#include <functional>
#include <string>

#include "harness/core/error.hpp"

namespace fp8check::testing {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no InputError";
}

}  // namespace fp8check::testing
