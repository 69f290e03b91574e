#include "harness/compare/ulp_distance.hpp"

namespace fp8check {

std::string ulp_bucket_label(int bucket) {
  if (bucket <= 2) return std::to_string(bucket);
  if (bucket >= kUlpBucketCount - 1) return ">" + std::to_string(kUlpLastBoundedDistance);
  const std::uint64_t high = std::uint64_t{1} << (bucket - 1);
  return std::to_string(high / 2 + 1) + "-" + std::to_string(high);
}

}  // namespace fp8check
