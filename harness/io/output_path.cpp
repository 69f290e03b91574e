#include "harness/io/output_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "harness/core/error.hpp"

namespace fp8check::io {
namespace {

namespace fs = std::filesystem;

std::string kind_of(mode_t mode) {
  if (S_ISREG(mode)) return "a file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

[[noreturn]] void refuse(const fs::path& target, const std::string& what) {
  throw InputError(target.string() + ": " + what +
                   ": expected a regular file or a new name (fp8check never replaces anything else)");
}

// The nearest existing ancestor of `dir`: "." for a relative path none of whose
// components exists yet ("out/smoke" in a fresh checkout), the root for an absolute one.
fs::path existing_ancestor(fs::path dir) {
  for (;;) {
    struct stat st;
    if (dir.empty()) return ".";
    if (::stat(dir.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR)) return dir;
    if (!dir.has_parent_path() || dir.parent_path() == dir) return dir.is_absolute() ? dir.root_path() : fs::path(".");
    dir = dir.parent_path();
  }
}

}  // namespace

std::string file_kind(unsigned int st_mode) { return kind_of(st_mode); }

fs::path replaceable_target(const fs::path& target) {
  if (!target.has_filename()) throw InputError(target.string() + ": not a file name: expected DIR/NAME");
  struct stat st;
  if (::lstat(target.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return target;  // a new file (ENOTDIR: check_output_path says why)
    throw InputError(target.string() + ": cannot inspect (" + std::strerror(errno) + "): expected a writable path");
  }
  if (S_ISREG(st.st_mode)) return target;
  if (!S_ISLNK(st.st_mode)) refuse(target, "is " + kind_of(st.st_mode));
  struct stat pointed;
  if (::stat(target.c_str(), &pointed) != 0)
    refuse(target, "is a symbolic link to " + fs::read_symlink(target).string() + ", which " +
                       (errno == ENOENT ? "does not exist" : std::string("cannot be inspected: ") + std::strerror(errno)));
  if (!S_ISREG(pointed.st_mode)) refuse(target, "is a symbolic link to " + kind_of(pointed.st_mode));
  return fs::canonical(target);
}

void check_output_path(const fs::path& path) {
  const fs::path target = replaceable_target(path);
  const fs::path ancestor = existing_ancestor(target.has_parent_path() ? target.parent_path() : fs::path("."));
  struct stat st;
  if (::stat(ancestor.c_str(), &st) != 0)
    throw InputError(path.string() + ": cannot inspect " + ancestor.string() + " (" + std::strerror(errno) +
                     "): expected a writable directory");
  if (!S_ISDIR(st.st_mode))
    throw InputError(path.string() + ": " + ancestor.string() + " is " + kind_of(st.st_mode) +
                     ", not a directory: expected DIR/NAME with DIR a directory (or missing, to be created)");
  // Creating a file is the test: access(2) passes for root on /proc or /sys, where the
  // writer's temporary then fails, after the work.
  const fs::path probe = ancestor / (".fp8check-probe." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    throw InputError(path.string() + ": cannot write in " + ancestor.string() + " (" + std::strerror(errno) +
                     "): expected a writable directory");
  if (fd >= 0) {
    ::close(fd);
    ::unlink(probe.c_str());
  }
}

void check_not_an_input(const fs::path& output, const fs::path& input, std::string_view role) {
  std::error_code ec;
  if (input.empty() || !fs::equivalent(output, input, ec)) return;  // ec set: one of them is missing
  throw InputError(output.string() + ": is " + std::string(role) + " this command reads (" + input.string() +
                   "): expected another output path (an output never replaces an input)");
}

void create_output_directory(const fs::path& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw InputError(dir.string() + ": is " + kind_of(st.st_mode) + ": expected a directory (or a new name) for the output");
    return;
  }
  check_output_path(dir / "x");  // says which component is a file, or which directory is not writable
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError(dir.string() + ": cannot create the directory (" + ec.message() + "): expected a writable place");
}

}  // namespace fp8check::io
