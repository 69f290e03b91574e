// A thin RAII layer over the HDF5 C API: files, groups, 1-D/2-D datasets of
// uint8/uint16/int64/float/double (optionally chunked, shuffled and gzip-compressed) and
// of strings, and string, integer and double attributes, written and read back.
//
// A file is created through io::AtomicFile: the HDF5 file is built in a temporary next
// to the target and renamed over it by commit(), so a failed run never leaves a partial
// file. Every HDF5 failure becomes an InputError naming the file and the object; HDF5's
// own error-stack printing is switched off (H5Eset_auto) and its innermost message is
// appended instead. Files close with H5F_CLOSE_STRONG, so closing a file closes every
// object in it; a group outliving its file then fails cleanly on use.
//
// HDF5 handles (hid_t, a 64-bit integer since HDF5 1.10) are kept as std::int64_t so this
// header does not pull in <hdf5.h>.
#pragma once

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fp8check::io {
class AtomicFile;
}

namespace fp8check::record {

template <class T>
concept Hdf5Element = std::same_as<T, std::uint8_t> || std::same_as<T, std::uint16_t> ||
                      std::same_as<T, std::int64_t> || std::same_as<T, float> || std::same_as<T, double>;

struct DatasetOptions {
  int gzip_level = 0;                // 0: no compression; 1..9: deflate (requires chunking)
  std::vector<std::uint64_t> chunk;  // empty: contiguous, or automatic chunks when gzip_level > 0
  bool shuffle = false;              // byte-shuffle filter before deflate (requires chunking)
};

template <Hdf5Element T>
struct Hdf5Array {
  std::vector<std::uint64_t> shape;  // 1 or 2 extents, C order
  std::vector<T> values;
};

// An open HDF5 handle of one kind; closes it once (move-only).
class Hdf5Handle {
 public:
  enum class Kind : std::uint8_t { file, group, dataset, attribute, dataspace, datatype, property_list };
  Hdf5Handle() = default;
  Hdf5Handle(std::int64_t id, Kind kind) : id_(id), kind_(kind) {}
  Hdf5Handle(Hdf5Handle&& o) noexcept : id_(o.id_), kind_(o.kind_) { o.id_ = -1; }
  Hdf5Handle& operator=(Hdf5Handle&& o) noexcept;
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  ~Hdf5Handle() { reset(); }

  std::int64_t get() const { return id_; }
  // Closes now; returns false if HDF5 reported an error (the handle is released anyway).
  bool reset();

 private:
  std::int64_t id_ = -1;
  Kind kind_ = Kind::file;
};

// A group (or the root group of a file). `file` and `path` name it in messages.
class Hdf5Group {
 public:
  Hdf5Group(Hdf5Handle handle, std::string file, std::string path)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  Hdf5Group create_group(const std::string& name);
  Hdf5Group open_group(const std::string& name) const;
  bool contains(const std::string& name) const;  // a link of that name exists here
  std::uint64_t link_count() const;              // links (groups, datasets) in this group

  // shape: 1 or 2 extents whose product is values.size().
  template <Hdf5Element T>
  void write_dataset(const std::string& name, std::span<const T> values, const std::vector<std::uint64_t>& shape,
                     const DatasetOptions& options = {});
  // The extents a dataset declares, read without its data. InputError if it is missing or
  // not 1-D/2-D.
  std::vector<std::uint64_t> dataset_shape(const std::string& name) const;
  // InputError if the dataset is missing, not 1-D/2-D, not stored as T, or declares more
  // than max_elements elements (checked before anything is allocated: a reader passes
  // the bound its schema gives, so a file cannot make it allocate what it claims).
  template <Hdf5Element T>
  Hdf5Array<T> read_dataset(const std::string& name, std::uint64_t max_elements) const;

  // Attributes on this group (strings as variable-length UTF-8, as h5py writes str).
  void set_attribute(const std::string& name, const std::string& value);
  void set_attribute(const std::string& name, const char* value) { set_attribute(name, std::string(value)); }
  void set_attribute(const std::string& name, std::int64_t value);
  void set_attribute(const std::string& name, double value);
  std::string string_attribute(const std::string& name) const;  // fixed or variable length
  std::int64_t int_attribute(const std::string& name) const;
  double double_attribute(const std::string& name) const;
  bool has_attribute(const std::string& name) const;

  // 1-D datasets of variable-length UTF-8 strings (h5py: f[name].asstr()[()]), and
  // unsigned 64-bit attributes (seeds, ULP counts); in hdf5_strings.cpp.
  void write_strings(const std::string& name, std::span<const std::string> values);
  // InputError unless 1-D strings of at most max_elements entries.
  std::vector<std::string> read_strings(const std::string& name, std::uint64_t max_elements) const;
  void set_uint64_attribute(const std::string& name, std::uint64_t value);
  std::uint64_t uint64_attribute(const std::string& name) const;  // InputError unless unsigned integer

 private:
  std::string where(const std::string& name) const;  // "/scales/values"
  Hdf5Handle open_dataset(const std::string& name) const;  // InputError unless a dataset
  std::vector<std::uint64_t> extents(std::int64_t dataset, const std::string& name) const;
  // The product of the extents; InputError when it exceeds max_elements.
  std::uint64_t checked_count(const std::vector<std::uint64_t>& shape, const std::string& name,
                              std::uint64_t max_elements) const;
  Hdf5Handle handle_;
  std::string file_;
  std::string path_;
};

class Hdf5File {
 public:
  // A new file that appears at `target` only on commit(); InputError if it cannot be made.
  static Hdf5File create(const std::filesystem::path& target);
  // An existing file, read-only; InputError if it is missing or not HDF5.
  static Hdf5File open(const std::filesystem::path& path);

  Hdf5File(Hdf5File&&) noexcept;
  Hdf5File& operator=(Hdf5File&&) = delete;  // would remove one temporary while its file is open
  ~Hdf5File();  // an uncommitted new file is closed and removed

  Hdf5Group& root() { return *root_; }
  const Hdf5Group& root() const { return *root_; }
  // Created files: flushes, closes and renames into place. InputError on failure (the
  // target is then untouched).
  void commit();

 private:
  Hdf5File() = default;
  std::unique_ptr<io::AtomicFile> atomic_;  // declared first: removed after the file closes
  std::string name_;
  Hdf5Handle file_;
  std::unique_ptr<Hdf5Group> root_;
};

}  // namespace fp8check::record
