#include "harness/run/output_record.hpp"

#include <cstdio>

#include "harness/generate/seed.hpp"

namespace fp8check {

OutputRecord make_output_record(std::string type, std::int64_t rows, std::int64_t cols,
                                const std::function<std::uint32_t(std::int64_t)>& bits,
                                const std::function<double(std::int64_t)>& value) {
  OutputRecord r;
  r.type = std::move(type);
  r.rows = rows;
  r.cols = cols;
  const std::int64_t n = rows * cols;
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 over little-endian 32-bit patterns
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint32_t b = bits(i);
    for (int byte = 0; byte < 4; ++byte) h = (h ^ ((b >> (8 * byte)) & 0xFFu)) * 0x100000001b3ull;
  }
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016llx", static_cast<unsigned long long>(h));
  r.digest = digest;
  r.complete = n <= kCompleteOutputLimit;
  if (r.complete) {
    for (std::int64_t i = 0; i < n; ++i) r.values.push_back(value(i));
  } else {
    for (std::int64_t s = 0; s < kOutputSampleSize; ++s) {
      const std::int64_t i = s * (n - 1) / (kOutputSampleSize - 1);
      r.sample_index.push_back(i);
      r.values.push_back(value(i));
    }
  }
  return r;
}

}  // namespace fp8check
