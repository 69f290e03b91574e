// The HDF5 layer of the exchange files (docs/exchange-format.md): groups, datasets of 1 to
// 4 dimensions and attributes on either, including integer-array attributes (a scale's
// `block`). harness/record's layer keeps results files to 1-D/2-D datasets and group
// attributes; this one is what cases.h5 and outputs.h5 need, on the same RAII handles and
// error reporting (record/detail/hdf5_status.hpp).
//
// Files a user's program wrote are read defensively: a dataset's element type and shape
// are checked against what the reader expects before anything is allocated, and every
// failure is an InputError naming the file, the object and what was expected.
// New files are written through io::AtomicFile and appear only on commit().
#pragma once

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/record/hdf5_file.hpp"  // Hdf5Handle

namespace fp8check::io {
class AtomicFile;
}

namespace fp8check::exchange {

template <class T>
concept H5Element = std::same_as<T, std::uint8_t> || std::same_as<T, std::int8_t> || std::same_as<T, std::uint16_t> ||
                    std::same_as<T, std::int64_t> || std::same_as<T, float> || std::same_as<T, double>;

// "uint8", "int8", "uint16", "int64", "float32", "float64": as numpy and h5py name them.
template <H5Element T>
const char* h5_element_name();

using Shape = std::vector<std::uint64_t>;
std::string shape_text(const Shape& s);  // "(128, 256)"

// A group or a dataset of an open file. Move-only; the file must outlive it.
class H5Node {
 public:
  H5Node(record::Hdf5Handle handle, std::string file, std::string path, bool group)
      : handle_(std::move(handle)), file_(std::move(file)), path_(std::move(path)), group_(group) {}

  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }  // "/cases/000003"
  bool is_group() const { return group_; }

  // Groups ---------------------------------------------------------------------------
  H5Node create_group(const std::string& name);
  bool contains(const std::string& name) const;
  // The member `name`, a group or a dataset; InputError naming `expected` when absent.
  H5Node open(const std::string& name, const std::string& expected) const;
  std::vector<std::string> members() const;  // link names, in name order
  // A new dataset (1 to 4 extents whose product is values.size()), returned for its attributes.
  template <H5Element T>
  H5Node write(const std::string& name, std::span<const T> values, const Shape& shape);

  // Datasets -------------------------------------------------------------------------
  Shape shape() const;
  // The values, row-major, after checking that the stored type is T and the shape is
  // `expected` (InputError naming both otherwise; nothing is allocated before).
  template <H5Element T>
  std::vector<T> read(const Shape& expected) const;
  // Whether the stored element type is T.
  template <H5Element T>
  bool holds() const;
  std::string type_text() const;  // "32-bit float", ...

  // Attributes (on either kind) --------------------------------------------------------
  void set(const std::string& name, const std::string& value);
  void set(const std::string& name, const char* value) { set(name, std::string(value)); }
  void set(const std::string& name, std::int64_t value);
  void set(const std::string& name, double value);
  void set(const std::string& name, const std::vector<std::int64_t>& values);
  void set(const std::string& name, const std::vector<double>& values);
  bool has(const std::string& name) const;
  // InputError naming the attribute and the expected kind when absent or of another kind.
  std::string text(const std::string& name) const;           // a string (fixed or variable length)
  std::int64_t integer(const std::string& name) const;       // one integer
  double number(const std::string& name) const;              // one float or integer
  std::vector<std::int64_t> integers(const std::string& name) const;  // a 1-D integer array (at most 16)

 private:
  std::string where(const std::string& name) const;
  [[noreturn]] void fail(const std::string& what) const;
  record::Hdf5Handle handle_;
  std::string file_;
  std::string path_;
  bool group_ = true;
};

class H5File {
 public:
  // A new file that appears at `target` only on commit().
  static H5File create(const std::filesystem::path& target);
  // An existing file, read-only; InputError if it is missing or not HDF5.
  static H5File open(const std::filesystem::path& path);

  H5File(H5File&&) noexcept;
  H5File& operator=(H5File&&) = delete;
  ~H5File();

  H5Node& root() { return *root_; }
  const H5Node& root() const { return *root_; }
  void commit();  // created files: close and rename into place

 private:
  H5File() = default;
  std::unique_ptr<io::AtomicFile> atomic_;  // declared first: removed after the file closes
  std::string name_;
  record::Hdf5Handle file_;
  std::unique_ptr<H5Node> root_;
};

}  // namespace fp8check::exchange
