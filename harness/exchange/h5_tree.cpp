#include "harness/exchange/h5_tree.hpp"

#include <hdf5.h>

#include <type_traits>

#include "harness/core/error.hpp"
#include "harness/io/input_path.hpp"
#include "harness/io/atomic_file.hpp"
#include "harness/record/detail/hdf5_status.hpp"

namespace fp8check::exchange {
namespace {

using record::Hdf5Handle;
using Kind = Hdf5Handle::Kind;
namespace detail = record::detail;

constexpr int kMaxRank = 4;

// The native (memory) and little-endian file types of T.
template <H5Element T>
std::pair<hid_t, hid_t> h5_types() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return {H5T_NATIVE_UINT8, H5T_STD_U8LE};
  else if constexpr (std::is_same_v<T, std::int8_t>) return {H5T_NATIVE_INT8, H5T_STD_I8LE};
  else if constexpr (std::is_same_v<T, std::uint16_t>) return {H5T_NATIVE_UINT16, H5T_STD_U16LE};
  else if constexpr (std::is_same_v<T, std::int64_t>) return {H5T_NATIVE_INT64, H5T_STD_I64LE};
  else if constexpr (std::is_same_v<T, float>) return {H5T_NATIVE_FLOAT, H5T_IEEE_F32LE};
  else return {H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE};
}
template <H5Element T>
hid_t memory_type() { return h5_types<T>().first; }

template <H5Element T>
bool stored_as(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  if (H5Tget_size(type) != sizeof(T)) return false;
  if constexpr (std::is_floating_point_v<T>) return cls == H5T_FLOAT;
  else return cls == H5T_INTEGER && (H5Tget_sign(type) == H5T_SGN_NONE) == std::is_unsigned_v<T>;
}

Hdf5Handle strong_close_access(const std::string& file) {
  Hdf5Handle fapl(detail::checked(H5Pcreate(H5P_FILE_ACCESS), file, "cannot set up file access"), Kind::property_list);
  if (H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG) < 0) detail::fail(file, "cannot set up file access");
  return fapl;
}

}  // namespace

template <H5Element T>
const char* h5_element_name() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return "uint8";
  else if constexpr (std::is_same_v<T, std::int8_t>) return "int8";
  else if constexpr (std::is_same_v<T, std::uint16_t>) return "uint16";
  else if constexpr (std::is_same_v<T, std::int64_t>) return "int64";
  else if constexpr (std::is_same_v<T, float>) return "float32";
  else return "float64";
}

std::string shape_text(const Shape& s) {
  std::string t = "(";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + (s.size() == 1 ? ",)" : ")");
}

std::string H5Node::where(const std::string& name) const { return (path_ == "/" ? "/" : path_ + "/") + name; }

void H5Node::fail(const std::string& what) const { detail::fail(file_, what); }

