#include "harness/record/hdf5_file.hpp"

#include <hdf5.h>

#include <algorithm>
#include <type_traits>

#include "harness/core/error.hpp"
#include "harness/io/input_path.hpp"
#include "harness/core/machine_memory.hpp"
#include "harness/io/atomic_file.hpp"
#include "harness/record/detail/hdf5_status.hpp"

namespace fp8check::record {
namespace {

static_assert(std::is_same_v<hid_t, std::int64_t>, "hdf5_file.hpp keeps hid_t as std::int64_t (HDF5 >= 1.10)");
using Kind = Hdf5Handle::Kind;

using namespace detail;  // fail, checked, type_text, variable_string_type

template <Hdf5Element T>
struct ElementTypes;
template <>
struct ElementTypes<std::uint8_t> {
  static hid_t memory() { return H5T_NATIVE_UINT8; }
  static hid_t file() { return H5T_STD_U8LE; }
  static constexpr const char* name = "uint8";
};
template <>
struct ElementTypes<std::uint16_t> {
  static hid_t memory() { return H5T_NATIVE_UINT16; }
  static hid_t file() { return H5T_STD_U16LE; }
  static constexpr const char* name = "uint16";
};
template <>
struct ElementTypes<std::int64_t> {
  static hid_t memory() { return H5T_NATIVE_INT64; }
  static hid_t file() { return H5T_STD_I64LE; }
  static constexpr const char* name = "int64";
};
template <>
struct ElementTypes<float> {
  static hid_t memory() { return H5T_NATIVE_FLOAT; }
  static hid_t file() { return H5T_IEEE_F32LE; }
  static constexpr const char* name = "float32";
};
template <>
struct ElementTypes<double> {
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
  static hid_t file() { return H5T_IEEE_F64LE; }
  static constexpr const char* name = "float64";
};

template <Hdf5Element T>
bool stored_as(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  if constexpr (std::is_floating_point_v<T>) return cls == H5T_FLOAT && size == sizeof(T);
  else return cls == H5T_INTEGER && size == sizeof(T) && (H5Tget_sign(type) == H5T_SGN_NONE) == std::is_unsigned_v<T>;
}

// Chunks of whole rows, at most ~1 MiB each.
std::vector<hsize_t> automatic_chunk(const std::vector<hsize_t>& dims, std::size_t item) {
  std::vector<hsize_t> chunk = dims;
  const hsize_t row_bytes = (dims.size() == 2 ? dims[1] : 1) * item;
  chunk[0] = std::clamp<hsize_t>((hsize_t{1} << 20) / std::max<hsize_t>(row_bytes, 1), 1, dims[0]);
  return chunk;
}

}  // namespace

Hdf5Handle& Hdf5Handle::operator=(Hdf5Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    kind_ = o.kind_;
    o.id_ = -1;
  }
  return *this;
}

bool Hdf5Handle::reset() {
  if (id_ < 0) return true;
  herr_t status = 0;
  if (H5Iis_valid(id_) > 0) {  // a strongly closed file has already closed its objects
    switch (kind_) {
      case Kind::file: status = H5Fclose(id_); break;
      case Kind::group: status = H5Gclose(id_); break;
      case Kind::dataset: status = H5Dclose(id_); break;
      case Kind::attribute: status = H5Aclose(id_); break;
      case Kind::dataspace: status = H5Sclose(id_); break;
      case Kind::datatype: status = H5Tclose(id_); break;
      case Kind::property_list: status = H5Pclose(id_); break;
    }
  }
  id_ = -1;
  return status >= 0;
}

std::string Hdf5Group::where(const std::string& name) const { return (path_ == "/" ? "/" : path_ + "/") + name; }

bool Hdf5Group::contains(const std::string& name) const {
  const htri_t exists = H5Lexists(handle_.get(), name.c_str(), H5P_DEFAULT);
  if (exists < 0) fail(file_, "cannot look up " + where(name) + ": expected an open file and a plain name");
  return exists > 0;
}

std::uint64_t Hdf5Group::link_count() const {
  H5G_info_t info;
  if (H5Gget_info(handle_.get(), &info) < 0) fail(file_, "cannot list group " + path_ + ": expected an open file");
  return info.nlinks;
}

