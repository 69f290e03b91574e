#include "harness/record/detail/golden_bits.hpp"

#include <bit>
#include <cstdint>
#include <unordered_map>

#include "harness/record/detail/number_text.hpp"

namespace fp8check::record::detail {
namespace {

std::string describe(const OutputRecord& o) {
  return std::to_string(o.rows) + "x" + std::to_string(o.cols) + " " + o.type;
}

// Where each recorded element of an output is: its flat index -> position in values.
class RecordedElements {
 public:
  explicit RecordedElements(const OutputRecord& o) : output_(o) {
    if (!o.complete)
      for (std::size_t i = 0; i < o.sample_index.size(); ++i) position_.emplace(o.sample_index[i], i);
  }
  std::int64_t size() const { return static_cast<std::int64_t>(output_.values.size()); }
  std::int64_t index_at(std::int64_t i) const { return output_.complete ? i : output_.sample_index[i]; }
  const double* find(std::int64_t index) const {
    if (output_.complete)
      return index >= 0 && index < size() ? &output_.values[static_cast<std::size_t>(index)] : nullptr;
    const auto it = position_.find(index);
    return it == position_.end() ? nullptr : &output_.values[it->second];
  }

 private:
  const OutputRecord& output_;
  std::unordered_map<std::int64_t, std::size_t> position_;
};

BitsChange compare_elements(const OutputRecord& received, const OutputRecord& golden) {
  const RecordedElements got(received), want(golden);
  BitsChange change;
  for (std::int64_t i = 0; i < want.size(); ++i) {
    const std::int64_t index = want.index_at(i);
    const double* r = got.find(index);
    if (r == nullptr) continue;
    const double g = golden.values[static_cast<std::size_t>(i)];
    ++change.compared;
    // Bits, not values: -0 differs from +0, and NaNs compare by payload.
    if (std::bit_cast<std::uint64_t>(*r) == std::bit_cast<std::uint64_t>(g)) continue;
    ++change.differing;
    if (change.first_index < 0 || index < change.first_index) {
      change.first_index = index;
      change.received = *r;
      change.golden = g;
    }
  }
  if (change.first_index >= 0 && golden.cols > 0) {
    change.first_row = change.first_index / golden.cols;
    change.first_col = change.first_index % golden.cols;
  }
  change.digest_changed = !received.digest.empty() && !golden.digest.empty() && received.digest != golden.digest;
  return change;
}

}  // namespace

std::optional<OutputDifference> compare_output_bits(const OutputRecord* received, const OutputRecord* golden) {
  if (received == nullptr && golden == nullptr) return std::nullopt;
  if (received == nullptr) return OutputDifference{"no output recorded (golden has " + describe(*golden) + ")", {}};
  if (golden == nullptr) return OutputDifference{"output " + describe(*received) + " recorded, golden has none", {}};
  if (received->type != golden->type || received->rows != golden->rows || received->cols != golden->cols)
    return OutputDifference{"output changed: " + describe(*received) + " vs golden " + describe(*golden), {}};

  const BitsChange change = compare_elements(*received, *golden);
  if (change.differing == 0 && !change.digest_changed) return std::nullopt;
  const bool all = received->complete && golden->complete;
  std::string reason = "output bits changed: ";
  if (change.differing > 0) {
    reason += std::to_string(change.differing) + " of " + std::to_string(change.compared) +
              (all ? " elements" : " sampled elements") + " differ, first at (" + std::to_string(change.first_row) +
              "," + std::to_string(change.first_col) + "): " + shortest_text(change.received) + " vs golden " +
              shortest_text(change.golden);
  } else {
    reason += "digest " + received->digest + " vs golden " + golden->digest + " (the " +
              std::to_string(change.compared) + " compared elements agree)";
  }
  return OutputDifference{reason, change};
}

}  // namespace fp8check::record::detail
