#include "harness/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "harness/core/error.hpp"
#include "harness/io/output_path.hpp"

namespace fp8check::io {
namespace {

[[noreturn]] void fail(const std::filesystem::path& target, const std::string& what, int err) {
  throw InputError(target.string() + ": cannot write (" + what + "): " + std::strerror(err) +
                   ": expected a writable directory with free space");
}

// Opens with EINTR retried; returns -1 with errno set on failure.
int open_retrying(const std::filesystem::path& path, int flags, mode_t mode = 0) {
  int fd;
  do fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  while (fd < 0 && errno == EINTR);
  return fd;
}

// fsync(2) then close(2); returns 0 or the first errno.
int sync_and_close(int fd) {
  int err = 0;
  if (::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

std::filesystem::path directory_of(const std::filesystem::path& target) {
  return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target)
    : target_(std::move(target)), destination_(replaceable_target(target_)) {

  // The process id separates concurrent processes, the counter the files of one
  // process; O_EXCL settles any remaining collision (a stale file of a dead process).
  static std::atomic<unsigned> counter{0};
  std::string prefix = ".";  // (appending avoids GCC 12's false -Wrestrict on "lit" + std::string&&)
  prefix += destination_.filename().string() + ".tmp." + std::to_string(::getpid()) + ".";
  for (;;) {
    temp_ = directory_of(destination_) / (prefix + std::to_string(counter.fetch_add(1)));
    const int fd = open_retrying(temp_, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    if (errno != EEXIST) fail(target_, "creating " + temp_.string(), errno);
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(temp_.c_str());  // best effort; nothing to report from a destructor
}

void AtomicFile::write(std::span<const std::byte> bytes) {
  const int fd = open_retrying(temp_, O_WRONLY | O_TRUNC);
  if (fd < 0) fail(target_, "opening " + temp_.string(), errno);
  const std::byte* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      fail(target_, "writing " + temp_.string(), err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  // Close errors matter: NFS and others report a failed write only here.
  if (::close(fd) != 0) fail(target_, "closing " + temp_.string(), errno);
}

void AtomicFile::commit() {
  if (committed_) throw InternalError(target_.string() + ": AtomicFile::commit() called twice");
  // Data first, then the name: otherwise a crash could leave the new name on empty data.
  const int fd = open_retrying(temp_, O_RDONLY);
  if (fd < 0) fail(target_, "reopening " + temp_.string(), errno);
  if (const int err = sync_and_close(fd)) fail(target_, "syncing " + temp_.string(), err);
  // Checked again just before the rename: the target may have changed since the constructor.
  if (replaceable_target(target_) != destination_)
    throw InputError(target_.string() + ": changed while it was being written (now a link elsewhere): nothing written");
  if (::rename(temp_.c_str(), destination_.c_str()) != 0) fail(target_, "renaming " + temp_.string(), errno);
  committed_ = true;
  // Make the rename durable (fsync(2): "an explicit fsync() on a file descriptor for
  // the directory is also needed"). Best effort: the replacement has already happened,
  // and some file systems cannot fsync a directory at all (EINVAL).
  const int dir_fd = open_retrying(directory_of(destination_), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) sync_and_close(dir_fd);
}

void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes) {
  AtomicFile file(target);
  file.write(bytes);
  file.commit();
}

}  // namespace fp8check::io