H5Node H5Node::create_group(const std::string& name) {
  const hid_t id = H5Gcreate2(handle_.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  detail::checked(id, file_, "cannot create group " + where(name));
  return H5Node(Hdf5Handle(id, Kind::group), file_, where(name), true);
}

bool H5Node::contains(const std::string& name) const {
  const htri_t exists = H5Lexists(handle_.get(), name.c_str(), H5P_DEFAULT);
  if (exists < 0) fail("cannot look up " + where(name));
  return exists > 0;
}

H5Node H5Node::open(const std::string& name, const std::string& expected) const {
  if (!group_ || !contains(name)) fail("has no " + where(name) + ": expected " + expected);
  const hid_t id = H5Oopen(handle_.get(), name.c_str(), H5P_DEFAULT);
  detail::checked(id, file_, "cannot open " + where(name));
  switch (H5Iget_type(id)) {
    case H5I_GROUP: return H5Node(Hdf5Handle(id, Kind::group), file_, where(name), true);
    case H5I_DATASET: return H5Node(Hdf5Handle(id, Kind::dataset), file_, where(name), false);
    default: H5Oclose(id);
  }
  fail(where(name) + " is neither a group nor a dataset: expected " + expected);
}

std::vector<std::string> H5Node::members() const {
  std::vector<std::string> names;
  if (!group_) return names;
  H5G_info_t info;
  if (H5Gget_info(handle_.get(), &info) < 0) fail("cannot list the members of " + path_);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = H5Lget_name_by_idx(handle_.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (size < 0) fail("cannot list the members of " + path_);
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    if (H5Lget_name_by_idx(handle_.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) < 0)
      fail("cannot list the members of " + path_);
    name.resize(static_cast<std::size_t>(size));
    names.push_back(std::move(name));
  }
  return names;
}

template <H5Element T>
H5Node H5Node::write(const std::string& name, std::span<const T> values, const Shape& shape) {
  std::uint64_t count = 1;
  for (std::uint64_t e : shape) count *= e;
  if (shape.empty() || shape.size() > kMaxRank || count != values.size())
    throw InternalError("dataset " + where(name) + ": shape " + shape_text(shape) + " does not hold " +
                        std::to_string(values.size()) + " values");
  const std::string what = "cannot write dataset " + where(name);
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  Hdf5Handle space(detail::checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), file_, what),
                   Kind::dataspace);
  Hdf5Handle dataset(detail::checked(H5Dcreate2(handle_.get(), name.c_str(), h5_types<T>().second, space.get(), H5P_DEFAULT,
                                                H5P_DEFAULT, H5P_DEFAULT),
                                     file_, what + ": expected a new name in a file open for writing"),
                     Kind::dataset);
  if (count > 0 && H5Dwrite(dataset.get(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail(what);
  return H5Node(std::move(dataset), file_, where(name), false);
}

Shape H5Node::shape() const {
  if (group_) fail(path_ + " is a group: expected a dataset");
  Hdf5Handle space(detail::checked(H5Dget_space(handle_.get()), file_, "cannot read dataset " + path_), Kind::dataspace);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > kMaxRank)
    fail("dataset " + path_ + " has " + std::to_string(rank) + " dimensions: expected at most " + std::to_string(kMaxRank));
  hsize_t dims[kMaxRank] = {};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  return Shape(dims, dims + rank);
}

std::string H5Node::type_text() const {
  if (group_) return "a group";
  Hdf5Handle type(detail::checked(H5Dget_type(handle_.get()), file_, "cannot read dataset " + path_), Kind::datatype);
  return detail::type_text(type.get());
}

template <H5Element T>
bool H5Node::holds() const {
  if (group_) return false;
  Hdf5Handle type(detail::checked(H5Dget_type(handle_.get()), file_, "cannot read dataset " + path_), Kind::datatype);
  return stored_as<T>(type.get());
}

template <H5Element T>
std::vector<T> H5Node::read(const Shape& expected) const {
  if (group_) fail(path_ + " is a group: expected a " + std::string(h5_element_name<T>()) + " dataset");
  if (!holds<T>())
    fail("dataset " + path_ + " holds " + type_text() + " values: expected " + h5_element_name<T>());
  const Shape got = shape();
  if (got != expected)
    fail("dataset " + path_ + " has shape " + shape_text(got) + ": expected " + shape_text(expected));
  std::uint64_t count = 1;
  for (std::uint64_t e : expected) count *= e;
  std::vector<T> values(count);
  if (count > 0 && H5Dread(handle_.get(), memory_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail("cannot read dataset " + path_ + ": expected a complete file (truncated or damaged?)");
  return values;
}

#define FP8C_EXCHANGE_INSTANTIATE(T)                                                                \
  template const char* h5_element_name<T>();                                                      \
  template H5Node H5Node::write<T>(const std::string&, std::span<const T>, const Shape&);          \
  template std::vector<T> H5Node::read<T>(const Shape&) const;                                    \
  template bool H5Node::holds<T>() const;
FP8C_EXCHANGE_INSTANTIATE(std::uint8_t)
FP8C_EXCHANGE_INSTANTIATE(std::int8_t)
FP8C_EXCHANGE_INSTANTIATE(std::uint16_t)
FP8C_EXCHANGE_INSTANTIATE(std::int64_t)
FP8C_EXCHANGE_INSTANTIATE(float)
FP8C_EXCHANGE_INSTANTIATE(double)
#undef FP8C_EXCHANGE_INSTANTIATE

// Attributes -------------------------------------------------------------------------

namespace {

void write_attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type, const void* data,
                     const std::vector<hsize_t>& dims, const std::string& file, const std::string& what) {
  if (H5Aexists(object, name.c_str()) > 0 && H5Adelete(object, name.c_str()) < 0) detail::fail(file, what);
  const hid_t space_id = dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, dims.data(), nullptr);
  Hdf5Handle space(detail::checked(space_id, file, what), Kind::dataspace);
  Hdf5Handle attribute(
      detail::checked(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), file, what),
      Kind::attribute);
  if (H5Awrite(attribute.get(), memory_type, data) < 0 || !attribute.reset()) detail::fail(file, what);
}

struct OpenAttribute {
  Hdf5Handle attribute, type;
  hssize_t count = 0;
};

OpenAttribute open_attribute(hid_t object, const std::string& name, const std::string& file, const std::string& what,
                             const char* expected) {
  if (H5Aexists(object, name.c_str()) <= 0) detail::fail(file, what + ": no such attribute: expected " + expected);
  OpenAttribute a;
  a.attribute = Hdf5Handle(detail::checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), file, what), Kind::attribute);
  a.type = Hdf5Handle(detail::checked(H5Aget_type(a.attribute.get()), file, what), Kind::datatype);
  Hdf5Handle space(detail::checked(H5Aget_space(a.attribute.get()), file, what), Kind::dataspace);
  a.count = H5Sget_simple_extent_npoints(space.get());
  return a;
}

