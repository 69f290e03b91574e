// fp8check's one error policy.
// - At the edges (files, command line, suites) problems are exceptions that carry
//   the source location that raised them; the CLI maps them to exit codes:
//   InputError -> 2 (the user can fix it), anything else -> 3 (a bug in fp8check).
// - Inside a run, a failing case is data (a verdict), never an exception that stops the run.
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>

namespace fp8check {

class Error : public std::runtime_error {
 public:
  Error(const std::string& what, std::source_location where)
      : std::runtime_error(what), where_(where) {}
  const std::source_location& where() const { return where_; }

 private:
  std::source_location where_;
};

// Bad input from the user: unknown name, unreadable file, wrong dtype, bad suite.
// The message names the problem and what is accepted instead.
class InputError : public Error {
 public:
  explicit InputError(const std::string& what, std::source_location where = std::source_location::current())
      : Error(what, where) {}
};

// A broken invariant inside fp8check.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& what, std::source_location where = std::source_location::current())
      : Error(what, where) {}
};

// "file.cpp:123" of where an Error was raised, for diagnostics.
std::string describe_location(const std::source_location& where);

}  // namespace fp8check
