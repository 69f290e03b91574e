// Atomic replacement of a file: readers (and a later run) see either the previous
// file or the complete new one, never a partial write.
//
// The new content is written to a temporary file in the target's directory (so the
// final rename(2) stays on one file system, which makes it atomic: POSIX rename()),
// flushed with fsync(2), then renamed over the target; the directory is fsynced so
// the rename itself survives a crash. If commit() is never reached (an error, an
// exception), the destructor removes the temporary and the target is untouched.
// A process killed by a signal may leave its hidden ".NAME.tmp.PID.N" behind, but
// never a damaged NAME.
//
// Only a missing or regular file is ever replaced (output_path.hpp): a FIFO, device,
// socket or directory at the target is an InputError, and a symbolic link to a regular
// file is followed (the file it points to is replaced, the link kept).
//
// Any writer can use it: write through temp_path() (e.g. an HDF5 file created there),
// close it, then commit().
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace fp8check::io {

class AtomicFile {
 public:
  // Reserves a new, empty temporary file next to `target` (created exclusively, so
  // two writers never share one). Throws InputError if the directory is not writable or
  // the target is not a missing or regular file (or a link to one).
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();  // removes the temporary unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::filesystem::path& target() const { return target_; }
  // The file that is replaced: the target, or the file a symbolic link target points to.
  const std::filesystem::path& destination() const { return destination_; }
  // Where the new content goes; its name is ".NAME.tmp.PID.N" in the target's directory.
  const std::filesystem::path& temp_path() const { return temp_; }

  // Writes all of `bytes` to the temporary (replacing what it held).
  void write(std::span<const std::byte> bytes);

  // fsyncs the temporary, renames it over the target and fsyncs the directory.
  // Throws InputError (the temporary is then removed by the destructor).
  void commit();
  bool committed() const { return committed_; }

 private:
  std::filesystem::path target_;
  std::filesystem::path destination_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

// The common case: replace `target` with `bytes` atomically.
void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes);

}  // namespace fp8check::io