[[noreturn]] void wrong_kind(const OpenAttribute& a, const std::string& file, const std::string& what,
                             const char* expected) {
  detail::fail(file, what + ": holds " + std::to_string(a.count) + " " + detail::type_text(a.type.get()) +
                         " value(s): expected " + expected);
}

}  // namespace

void H5Node::set(const std::string& name, const std::string& value) {
  const Hdf5Handle type = detail::variable_string_type(file_);
  const char* text = value.c_str();
  write_attribute(handle_.get(), name, type.get(), type.get(), &text, {}, file_, "cannot write attribute " + where(name));
}

void H5Node::set(const std::string& name, std::int64_t value) {
  write_attribute(handle_.get(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, {}, file_,
                  "cannot write attribute " + where(name));
}

void H5Node::set(const std::string& name, double value) {
  write_attribute(handle_.get(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, {}, file_,
                  "cannot write attribute " + where(name));
}

void H5Node::set(const std::string& name, const std::vector<std::int64_t>& values) {
  write_attribute(handle_.get(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), {values.size()}, file_,
                  "cannot write attribute " + where(name));
}

void H5Node::set(const std::string& name, const std::vector<double>& values) {
  write_attribute(handle_.get(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), {values.size()}, file_,
                  "cannot write attribute " + where(name));
}

bool H5Node::has(const std::string& name) const {
  const htri_t exists = H5Aexists(handle_.get(), name.c_str());
  if (exists < 0) fail("cannot look up attribute " + where(name));
  return exists > 0;
}

std::string H5Node::text(const std::string& name) const {
  const std::string what = "attribute " + where(name);
  constexpr const char* expected = "a string";
  const OpenAttribute a = open_attribute(handle_.get(), name, file_, what, expected);
  if (H5Tget_class(a.type.get()) != H5T_STRING || a.count != 1) wrong_kind(a, file_, what, expected);
  if (H5Tis_variable_str(a.type.get()) > 0) {
    const Hdf5Handle memory = detail::variable_string_type(file_);
    char* value = nullptr;
    if (H5Tset_cset(memory.get(), H5Tget_cset(a.type.get())) < 0 || H5Aread(a.attribute.get(), memory.get(), &value) < 0)
      fail("cannot read " + what);
    std::string out = value != nullptr ? value : "";
    H5free_memory(value);
    return out;
  }
  const std::size_t size = H5Tget_size(a.type.get());
  if (size > (std::size_t{1} << 20)) fail(what + " is a string of " + std::to_string(size) + " bytes: expected at most 1 MiB");
  Hdf5Handle memory(detail::checked(H5Tcopy(H5T_C_S1), file_, "cannot read " + what), Kind::datatype);
  std::string out(size, '\0');
  if (H5Tset_size(memory.get(), size) < 0 || H5Tset_cset(memory.get(), H5Tget_cset(a.type.get())) < 0 ||
      H5Aread(a.attribute.get(), memory.get(), out.data()) < 0)
    fail("cannot read " + what);
  out.resize(out.find('\0') == std::string::npos ? size : out.find('\0'));
  return out;
}

std::int64_t H5Node::integer(const std::string& name) const {
  const std::string what = "attribute " + where(name);
  constexpr const char* expected = "one integer";
  const OpenAttribute a = open_attribute(handle_.get(), name, file_, what, expected);
  if (H5Tget_class(a.type.get()) != H5T_INTEGER || a.count != 1) wrong_kind(a, file_, what, expected);
  std::int64_t value = 0;
  if (H5Aread(a.attribute.get(), H5T_NATIVE_INT64, &value) < 0) fail("cannot read " + what + " as a 64-bit integer");
  return value;
}

double H5Node::number(const std::string& name) const {
  const std::string what = "attribute " + where(name);
  constexpr const char* expected = "one number";
  const OpenAttribute a = open_attribute(handle_.get(), name, file_, what, expected);
  const H5T_class_t cls = H5Tget_class(a.type.get());
  if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || a.count != 1) wrong_kind(a, file_, what, expected);
  double value = 0;
  if (H5Aread(a.attribute.get(), H5T_NATIVE_DOUBLE, &value) < 0) fail("cannot read " + what);
  return value;
}

std::vector<std::int64_t> H5Node::integers(const std::string& name) const {
  const std::string what = "attribute " + where(name);
  constexpr const char* expected = "a list of at most 16 integers";
  const OpenAttribute a = open_attribute(handle_.get(), name, file_, what, expected);
  if (H5Tget_class(a.type.get()) != H5T_INTEGER || a.count < 0 || a.count > 16) wrong_kind(a, file_, what, expected);
  std::vector<std::int64_t> values(static_cast<std::size_t>(a.count));
  if (!values.empty() && H5Aread(a.attribute.get(), H5T_NATIVE_INT64, values.data()) < 0) fail("cannot read " + what);
  return values;
}

// Files ------------------------------------------------------------------------------

H5File H5File::create(const std::filesystem::path& target) {
  detail::silence_hdf5_errors();
  H5File f;
  f.name_ = target.string();
  f.atomic_ = std::make_unique<io::AtomicFile>(target);
  const Hdf5Handle fapl = strong_close_access(f.name_);
  f.file_ = Hdf5Handle(detail::checked(H5Fcreate(f.atomic_->temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                                       f.name_, "cannot create HDF5 file: expected a writable directory"),
                       Kind::file);
  f.root_ = std::make_unique<H5Node>(
      Hdf5Handle(detail::checked(H5Gopen2(f.file_.get(), "/", H5P_DEFAULT), f.name_, "cannot open the root group"),
                 Kind::group),
      f.name_, "/", true);
  return f;
}

H5File H5File::open(const std::filesystem::path& path) {
  detail::silence_hdf5_errors();
  H5File f;
  f.name_ = path.string();
  io::require_regular_file(path, "an HDF5 file");
  if (H5Fis_hdf5(path.c_str()) <= 0) detail::fail(f.name_, "not an HDF5 file (or a truncated one): expected an HDF5 file");
  const Hdf5Handle fapl = strong_close_access(f.name_);
  f.file_ = Hdf5Handle(detail::checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), f.name_,
                                       "cannot open HDF5 file: expected a complete, readable HDF5 file"),
                       Kind::file);
  f.root_ = std::make_unique<H5Node>(
      Hdf5Handle(detail::checked(H5Gopen2(f.file_.get(), "/", H5P_DEFAULT), f.name_, "cannot open the root group"),
                 Kind::group),
      f.name_, "/", true);
  return f;
}

H5File::H5File(H5File&&) noexcept = default;

H5File::~H5File() {
  root_.reset();
  file_.reset();
}

void H5File::commit() {
  if (!atomic_) throw InternalError(name_ + ": commit() on a file opened for reading");
  root_.reset();
  if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0 || !file_.reset())
    detail::fail(name_, "cannot write HDF5 file: expected a writable directory with free space");
  atomic_->commit();
}

}  // namespace fp8check::exchange
