#include "harness/io/npy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/io/atomic_file.hpp"
#include "harness/io/detail/npy_header.hpp"
#include "harness/io/output_path.hpp"

namespace fp8check::io {
namespace {

// .npy stores little-endian data; elements are copied as host values.
static_assert(std::endian::native == std::endian::little, "fp8check's .npy I/O assumes a little-endian host");

// "\x93NUMPY", then major and minor version bytes (numpy.lib.format, "Format Version 1.0").
constexpr unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kArrayAlign = 64;  // numpy's ARRAY_ALIGN: data starts on a 64-byte boundary

constexpr const char* kAccepted =
    "expected float16, float32, float64 (values to convert) or uint8, uint16, uint32 (codes, bit patterns)";

struct DtypeRow {
  NpyDtype dtype;
  std::string_view descr;  // as numpy writes it
  std::string_view name;
  std::size_t size;
};
constexpr DtypeRow kDtypes[] = {
    {NpyDtype::uint8, "|u1", "uint8", 1},       {NpyDtype::uint16, "<u2", "uint16", 2},
    {NpyDtype::float16, "<f2", "float16", 2},   {NpyDtype::float32, "<f4", "float32", 4},
    {NpyDtype::float64, "<f8", "float64", 8},   {NpyDtype::uint32, "<u4", "uint32", 4},
};

const DtypeRow& row(NpyDtype t) {
  for (const DtypeRow& r : kDtypes)
    if (r.dtype == t) return r;
  throw InternalError("unknown NpyDtype " + std::to_string(static_cast<int>(t)));
}

// numpy's name for a simple descr ("<i8" -> "int64"), else the descr itself.
std::string numpy_name(std::string_view descr) {
  if (descr.size() >= 3 && descr.size() <= 5 && std::strchr("<>|=", descr[0]) != nullptr &&
      descr.find_first_not_of("0123456789", 2) == std::string_view::npos) {
    const int bits = 8 * std::stoi(std::string(descr.substr(2)));
    switch (descr[1]) {
      case 'b': return "bool";
      case 'i': return "int" + std::to_string(bits);
      case 'u': return "uint" + std::to_string(bits);
      case 'f': return "float" + std::to_string(bits);
      case 'c': return "complex" + std::to_string(bits);
    }
  }
  if (descr == "|O") return "object";
  return std::string("'").append(descr).append("'");
}

NpyDtype dtype_from_descr(const detail::NpyHeader& h, const std::string& file) {
  if (!h.descr_is_string)
    throw InputError(file + ": structured dtype " + h.descr + " is not supported: " + kAccepted);
  const std::string_view d = h.descr;
  if (!d.empty() && std::strchr("<>|=", d[0]) != nullptr) {
    for (const DtypeRow& r : kDtypes) {
      if (d.substr(1) != r.descr.substr(1)) continue;
      // One-byte items have no byte order; for wider ones '=' (native) is little-endian here.
      if (r.size == 1 || d[0] == '<' || d[0] == '=') return r.dtype;
      if (d[0] == '>')
        throw InputError(file + ": big-endian arrays ('" + h.descr + "') are not supported: save with dtype '" +
                         std::string(r.descr) + "' (numpy: a.astype('" + std::string(r.descr) + "'))");
    }
  }
  const std::string name = numpy_name(d);
  throw InputError(file + ": dtype " + name + (name.front() == '\'' ? "" : " ('" + h.descr + "')") +
                   " is not supported: " + kAccepted);
}

std::uint64_t read_le(std::span<const std::byte> bytes, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{std::to_integer<unsigned>(bytes[at + i])} << (8 * i);
  return v;
}

}  // namespace

std::string_view npy_descr(NpyDtype t) { return row(t).descr; }
std::string_view npy_dtype_name(NpyDtype t) { return row(t).name; }
std::size_t npy_item_size(NpyDtype t) { return row(t).size; }
bool npy_is_float(NpyDtype t) { return t == NpyDtype::float16 || t == NpyDtype::float32 || t == NpyDtype::float64; }

NpyArray NpyArray::zeros(NpyDtype dtype, std::vector<std::size_t> shape) {
  NpyArray a{dtype, std::move(shape), {}};
  a.data.resize(a.element_count() * npy_item_size(dtype));
  return a;
}

std::size_t NpyArray::element_count() const {
  std::size_t n = 1;
  for (std::size_t extent : shape) n *= extent;
  return n;
}

std::string NpyArray::shape_string() const { return detail::python_shape(shape); }

double NpyArray::float_at(std::size_t i) const {
  switch (dtype) {
    case NpyDtype::float16:  // exact: fp16 is a subset of double
      return decode(Format::fp16, static_cast<std::uint32_t>(read_le(data, 2 * i, 2)));
    case NpyDtype::float32: {
      float v;
      std::memcpy(&v, data.data() + i * sizeof v, sizeof v);
      return v;
    }
    case NpyDtype::float64: {
      double v;
      std::memcpy(&v, data.data() + i * sizeof v, sizeof v);
      return v;
    }
    default: throw InternalError(std::string("float_at() on a ") + std::string(npy_dtype_name(dtype)) + " array");
  }
}

void NpyArray::set_float(std::size_t i, double v) {
  switch (dtype) {
    case NpyDtype::float16: {
      const auto bits = static_cast<std::uint16_t>(encode(Format::fp16, v));
      std::memcpy(data.data() + i * sizeof bits, &bits, sizeof bits);
      return;
    }
    case NpyDtype::float32: {
      const auto f = static_cast<float>(v);
      std::memcpy(data.data() + i * sizeof f, &f, sizeof f);
      return;
    }
    case NpyDtype::float64: std::memcpy(data.data() + i * sizeof v, &v, sizeof v); return;
    default: throw InternalError(std::string("set_float() on a ") + std::string(npy_dtype_name(dtype)) + " array");
  }
}

std::uint32_t NpyArray::code_at(std::size_t i) const {
  if (dtype == NpyDtype::uint8) return std::to_integer<std::uint32_t>(data[i]);
  if (dtype == NpyDtype::uint16) return static_cast<std::uint32_t>(read_le(data, 2 * i, 2));
  if (dtype == NpyDtype::uint32) return static_cast<std::uint32_t>(read_le(data, 4 * i, 4));
  throw InternalError(std::string("code_at() on a ") + std::string(npy_dtype_name(dtype)) + " array");
}

void NpyArray::set_code(std::size_t i, std::uint32_t code) {
  const std::size_t size = npy_item_size(dtype);
  if (npy_is_float(dtype) || (size < 4 && code >> (8 * size) != 0))
    throw InternalError("code " + std::to_string(code) + " does not fit a " + std::string(npy_dtype_name(dtype)));
  for (std::size_t b = 0; b < size; ++b) data[i * size + b] = static_cast<std::byte>(code >> (8 * b));
}

NpyArray npy_from_bytes(std::span<const std::byte> bytes, const std::string& file) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw InputError(file + ": not a .npy file (bad magic): expected a file written by numpy.save");
  if (bytes.size() < 8) throw InputError(file + ": truncated .npy file (no version): expected numpy.save output");
  const unsigned major = std::to_integer<unsigned>(bytes[6]), minor = std::to_integer<unsigned>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    throw InputError(file + ": .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                     " is not supported: expected 1.0, 2.0 or 3.0");
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t header_start = 8 + length_size;
  if (bytes.size() < header_start)
    throw InputError(file + ": truncated .npy file (no header length): expected numpy.save output");
  const std::size_t header_length = read_le(bytes, 8, length_size);
  if (bytes.size() - header_start < header_length)
    throw InputError(file + ": truncated .npy header (" + std::to_string(header_length) + " bytes declared, " +
                     std::to_string(bytes.size() - header_start) + " present): expected numpy.save output");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + header_start, header_length);
  const detail::NpyHeader h = detail::parse_npy_header(text, file);

