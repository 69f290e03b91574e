// What every op's judge shares: the number type a kernel's output is judged in, and the
// checks every op records the same way: tolerance model (c), the per-dtype atol/rtol
// count (binding only when a suite asks), and (d)'s optional relative-Frobenius ceiling.
#pragma once

#include <string>
#include <vector>

#include "harness/compare/tolerance.hpp"
#include "harness/problem/gemm_desc.hpp"
#include "harness/record/case_result.hpp"

namespace fp8check {

inline NumericType output_numeric_type(OutputType t) {
  switch (t) {
    case OutputType::fp32: return IeeeFloat::fp32;
    case OutputType::bf16: return Format::bf16;
    case OutputType::fp16: return Format::fp16;
    case OutputType::e4m3fn: return Format::e4m3fn;
  }
  return IeeeFloat::fp64;
}

inline void add_allclose_and_override_checks(const ErrorStatistics& s, const ToleranceSettings& tol,
                                             const DtypeTolerance& dtype, std::vector<Check>& checks) {
  checks.push_back({"elements over atol + rtol|ref|", static_cast<double>(s.over_tolerance_count), 0,
                    !tol.require_allclose || s.over_tolerance_count == 0,
                    std::string(dtype.source) + (tol.require_allclose ? " (binding)" : " (reported)")});
  if (tol.max_relative_frobenius)
    checks.push_back({"relative Frobenius error", s.relative_frobenius, *tol.max_relative_frobenius,
                      s.relative_frobenius <= *tol.max_relative_frobenius, "suite override"});
}

}  // namespace fp8check
