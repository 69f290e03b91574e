// Which quantization convention a kernel under test follows. A quantize kernel is judged
// against the convention it declares (QuantizeOptions::scale.convention); when its codes
// or scales differ, the diagnosis quantizes the same input under every other named
// convention that applies to the recipe and says which one explains the kernel best, so
// "37 codes differ from exact" becomes "matches deepgemm except 0 codes and 0 scales":
// a different rounding convention, not a regression.
//
// Conventions whose library division is approximate (vllm-triton: div.full.f32, at most
// 2 ulp from the exact quotient, bits not documented) cannot be matched bit for bit by a
// model. For them the diagnosis also counts the mismatches that lie within that bound
// (codes_within_division_bound, scales_within_division_bound) and does not hold those
// against the kernel. Under the quant scale meaning nothing is tolerated: the library
// stores only the dequantization scale.
//
//   ConventionDiagnosis d = diagnose_quantized(x, recipe, options, kernel_output);
//   d.passes();     // the declared convention explains every code and scale
//   d.summary();    // one line for a verdict
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/quantize/quantize.hpp"
#include "harness/quantize/quantize_compare.hpp"

namespace fp8check {

struct ConventionMatch {
  QuantConvention convention;
  QuantizeComparison comparison;  // the kernel against this convention's quantizer
  std::int64_t codes_within_division_bound = 0;   // approximate_division conventions only
  std::int64_t scales_within_division_bound = 0;  // (both <= the comparison's mismatches)

  std::int64_t unexplained_codes() const { return comparison.code_mismatches - codes_within_division_bound; }
  std::int64_t unexplained_scales() const { return comparison.scale_mismatches - scales_within_division_bound; }
  bool explains_all() const { return unexplained_codes() == 0 && unexplained_scales() == 0; }
};

struct ConventionDiagnosis {
  ConventionMatch declared;
  // Every other convention that applies to the recipe, fewest unexplained mismatches
  // first (ties in all_conventions() order). Empty when `declared` explains everything.
  std::vector<ConventionMatch> alternatives;

  bool passes() const { return declared.explains_all(); }
  // The first alternative when it explains strictly more than the declared convention.
  const ConventionMatch* best_alternative() const;
  // "convention deepgemm: codes and scales agree (14680064 codes, 114688 scales)", or
  // "convention exact: codes: 18 of 4096 differ, first at (0, 5): expected 0x3C, got 0x3D;
  //  scales: all 32 agree; matches deepgemm except 0 codes and 0 scales (as does
  //  mul-inverse-scale-fp32)".
  std::string summary() const;
};

// `options` carries the declared convention and every other setting the kernel was run
// with; `actual` is the kernel's output. Throws what quantize() and compare_quantized()
// throw for inputs that cannot be quantized or compared.
ConventionDiagnosis diagnose_quantized(Eigen::Ref<const MatrixD> x, const Recipe& recipe,
                                       const QuantizeOptions& options, const QuantizedMatrix& actual);

}  // namespace fp8check