Hdf5Group Hdf5Group::create_group(const std::string& name) {
  const hid_t id = H5Gcreate2(handle_.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  checked(id, file_, "cannot create group " + where(name) + ": expected a new name in a file open for writing");
  return Hdf5Group(Hdf5Handle(id, Kind::group), file_, where(name));
}

Hdf5Group Hdf5Group::open_group(const std::string& name) const {
  if (!contains(name)) fail(file_, "has no group " + where(name) + ": expected a file written by fp8check");
  const hid_t id = checked(H5Gopen2(handle_.get(), name.c_str(), H5P_DEFAULT), file_,
                           "cannot open group " + where(name) + ": expected a group");
  return Hdf5Group(Hdf5Handle(id, Kind::group), file_, where(name));
}

template <Hdf5Element T>
void Hdf5Group::write_dataset(const std::string& name, std::span<const T> values,
                              const std::vector<std::uint64_t>& shape, const DatasetOptions& options) {
  std::uint64_t count = 1;
  for (std::uint64_t e : shape) count *= e;
  if (shape.empty() || shape.size() > 2 || count != values.size())
    throw InternalError("dataset " + where(name) + ": shape of " + std::to_string(shape.size()) +
                        " extents does not hold " + std::to_string(values.size()) + " values");
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  const std::string what = "cannot write dataset " + where(name);
  Hdf5Handle space(checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), file_, what),
                   Kind::dataspace);
  Hdf5Handle dcpl(checked(H5Pcreate(H5P_DATASET_CREATE), file_, what), Kind::property_list);
  if ((options.gzip_level > 0 || options.shuffle || !options.chunk.empty()) && count > 0) {
    if (options.gzip_level > 9) throw InternalError("gzip level " + std::to_string(options.gzip_level) + " > 9");
    const std::vector<hsize_t> chunk = options.chunk.empty()
                                           ? automatic_chunk(dims, sizeof(T))
                                           : std::vector<hsize_t>(options.chunk.begin(), options.chunk.end());
    if (H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()) < 0)
      fail(file_, what + ": bad chunk shape: expected one extent per dimension, each 1..the dataset's extent");
    // Shuffle runs before deflate: it groups the bytes of equal significance (H5Pset_shuffle).
    if (options.shuffle && H5Pset_shuffle(dcpl.get()) < 0) fail(file_, what + ": cannot set the shuffle filter");
    if (options.gzip_level > 0) {
      if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) fail(file_, what + ": this HDF5 has no gzip (deflate) filter");
      if (H5Pset_deflate(dcpl.get(), static_cast<unsigned>(options.gzip_level)) < 0) fail(file_, what);
    }
  }
  Hdf5Handle dataset(checked(H5Dcreate2(handle_.get(), name.c_str(), ElementTypes<T>::file(), space.get(),
                                        H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                             file_, what + ": expected a new name in a file open for writing"),
                     Kind::dataset);
  if (count > 0 && H5Dwrite(dataset.get(), ElementTypes<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                            values.data()) < 0)
    fail(file_, what);
  if (!dataset.reset()) fail(file_, what);
}

Hdf5Handle Hdf5Group::open_dataset(const std::string& name) const {
  if (!contains(name)) fail(file_, "has no dataset " + where(name) + ": expected a file written by fp8check");
  return Hdf5Handle(checked(H5Dopen2(handle_.get(), name.c_str(), H5P_DEFAULT), file_,
                            "cannot open " + where(name) + " as a dataset: expected a file written by fp8check"),
                    Kind::dataset);
}

std::vector<std::uint64_t> Hdf5Group::extents(std::int64_t dataset, const std::string& name) const {
  Hdf5Handle space(checked(H5Dget_space(dataset), file_, "cannot read dataset " + where(name)), Kind::dataspace);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 1 || rank > 2)
    fail(file_, "dataset " + where(name) + " has " + std::to_string(rank) + " dimensions: expected 1 or 2");
  hsize_t dims[2] = {0, 0};
  if (H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0) fail(file_, "cannot read dataset " + where(name));
  return std::vector<std::uint64_t>(dims, dims + rank);
}

std::uint64_t Hdf5Group::checked_count(const std::vector<std::uint64_t>& shape, const std::string& name,
                                       std::uint64_t max_elements) const {
  std::uint64_t count = 1;
  for (const std::uint64_t e : shape) count = checked_product(count, e).value_or(UINT64_MAX);
  if (count > max_elements) {
    std::string dims;
    for (const std::uint64_t e : shape) dims += (dims.empty() ? "" : " x ") + std::to_string(e);
    fail(file_, "dataset " + where(name) + " declares " + dims + " elements: expected at most " +
                    std::to_string(max_elements) + " here (the schema's bound, checked before reading)");
  }
  return count;
}

std::vector<std::uint64_t> Hdf5Group::dataset_shape(const std::string& name) const {
  const Hdf5Handle dataset = open_dataset(name);
  return extents(dataset.get(), name);
}

