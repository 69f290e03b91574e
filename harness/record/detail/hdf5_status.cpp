#include "harness/record/detail/hdf5_status.hpp"

#include "harness/core/error.hpp"

namespace fp8check::record::detail {

void silence_hdf5_errors() {
  static const bool silenced = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)silenced;
}

std::string take_hdf5_message() {
  std::string message;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
        if (n == 0 && e->desc != nullptr) *static_cast<std::string*>(out) = e->desc;
        return 0;
      },
      &message);
  H5Eclear2(H5E_DEFAULT);
  return message;
}

void fail(const std::string& file, const std::string& what) {
  const std::string detail = take_hdf5_message();
  throw InputError(file + ": " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

hid_t checked(hid_t id, const std::string& file, const std::string& what) {
  if (id < 0) fail(file, what);
  return id;
}

std::string type_text(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  const std::string bits = std::to_string(8 * H5Tget_size(type)) + "-bit";
  if (cls == H5T_FLOAT) return bits + " float";
  if (cls == H5T_INTEGER) return bits + (H5Tget_sign(type) == H5T_SGN_NONE ? " unsigned" : " signed") + " integer";
  if (cls == H5T_STRING) return "string";
  return "HDF5 type class " + std::to_string(static_cast<int>(cls));
}

Hdf5Handle variable_string_type(const std::string& file) {
  Hdf5Handle t(checked(H5Tcopy(H5T_C_S1), file, "cannot make a string type"), Hdf5Handle::Kind::datatype);
  if (H5Tset_size(t.get(), H5T_VARIABLE) < 0 || H5Tset_cset(t.get(), H5T_CSET_UTF8) < 0)
    fail(file, "cannot make a string type");
  return t;
}

}  // namespace fp8check::record::detail