  NpyArray a;
  a.dtype = dtype_from_descr(h, file);
  // Fortran order changes the layout only with two or more dimensions.
  if (h.fortran_order && h.shape.size() > 1)
    throw InputError(file + ": Fortran-order arrays are not supported: save np.ascontiguousarray(a)");
  std::size_t data_size = npy_item_size(a.dtype);
  for (std::uint64_t extent : h.shape) {
    a.shape.push_back(static_cast<std::size_t>(extent));
    if (__builtin_mul_overflow(data_size, extent, &data_size))
      throw InputError(file + ": shape " + a.shape_string() +
                       "... is too large: expected an array that fits in memory");
  }
  const std::size_t data_start = header_start + header_length;
  const std::size_t present = bytes.size() - data_start;
  const std::string declared = "shape " + a.shape_string() + " " + std::string(npy_dtype_name(a.dtype)) + " = " +
                               std::to_string(data_size) + " data bytes";
  if (present < data_size)
    throw InputError(file + ": truncated data: the header declares " + declared + ", the file has " +
                     std::to_string(present) + ": expected a complete numpy.save output");
  if (present > data_size)
    throw InputError(file + ": " + std::to_string(present - data_size) + " bytes follow the array data (" +
                     declared + "): expected one array per file, as numpy.save writes");
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  return a;
}

