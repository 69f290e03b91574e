// The scales of one quantized matrix, in a declared layout, with their meaning explicit.
//
// `values` holds the scales as float in storage order (layout.offset); `codes` holds the
// raw codes of e8m0 (OCP MX) and e4m3 (NVFP4) scales in the same order, empty for
// fp32/fp16 scales. Padding slots (col_major_tma) hold 0 and are never read.
// A consumer states the layout it expects (values_in): a different layout is an
// InputError naming both, never a silent reinterpretation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/quantize/scale_layout.hpp"
#include "harness/quantize/scale_policy.hpp"

namespace fp8check {

struct ScaleTensor {
  ScaleLayout layout;
  ScaleType type = ScaleType::fp32;
  ScaleMeaning meaning = ScaleMeaning::dequant;
  std::vector<float> values;        // layout.storage_size() slots
  std::vector<std::uint8_t> codes;  // e8m0/e4m3: one per slot; otherwise empty

  // Zero-filled storage for `layout`.
  static ScaleTensor zeros(const ScaleLayout& layout, ScaleType type, ScaleMeaning meaning);

  bool has_codes() const { return type == ScaleType::e8m0 || type == ScaleType::e4m3; }
  float value(std::int64_t gi, std::int64_t gj) const { return values[slot(gi, gj)]; }
  std::uint8_t code(std::int64_t gi, std::int64_t gj) const { return codes[slot(gi, gj)]; }
  void set(std::int64_t gi, std::int64_t gj, float value, std::uint8_t code = 0);

  // InputError naming `what` unless values (and codes) have layout.storage_size() slots:
  // a scale tensor from a kernel under test is checked before it is read.
  void check_storage(const std::string& what) const;

  // The storage, if it is laid out as `expected`; InputError naming both layouts otherwise.
  const std::vector<float>& values_in(const ScaleLayout& expected) const;
  const std::vector<std::uint8_t>& codes_in(const ScaleLayout& expected) const;

 private:
  std::size_t slot(std::int64_t gi, std::int64_t gj) const { return static_cast<std::size_t>(layout.offset(gi, gj)); }
};

// The same scales stored in another order (an explicit conversion, for kernels that
// want a layout the reference did not produce).
ScaleTensor with_order(const ScaleTensor& s, ScaleOrder order);

}  // namespace fp8check
