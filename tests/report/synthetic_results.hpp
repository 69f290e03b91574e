// A synthetic run for the reporter tests and the sample report: every verdict, NaN/inf
// statistics, hostile text (XML/Markdown metacharacters, a control character, non-ASCII),
// an error-vs-K series over three accumulation models, a config sweep, attention cases
// over sequence length x logit scale x P format, and seeded-bug cases.
#pragma once

#include <string>
#include <vector>

#include "harness/record/case_result.hpp"

namespace fp8check::testing {

// Statistics whose max relative error and relative Frobenius error are the given values;
// the other fields are set consistently enough for a report.
ErrorStatistics synthetic_statistics(double max_relative, double relative_frobenius);

// A gemm case with params in schema order and an id built from them.
CaseResult synthetic_gemm_case(const std::string& formats, const std::string& recipe, const std::string& shape,
                               const std::string& accumulation, const std::string& config);

// Kernel max relative error of the error-vs-K cases: grows linearly with K per model.
double synthetic_k_error(const std::string& accumulation, double k);

RunMetadata synthetic_metadata();
std::vector<CaseResult> synthetic_results();

// The reason of the case with NaN statistics: XML and Markdown metacharacters, a control
// character (U+0001) and non-ASCII text.
extern const char* const kHostileReason;

}  // namespace fp8check::testing
