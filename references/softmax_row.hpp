// The stable softmax numerator of one row of scores, in place, fast enough that attention's
// exponentials (Sq·Skv per head) do not dominate its two GEMMs.
//
// exp_nonpositive is this file's exponential: the usual reduction x = k·ln2 + r (|r| <= ln2/2,
// ln2 split in two parts, Cody & Waite) and the degree-13 Taylor polynomial of e^r, whose
// truncation error (<= 4e-18 relative) is far below an ulp. It uses only + and × (the project
// builds with -ffp-contract=off), so every compiler and vector width gives the same bits; the
// row loop is vectorized, and also compiled for AVX2, picked at run time (target_clones), so
// the default build needs no -march flag. Tests bound its error against long double expl.
#pragma once

#include <cstdint>

namespace fp8check::references::detail {

// e^x for x <= 0: normal and subnormal results, 0 below -745.2, NaN for NaN.
double exp_nonpositive(double x);

struct SoftmaxRow {
  double max;  // of the row before: the shift
  double sum;  // of the exponentials, in a fixed order (four interleaved partial sums)
};

// row[j] <- exp(row[j] - max_j row[j]) for j < count (count >= 1). Each entry depends on its
// own score and the row maximum only.
SoftmaxRow exponentiate_row(double* row, std::int64_t count);

}  // namespace fp8check::references::detail
