// NumPy .npy files (numpy.lib.format): read and write the little-endian, C-order
// arrays fp8check exchanges with Python: float16/32/64 values, uint8/uint16 codes and
// uint32 bit patterns (FP32 registers of `fp8check emulate`).
// Reading accepts format versions 1.0, 2.0 and 3.0; writing produces the bytes
// numpy.save (numpy 1.24) produces, version 1.0 unless the header needs 2.0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fp8check::io {

enum class NpyDtype : std::uint8_t { uint8, uint16, float16, float32, float64, uint32 };

std::string_view npy_descr(NpyDtype t);      // "|u1", "<u2", "<f2", "<f4", "<f8", "<u4"
std::string_view npy_dtype_name(NpyDtype t);  // "uint8", ..., "float64" (numpy's names)
std::size_t npy_item_size(NpyDtype t);
bool npy_is_float(NpyDtype t);

// An n-dimensional array as stored in a .npy file.
struct NpyArray {
  NpyDtype dtype = NpyDtype::float32;
  std::vector<std::size_t> shape;  // {} is a 0-d array (one element); a 0 extent makes it empty
  std::vector<std::byte> data;     // element_count() * item size bytes, little-endian, C order

  // An array of `shape` whose elements are all zero bits.
  static NpyArray zeros(NpyDtype dtype, std::vector<std::size_t> shape);

  std::size_t element_count() const;
  std::string shape_string() const;  // "(3, 4)", as Python prints it

  // Element i of a float16/float32/float64 array, exactly, as a double.
  double float_at(std::size_t i) const;
  // Stores v in a float array, rounded to the dtype to nearest even (float16 by
  // fp8check's own encoder, float32 by the IEEE cast).
  void set_float(std::size_t i, double v);
  // Element i of a uint8/uint16/uint32 array.
  std::uint32_t code_at(std::size_t i) const;
  // Stores a code that fits the dtype (InternalError otherwise).
  void set_code(std::size_t i, std::uint32_t code);
};

// Parses the bytes of a .npy file; `file` names it in messages. Throws InputError
// with one line: the file, the problem, and what is accepted instead.
NpyArray npy_from_bytes(std::span<const std::byte> bytes, const std::string& file);

// The bytes of a .npy file holding `a`. major_version 0 picks the oldest version
// whose header-length field fits (as numpy.save); 1, 2 or 3 force one.
std::vector<std::byte> npy_to_bytes(const NpyArray& a, int major_version = 0);

// Reads a whole .npy file (InputError on any problem, naming the file).
NpyArray read_npy(const std::filesystem::path& path);
// Writes atomically (AtomicFile): on error the previous file, if any, is untouched.
void write_npy(const std::filesystem::path& path, const NpyArray& a);

}  // namespace fp8check::io
