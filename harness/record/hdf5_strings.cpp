// String datasets and unsigned 64-bit attributes of the HDF5 layer (hdf5_file.hpp).
#include <hdf5.h>

#include "harness/record/detail/hdf5_status.hpp"
#include "harness/record/hdf5_file.hpp"

namespace fp8check::record {

using namespace detail;
using Kind = Hdf5Handle::Kind;

void Hdf5Group::write_strings(const std::string& name, std::span<const std::string> values) {
  const std::string what = "cannot write dataset " + where(name);
  const Hdf5Handle type = variable_string_type(file_);
  const hsize_t count = values.size();
  Hdf5Handle space(checked(H5Screate_simple(1, &count, nullptr), file_, what), Kind::dataspace);
  Hdf5Handle dataset(
      checked(H5Dcreate2(handle_.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              file_, what + ": expected a new name in a file open for writing"),
      Kind::dataset);
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const std::string& v : values) pointers.push_back(v.c_str());
  if (count > 0 && H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
    fail(file_, what);
  if (!dataset.reset()) fail(file_, what);
}

std::vector<std::string> Hdf5Group::read_strings(const std::string& name, std::uint64_t max_elements) const {
  const std::string what = "cannot read dataset " + where(name);
  const Hdf5Handle dataset = open_dataset(name);
  Hdf5Handle stored(checked(H5Dget_type(dataset.get()), file_, what), Kind::datatype);
  if (H5Tget_class(stored.get()) != H5T_STRING)
    fail(file_, "dataset " + where(name) + " holds " + type_text(stored.get()) + ": expected strings");
  const std::vector<std::uint64_t> shape = extents(dataset.get(), name);
  if (shape.size() != 1) fail(file_, "dataset " + where(name) + " has 2 dimensions: expected 1");
  const std::uint64_t count = checked_count(shape, name, max_elements);
  Hdf5Handle space(checked(H5Dget_space(dataset.get()), file_, what), Kind::dataspace);
  std::vector<std::string> out;
  if (count == 0) return out;
  // Read as variable-length strings whatever the stored form: HDF5 converts fixed-length
  // ones, and allocates each string, which H5Dvlen_reclaim frees.
  // In the stored character set: HDF5 does not convert between ASCII and UTF-8.
  const Hdf5Handle memory = variable_string_type(file_);
  std::vector<char*> pointers;
  try {
    pointers.assign(count, nullptr);
  } catch (const std::bad_alloc&) {
    fail(file_, "dataset " + where(name) + " of " + std::to_string(count) + " strings does not fit in memory");
  }
  if (H5Tset_cset(memory.get(), H5Tget_cset(stored.get())) < 0 ||
      H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
    fail(file_, what);
  out.reserve(count);
  for (const char* p : pointers) out.emplace_back(p != nullptr ? p : "");
  H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, pointers.data());
  return out;
}

void Hdf5Group::set_uint64_attribute(const std::string& name, std::uint64_t value) {
  const std::string what = "cannot write attribute " + where(name);
  if (H5Aexists(handle_.get(), name.c_str()) > 0 && H5Adelete(handle_.get(), name.c_str()) < 0) fail(file_, what);
  Hdf5Handle space(checked(H5Screate(H5S_SCALAR), file_, what), Kind::dataspace);
  Hdf5Handle attribute(
      checked(H5Acreate2(handle_.get(), name.c_str(), H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), file_,
              what),
      Kind::attribute);
  if (H5Awrite(attribute.get(), H5T_NATIVE_UINT64, &value) < 0 || !attribute.reset()) fail(file_, what);
}

std::uint64_t Hdf5Group::uint64_attribute(const std::string& name) const {
  const std::string what = "cannot read attribute " + where(name);
  if (H5Aexists(handle_.get(), name.c_str()) <= 0)
    fail(file_, what + ": no such attribute: expected an unsigned integer");
  Hdf5Handle attribute(checked(H5Aopen(handle_.get(), name.c_str(), H5P_DEFAULT), file_, what), Kind::attribute);
  Hdf5Handle type(checked(H5Aget_type(attribute.get()), file_, what), Kind::datatype);
  Hdf5Handle space(checked(H5Aget_space(attribute.get()), file_, what), Kind::dataspace);
  if (H5Tget_class(type.get()) != H5T_INTEGER || H5Tget_sign(type.get()) != H5T_SGN_NONE ||
      H5Sget_simple_extent_npoints(space.get()) != 1)
    fail(file_, what + ": holds " + type_text(type.get()) + ": expected one unsigned integer");
  std::uint64_t value = 0;
  if (H5Aread(attribute.get(), H5T_NATIVE_UINT64, &value) < 0) fail(file_, what);
  return value;
}

}  // namespace fp8check::record
