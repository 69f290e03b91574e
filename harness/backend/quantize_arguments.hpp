// Everything a quantize kernel is given: the FP64 input and the recipe (block shape,
// element type, scale type and layout, policy). It returns codes and scales as the recipe
// declares them (harness/quantize/quantize.hpp, QuantizedMatrix).
#pragma once

#include "harness/core/matrix.hpp"
#include "harness/quantize/quantize.hpp"

namespace fp8check {

struct QuantizeArguments {
  const MatrixD* x = nullptr;  // rows x cols, row-major
  Recipe recipe;
  QuantizeOptions options;
};

}  // namespace fp8check
