// The reference quantizer: an FP64 matrix -> element codes + scales in a declared layout,
// by a Recipe and a ScalePolicy, and back (docs/recipes.md).
//
// Each block's scale comes from its valid elements only (edge blocks may be partial; no
// padding is ever read). Under the default `exact` convention element (i, j) is encoded
// from x(i, j) / s, computed rounded to odd (round_to_odd.hpp), so its code is the
// correctly rounded code of the exact quotient; another convention (ScalePolicy::
// convention, quant_convention.hpp) computes fp32 scales and elements as a library does,
// through the host+device functions of convention_math.hpp. dequantize() is exact for dequantization-multiplier scales (decode(code) * s
// fits a double) and rounded to nearest for quantization-multiplier ones (decode(code) / q).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "harness/core/matrix.hpp"
#include "harness/quantize/amax_history.hpp"
#include "harness/quantize/recipe.hpp"
#include "harness/quantize/scale_policy.hpp"
#include "harness/quantize/scale_tensor.hpp"

namespace fp8check {

enum class NanPolicy : std::uint8_t {
  propagate,  // NaN elements become the format's NaN code (+max where the format has none,
              // as CUDA); they do not count towards amax. Integer recipes always reject.
  reject,     // InputError naming the first NaN (row-major order)
};

std::string_view nan_policy_name(NanPolicy p);  // "propagate", "reject"
NanPolicy parse_nan_policy(std::string_view name);

struct QuantizeOptions {
  ScalePolicy scale{};
  ScaleOrder order = ScaleOrder::row_major;
  NanPolicy nan = NanPolicy::propagate;
  // A shape that is not a whole number of blocks is an InputError instead of partial
  // edge blocks (kernels such as DeepGEMM's require K % 128 == 0).
  bool require_full_blocks = false;
  // Delayed recipes: the history the scale comes from (its settings must equal the
  // recipe's). nullptr for every other recipe.
  const AmaxHistory* history = nullptr;
  // Rounding::stochastic: one random word per element, row-major (rows * cols words).
  std::span<const std::uint32_t> random_bits{};
};

struct QuantizedMatrix {
  Recipe recipe;
  CodeMatrix codes;                   // rows x cols, one code per byte
  ScaleTensor scales;                 // one per block
  std::optional<float> tensor_scale;  // NVFP4's second level: fp32 dequantization multiplier
};

// max |x| over the non-NaN elements (0 when there are none); inf if an element is inf.
double tensor_amax(Eigen::Ref<const MatrixD> x);

// Throws InputError for an invalid recipe or option, an empty matrix, a shape that is not
// whole blocks under require_full_blocks, and NaN under NanPolicy::reject.
QuantizedMatrix quantize(Eigen::Ref<const MatrixD> x, const Recipe& recipe, const QuantizeOptions& options = {});

// The checks quantize() makes before it reads an element (the errors above); returns the
// scale layout. A device quantizer (the cuda backend) makes the same checks first.
ScaleLayout check_quantize_arguments(Eigen::Ref<const MatrixD> x, const Recipe& recipe, const QuantizeOptions& options);

// InputError unless the policy's convention (quant_convention.hpp) fits the recipe: a
// valid amax floor; a convention other than exact needs fp32 scales (not MX, NVFP4 or
// integer groups); transformer-engine needs the zero-block scale one. quantize() checks
// it too; a suite or CLI checks it before it reads anything.
void check_convention(const Recipe& recipe, const ScalePolicy& policy);

// Reads codes and scales through their declared layouts (padding is never read); throws
// InputError if they do not fit each other (a QuantizedMatrix may come from a kernel).
MatrixD dequantize(const QuantizedMatrix& q);

// The element-by-element definitions quantize() and dequantize() are tested against:
// every scaled value encoded alone by the exact integer codec (element_codec.hpp), every
// code decoded alone. quantize()/dequantize() give the same bits faster: float elements
// go through the bulk float codec (convert_bulk.hpp) a row segment at a time, the scaled
// values rounded to odd into float first (round_to_odd_float), which keeps every bit the
// later rounding needs; stochastic rounding and integer elements take these paths.
QuantizedMatrix quantize_reference(Eigen::Ref<const MatrixD> x, const Recipe& recipe,
                                   const QuantizeOptions& options = {});
MatrixD dequantize_reference(const QuantizedMatrix& q);

}  // namespace fp8check
