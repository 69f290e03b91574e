// Runs gnuplot as a subprocess (posix_spawn) on one script and returns the SVG it drew.
// The child gets a private temporary directory as HOME (so no ~/.gnuplot changes the
// output), LC_ALL=C (a '.' decimal point), stdin from /dev/null, and is killed when it
// runs past the timeout. The script chooses the terminal; the runner sets the output.
#pragma once

#include <string>
#include <string_view>

namespace fp8check::report {

struct GnuplotResult {
  enum class Status {
    ok,         // svg holds the drawing
    not_found,  // the program could not be started (not installed, wrong path)
    failed,     // gnuplot exited non-zero, or wrote no SVG; message has its stderr
    timed_out,  // killed after the timeout
  };
  Status status = Status::failed;
  std::string svg;
  std::string message;  // for anything but ok: what happened, in one or two lines
};

// program: a name looked up in PATH, or a path. timeout_seconds > 0.
GnuplotResult run_gnuplot(const std::string& program, std::string_view script, double timeout_seconds);

// `text` as a gnuplot single-quoted string literal, quotes doubled ('it''s'); line
// breaks become spaces (a string literal cannot span lines).
std::string gnuplot_quote(std::string_view text);

}  // namespace fp8check::report
