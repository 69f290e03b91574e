// Where a writer may write. Every output of fp8check replaces its target atomically
// (atomic_file.hpp); these checks decide, before anything is written, whether the target
// may be replaced at all: only a missing file or a regular file may. A FIFO, a device, a
// socket or a directory is never replaced by a regular file (rename(2) would do it
// silently for all but a directory), and a symbolic link is followed: the file it points
// to is replaced and the link kept, and a link to anything else is refused.
//
// A long command checks its outputs before it starts (check_output_path), so that a bad
// path fails in a second with exit 2, not after the work is done.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace fp8check::io {

// What a stat(2) mode names, for messages: "a file", "a directory", "a FIFO (named pipe)",
// "a character device", "a block device", "a socket", "a symbolic link".
std::string file_kind(unsigned int st_mode);

// The file a writer replaces for `target`: `target` itself when it is missing or a regular
// file, the (canonical) file a symbolic link points to when that is a regular file.
// InputError, naming the path and what it is, for anything else.
std::filesystem::path replaceable_target(const std::filesystem::path& target);

// replaceable_target, plus: the parent directory exists or can be created (no component
// of it is a file), and the nearest existing ancestor takes a new file (a probe file is
// created and removed: access(2) passes root on /proc or /sys). InputError naming the problem.
void check_output_path(const std::filesystem::path& path);

// InputError when `output` names the file `input` names (the same path, a link to it, a
// hard link): a command never writes over what it reads (`run --out` onto its golden or its
// suite, `verify --out` onto CASES.h5). `role` says what the input is ("the golden").
// Nothing is checked when either is missing or `input` is empty.
void check_not_an_input(const std::filesystem::path& output, const std::filesystem::path& input, std::string_view role);

// Creates `dir` and its parents (mkdir -p). InputError if it exists and is not a directory,
// or cannot be created (a component is a file, no permission).
void create_output_directory(const std::filesystem::path& dir);

}  // namespace fp8check::io