template <Hdf5Element T>
Hdf5Array<T> Hdf5Group::read_dataset(const std::string& name, std::uint64_t max_elements) const {
  const std::string what = "cannot read dataset " + where(name);
  const Hdf5Handle dataset = open_dataset(name);
  Hdf5Handle type(checked(H5Dget_type(dataset.get()), file_, what), Kind::datatype);
  if (!stored_as<T>(type.get()))
    fail(file_, "dataset " + where(name) + " holds " + type_text(type.get()) + ": expected " + ElementTypes<T>::name);
  Hdf5Array<T> out;
  out.shape = extents(dataset.get(), name);
  const std::uint64_t count = checked_count(out.shape, name, max_elements);
  try {
    out.values.resize(count);
  } catch (const std::bad_alloc&) {
    fail(file_, "dataset " + where(name) + " of " + std::to_string(count) + " elements does not fit in memory");
  }
  if (!out.values.empty() &&
      H5Dread(dataset.get(), ElementTypes<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0)
    fail(file_, what);
  return out;
}

#define FP8C_HDF5_INSTANTIATE(T)                                                                          \
  template void Hdf5Group::write_dataset<T>(const std::string&, std::span<const T>,                       \
                                            const std::vector<std::uint64_t>&, const DatasetOptions&); \
  template Hdf5Array<T> Hdf5Group::read_dataset<T>(const std::string&, std::uint64_t) const;
FP8C_HDF5_INSTANTIATE(std::uint8_t)
FP8C_HDF5_INSTANTIATE(std::uint16_t)
FP8C_HDF5_INSTANTIATE(std::int64_t)
FP8C_HDF5_INSTANTIATE(float)
FP8C_HDF5_INSTANTIATE(double)
#undef FP8C_HDF5_INSTANTIATE

namespace {

void write_attribute(hid_t object, const std::string& file, const std::string& what, const std::string& name,
                     hid_t file_type, hid_t memory_type, const void* data) {
  if (H5Aexists(object, name.c_str()) > 0 && H5Adelete(object, name.c_str()) < 0) fail(file, what);
  Hdf5Handle space(checked(H5Screate(H5S_SCALAR), file, what), Kind::dataspace);
  Hdf5Handle attribute(
      checked(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), file, what),
      Kind::attribute);
  if (H5Awrite(attribute.get(), memory_type, data) < 0 || !attribute.reset()) fail(file, what);
}

// The attribute and its stored type, if it holds one value of class `cls`.
std::pair<Hdf5Handle, Hdf5Handle> open_attribute(hid_t object, const std::string& file, const std::string& what,
                                                 const std::string& name, H5T_class_t cls, const char* expected) {
  if (H5Aexists(object, name.c_str()) <= 0) fail(file, what + ": no such attribute: expected " + expected);
  Hdf5Handle attribute(checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), file, what), Kind::attribute);
  Hdf5Handle type(checked(H5Aget_type(attribute.get()), file, what), Kind::datatype);
  Hdf5Handle space(checked(H5Aget_space(attribute.get()), file, what), Kind::dataspace);
  if (H5Tget_class(type.get()) != cls || H5Sget_simple_extent_npoints(space.get()) != 1)
    fail(file, what + ": holds " + type_text(type.get()) + " (" +
                   std::to_string(H5Sget_simple_extent_npoints(space.get())) + " values): expected one " + expected);
  return {std::move(attribute), std::move(type)};
}

}  // namespace

void Hdf5Group::set_attribute(const std::string& name, const std::string& value) {
  const Hdf5Handle type = variable_string_type(file_);
  const char* text = value.c_str();
  write_attribute(handle_.get(), file_, "cannot write attribute " + where(name), name, type.get(), type.get(), &text);
}

void Hdf5Group::set_attribute(const std::string& name, std::int64_t value) {
  write_attribute(handle_.get(), file_, "cannot write attribute " + where(name), name, H5T_STD_I64LE,
                  H5T_NATIVE_INT64, &value);
}

void Hdf5Group::set_attribute(const std::string& name, double value) {
  write_attribute(handle_.get(), file_, "cannot write attribute " + where(name), name, H5T_IEEE_F64LE,
                  H5T_NATIVE_DOUBLE, &value);
}

bool Hdf5Group::has_attribute(const std::string& name) const {
  const htri_t exists = H5Aexists(handle_.get(), name.c_str());
  if (exists < 0) fail(file_, "cannot look up attribute " + where(name) + ": expected an open file");
  return exists > 0;
}

