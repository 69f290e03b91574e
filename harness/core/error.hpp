// fp8check's one error policy.
// - At the edges (files, command line, suites) problems are exceptions that carry
//   the source location that raised them; the CLI maps them to exit codes:
//   InputError -> 2 (the user can fix it), anything else -> 3 (a bug in fp8check).
// - Inside a run, a failing case is data (a verdict), never an exception that stops the run.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace fp8check {

// Where an error was raised. SourceLocation would do, but clang 14 with
// libstdc++ 12 (Debian 12) lacks it; __builtin_FILE/__builtin_LINE work in gcc,
// clang and nvcc alike when used as default arguments.
struct SourceLocation {
  const char* file = "";
  unsigned line = 0;
  static constexpr SourceLocation current(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) {
    return {file, line};
  }
  const char* file_name() const { return file; }
  unsigned line_number() const { return line; }
};

class Error : public std::runtime_error {
 public:
  Error(const std::string& what, SourceLocation where)
      : std::runtime_error(what), where_(where) {}
  const SourceLocation& where() const { return where_; }

 private:
  SourceLocation where_;
};

// Bad input from the user: unknown name, unreadable file, wrong dtype, bad suite.
// The message names the problem and what is accepted instead.
class InputError : public Error {
 public:
  explicit InputError(const std::string& what, SourceLocation where = SourceLocation::current())
      : Error(what, where) {}
};

// A broken invariant inside fp8check.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& what, SourceLocation where = SourceLocation::current())
      : Error(what, where) {}
};

// "file.cpp:123" of where an Error was raised, for diagnostics.
std::string describe_location(const SourceLocation& where);

// `text` fit for a one-line message: trailing whitespace dropped, control bytes (a newline
// in a file name, a .npy header's padding) written as \xNN. The CLI prints every error so.
std::string one_line(std::string_view text);

}  // namespace fp8check
