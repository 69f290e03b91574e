// The recorded form of a kernel output: a bit-level digest of every element, and all
// values (small outputs) or a deterministic sample (large ones), for goldens and reports.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "harness/record/case_result.hpp"

namespace fp8check {

inline constexpr std::int64_t kCompleteOutputLimit = 4096;  // elements kept in full
inline constexpr std::int64_t kOutputSampleSize = 1024;     // elements kept otherwise

// `bits(i)` and `value(i)` give element i (row-major) as its bit pattern in the output
// type and its exact value. Sampled indices: evenly strided, first and last included.
OutputRecord make_output_record(std::string type, std::int64_t rows, std::int64_t cols,
                                const std::function<std::uint32_t(std::int64_t)>& bits,
                                const std::function<double(std::int64_t)>& value);

}  // namespace fp8check
