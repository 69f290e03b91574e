// A place in a suite file, for messages the user can jump to ("suites/x.toml:12:5: ...").
// Lines and columns are 1-based, as toml++ reports them (toml::source_position).
#pragma once

#include <cstdint>
#include <string>

#include "harness/core/error.hpp"

namespace fp8check {

struct TextLocation {
  std::string file;  // the path as the user gave it, e.g. "suites/smoke.toml"
  std::uint32_t line = 0;
  std::uint32_t column = 0;

  std::string str() const;       // "suites/smoke.toml:12:5"
  std::string file_line() const;  // "suites/smoke.toml:12"
};

// Throws InputError("<file>:<line>:<col>: <message>"). The message should end with what
// is accepted, "(expected ...)".
[[noreturn]] void fail_at(const TextLocation& at, const std::string& message,
                          SourceLocation where = SourceLocation::current());

}  // namespace fp8check