std::string Hdf5Group::string_attribute(const std::string& name) const {
  const std::string what = "cannot read attribute " + where(name);
  auto [attribute, type] = open_attribute(handle_.get(), file_, what, name, H5T_STRING, "string");
  if (H5Tis_variable_str(type.get()) > 0) {
    // Read in the stored character set: HDF5 does not convert between ASCII and UTF-8.
    const Hdf5Handle memory = variable_string_type(file_);
    char* text = nullptr;
    if (H5Tset_cset(memory.get(), H5Tget_cset(type.get())) < 0 || H5Aread(attribute.get(), memory.get(), &text) < 0)
      fail(file_, what);
    std::string out = text != nullptr ? text : "";
    H5free_memory(text);
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  Hdf5Handle memory(checked(H5Tcopy(H5T_C_S1), file_, what), Kind::datatype);
  std::string out(size, '\0');
  if (H5Tset_size(memory.get(), size) < 0 || H5Tset_cset(memory.get(), H5Tget_cset(type.get())) < 0 ||
      H5Aread(attribute.get(), memory.get(), out.data()) < 0)
    fail(file_, what);
  out.resize(out.find('\0') == std::string::npos ? size : out.find('\0'));
  return out;
}

std::int64_t Hdf5Group::int_attribute(const std::string& name) const {
  const std::string what = "cannot read attribute " + where(name);
  auto [attribute, type] = open_attribute(handle_.get(), file_, what, name, H5T_INTEGER, "integer");
  std::int64_t value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_INT64, &value) < 0) fail(file_, what + ": expected a 64-bit integer");
  return value;
}

double Hdf5Group::double_attribute(const std::string& name) const {
  const std::string what = "cannot read attribute " + where(name);
  auto [attribute, type] = open_attribute(handle_.get(), file_, what, name, H5T_FLOAT, "float");
  double value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) fail(file_, what);
  return value;
}

namespace {

Hdf5Handle strong_close_access(const std::string& file) {
  Hdf5Handle fapl(checked(H5Pcreate(H5P_FILE_ACCESS), file, "cannot set up file access"), Kind::property_list);
  if (H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0) fail(file, "cannot set up file access");
  return fapl;
}

}  // namespace

Hdf5File Hdf5File::create(const std::filesystem::path& target) {
  silence_hdf5_errors();
  Hdf5File f;
  f.name_ = target.string();
  f.atomic_ = std::make_unique<io::AtomicFile>(target);  // InputError if the directory is not writable
  const Hdf5Handle fapl = strong_close_access(f.name_);
  // The HDF5 1.8 object format (compact groups and attributes) cuts the per-case overhead
  // of results files by about a quarter; every HDF5 >= 1.8 and h5py reads it.
  if (H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0) fail(f.name_, "cannot set up file access");
  f.file_ = Hdf5Handle(checked(H5Fcreate(f.atomic_->temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                               f.name_, "cannot create HDF5 file: expected a writable directory"),
                       Kind::file);
  f.root_ = std::make_unique<Hdf5Group>(
      Hdf5Handle(checked(H5Gopen2(f.file_.get(), "/", H5P_DEFAULT), f.name_, "cannot open the root group"),
                 Kind::group),
      f.name_, "/");
  return f;
}

Hdf5File Hdf5File::open(const std::filesystem::path& path) {
  silence_hdf5_errors();
  Hdf5File f;
  f.name_ = path.string();
  io::require_regular_file(path, "an HDF5 file");
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(f.name_, "not an HDF5 file: expected an HDF5 file");
  const Hdf5Handle fapl = strong_close_access(f.name_);
  f.file_ = Hdf5Handle(checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), f.name_,
                               "cannot open HDF5 file: expected a readable HDF5 file"),
                       Kind::file);
  f.root_ = std::make_unique<Hdf5Group>(
      Hdf5Handle(checked(H5Gopen2(f.file_.get(), "/", H5P_DEFAULT), f.name_, "cannot open the root group"),
                 Kind::group),
      f.name_, "/");
  return f;
}

Hdf5File::Hdf5File(Hdf5File&&) noexcept = default;

Hdf5File::~Hdf5File() {
  if (root_) root_.reset();
  file_.reset();  // errors cannot be reported here; an uncommitted temporary is removed next
}

void Hdf5File::commit() {
  if (!atomic_) throw InternalError(name_ + ": commit() on a file opened for reading");
  if (atomic_->committed()) throw InternalError(name_ + ": committed twice");
  root_.reset();
  if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0 || !file_.reset())
    fail(name_, "cannot write HDF5 file: expected a writable directory with free space");
  atomic_->commit();
}

}  // namespace fp8check::record