std::vector<std::byte> npy_to_bytes(const NpyArray& a, int major_version) {
  if (a.data.size() != a.element_count() * npy_item_size(a.dtype))
    throw InternalError("NpyArray of shape " + a.shape_string() + " holds " + std::to_string(a.data.size()) +
                        " bytes, expected " + std::to_string(a.element_count() * npy_item_size(a.dtype)));
  if (major_version < 0 || major_version > 3) throw InternalError("no .npy version " + std::to_string(major_version));
  const std::string dict = detail::format_npy_header(npy_descr(a.dtype), a.shape);
  // numpy's _wrap_header: dict, spaces, '\n', so that the data starts at a multiple
  // of 64 (a full 64 spaces when already aligned, as numpy does).
  const std::size_t text_length = dict.size() + 1;
  const auto padding = [&](std::size_t length_size) {
    return kArrayAlign - (8 + length_size + text_length) % kArrayAlign;
  };
  const int major = major_version != 0 ? major_version : (text_length + padding(2) <= 0xFFFF ? 1 : 2);
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t header_length = text_length + padding(length_size);
  if (major == 1 && header_length > 0xFFFF)
    throw InternalError(".npy header of " + std::to_string(header_length) + " bytes does not fit version 1.0");

  std::vector<std::byte> out;
  out.reserve(8 + length_size + header_length + a.data.size());
  for (unsigned char c : kMagic) out.push_back(static_cast<std::byte>(c));
  out.push_back(static_cast<std::byte>(major));
  out.push_back(std::byte{0});
  for (std::size_t i = 0; i < length_size; ++i) out.push_back(static_cast<std::byte>(header_length >> (8 * i)));
  for (char c : dict) out.push_back(static_cast<std::byte>(c));
  out.insert(out.end(), header_length - text_length, std::byte{' '});
  out.push_back(std::byte{'\n'});
  out.insert(out.end(), a.data.begin(), a.data.end());
  return out;
}

NpyArray read_npy(const std::filesystem::path& path) {
  const std::string file = path.string();
  auto cannot_read = [&file](const std::string& why) {
    return InputError(file + ": cannot read: " + why + ": expected a readable .npy file");
  };
  // Opened without waiting and inspected before reading: a FIFO would block until a writer
  // came, a device might never end, and a directory is no file.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw cannot_read(std::strerror(errno));
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(::fdopen(fd, "rb"), &std::fclose);
  if (!f) {
    const int error = errno;
    ::close(fd);
    throw cannot_read(std::strerror(error));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) throw cannot_read(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw cannot_read(std::strerror(EISDIR));
  if (!S_ISREG(st.st_mode)) throw cannot_read("not a regular file (" + file_kind(st.st_mode) + ")");
  std::vector<std::byte> bytes;
  std::byte buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  if (std::ferror(f.get()))
    throw InputError(file + ": cannot read: " + std::strerror(errno) + ": expected a readable .npy file");
  return npy_from_bytes(bytes, file);
}

void write_npy(const std::filesystem::path& path, const NpyArray& a) { write_file_atomically(path, npy_to_bytes(a)); }

}  // namespace fp8check::io
