// Error statistics of a kernel's output `out` against an FP64 reference `ref` of the same
// row-major shape, in one streaming pass, all arithmetic in FP64 with compensated sums.
// Definitions, floors, special-value rules and citations: docs/statistics.md.
//
//   StatisticsAccumulator acc(cols, options);
//   for (i ...) acc.add(out[i], ref[i], i);   // or one accumulator per chunk, merged in order
//   ErrorStatistics s = acc.finish();
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <span>
#include <vector>

#include "harness/compare/compensated_sum.hpp"
#include "harness/compare/numeric_type.hpp"
#include "harness/compare/ulp_distance.hpp"
#include "harness/compare/worst_elements.hpp"

namespace fp8check {

struct StatisticsOptions {
  // The type the kernel wrote `out` in: ULPs are counted in it, and `out` of every
  // finite element must be a value of it (InputError otherwise).
  NumericType output_type = IeeeFloat::fp64;
  // Relative error = |out - ref| / max(|ref|, floor). nullopt: smallest_normal(output_type),
  // the floor under which a correctly rounded output has relative error <= 2^-(p) for
  // every reference, zero and subnormal ones included (p = significand bits of the type).
  std::optional<double> relative_floor;
  // An element is over tolerance when |out - ref| > atol + rtol * |ref| (atol in the
  // tensor's units, rtol dimensionless; both finite and >= 0).
  double atol = 0.0;
  double rtol = 0.0;
  int worst_count = 10;  // how many worst elements to report, 0 .. kMaxWorstCount

  static constexpr int kMaxWorstCount = 1 << 20;
  friend bool operator==(const StatisticsOptions&, const StatisticsOptions&) = default;
};

// Elements by special value. For one element at most one field counts per direction.
struct SpecialCounts {
  std::int64_t nan = 0;
  std::int64_t pos_inf = 0;
  std::int64_t neg_inf = 0;
  std::int64_t total() const { return nan + pos_inf + neg_inf; }
  SpecialCounts& operator+=(const SpecialCounts& o) {
    nan += o.nan;
    pos_inf += o.pos_inf;
    neg_inf += o.neg_inf;
    return *this;
  }
  friend bool operator==(const SpecialCounts&, const SpecialCounts&) = default;
};

// The result. Error statistics are over the *finite* elements (out and ref both finite);
// elements with a NaN or inf on either side are only counted in the special fields.
// Values for an empty population are documented per field (no NaN unless stated).
struct ErrorStatistics {
  // Settings the statistics were computed with.
  NumericType output_type = IeeeFloat::fp64;
  double relative_floor = 0.0;  // the resolved floor, tensor units
  double atol = 0.0, rtol = 0.0;

  std::int64_t element_count = 0;  // elements added
  std::int64_t finite_count = 0;   // elements with out and ref both finite

  double max_abs_error = 0.0;       // max |out - ref|, tensor units; 0 if no finite element
  double max_relative_error = 0.0;  // max |out - ref| / max(|ref|, relative_floor); 0 if none
  std::optional<ElementReport> max_relative_element;  // where (smallest index on ties)
  double mean_abs_error = 0.0;      // sum |out - ref| / finite_count, tensor units; 0 if none
  double rms_error = 0.0;           // sqrt(sum (out - ref)^2 / finite_count), tensor units; 0 if none
  // ||out - ref||_2 / ||ref||_2, dimensionless; all-zero ref: 0 if out == ref, else +inf.
  double relative_frobenius = 0.0;
  // DeepGEMM's calc_diff, 1 - 2 sum(out*ref) / sum(out^2 + ref^2), evaluated as the equal
  // sum (out - ref)^2 / sum(out^2 + ref^2) to avoid cancellation; in [0, 2];
  // 0 when sum(out^2 + ref^2) == 0.
  double calc_diff = 0.0;
  // sum(out*ref) / (||out|| ||ref||), clamped to [-1, 1]; 1 if both norms are 0, 0 if one is.
  double cosine_similarity = 1.0;
  // 10 log10(sum ref^2 / sum (out - ref)^2), decibels; +inf if sum (out - ref)^2 == 0
  // (exact match, and the empty tensor), -inf if ref is all zero and out is not.
  double sqnr_db = 0.0;

  std::uint64_t max_ulp = 0;     // max ULP distance in output_type (see ulp_distance.hpp)
  UlpHistogram ulp_histogram{};  // finite elements per ulp_bucket()

  // Elements over tolerance: finite ones with |out - ref| > atol + rtol |ref|, plus every
  // special mismatch. fraction = count / element_count (0 for an empty tensor).
  std::int64_t over_tolerance_count = 0;
  double over_tolerance_fraction = 0.0;

  SpecialCounts expected_specials;    // out and ref hold the same special value
  SpecialCounts unexpected_specials;  // out special, ref not that special (by out's kind)
  SpecialCounts missing_specials;     // ref special, out not that special (by ref's kind)
  std::int64_t special_mismatch_count = 0;  // elements in either of the two above, once each
  std::optional<ElementReport> first_special_mismatch;  // smallest index; abs_error may be NaN/inf

  std::vector<ElementReport> worst;  // up to worst_count finite elements, worst first
};

// A readable multi-line summary (one "name: value" per line).
std::ostream& operator<<(std::ostream& os, const ErrorStatistics& s);

class StatisticsAccumulator {
 public:
  // cols >= 1 maps flat indices to (row, col). Throws InputError on bad options.
  StatisticsAccumulator(std::int64_t cols, const StatisticsOptions& options);

  // Adds element `index` (>= 0, row-major). Throws InputError, leaving the accumulator
  // unchanged, if a finite `out` is not a value of the output type. No allocation.
  void add(double out, double ref, std::int64_t index);
  // Adds out[j], ref[j] as element first_index + j, for j = 0, 1, ...: the same statistics,
  // to the bit, as add() on each element in that order. out and ref have the same size
  // (InputError otherwise). On a rejected element it throws like add(): the elements before
  // it are added, it and those after are not.
  void add_range(std::span<const double> out, std::span<const double> ref, std::int64_t first_index);
  // Appends `other` (same cols and options, else InternalError). Counts, maxima, the ULP
  // histogram and the worst elements do not depend on how elements were split; the sums
  // do, in their last bits, so reproducible callers split at fixed indices and merge in
  // index order (as compute_error_statistics does).
  void merge(const StatisticsAccumulator& other);
  ErrorStatistics finish() const;

 private:
  void add_special(double out, double ref, std::int64_t index);
  // add_range with the output type's ordinal functions fixed at compile time (Ordinals::of,
  // Ordinals::rounded: the same functions ordinal() and rounded_ordinal() dispatch to).
  template <typename Ordinals>
  void add_range_as(std::span<const double> out, std::span<const double> ref, std::int64_t first_index);

  std::int64_t cols_;
  StatisticsOptions options_;
  double floor_;
  std::int64_t elements_ = 0, finite_ = 0;
  CompensatedSum sum_abs_error_, sum_sq_error_, sum_sq_ref_, sum_sq_out_, sum_out_ref_;
  double max_abs_error_ = 0.0;
  double max_relative_error_ = 0.0;
  ElementReport max_relative_at_{-1, 0, 0, 0.0, 0.0, 0.0};  // index -1: no finite element yet
  std::uint64_t max_ulp_ = 0;
  UlpHistogram ulp_histogram_{};
  std::int64_t over_tolerance_ = 0;
  SpecialCounts expected_, unexpected_, missing_;
  std::int64_t special_mismatches_ = 0;
  ElementReport first_mismatch_{-1, 0, 0, 0.0, 0.0, 0.0};
  WorstElements worst_;
};

// compute_error_statistics splits the tensor at multiples of this many elements; one
// accumulator per chunk, merged in chunk order, so the bits of every statistic depend on
// the data only, never on `threads`.
inline constexpr std::int64_t kStatisticsChunkElements = std::int64_t{1} << 16;

// out and ref: the same number of elements, a multiple of cols (cols >= 1, or 0 for an
// empty tensor); InputError otherwise. threads >= 1 worker threads.
ErrorStatistics compute_error_statistics(std::span<const double> out, std::span<const double> ref,
                                         std::int64_t cols, const StatisticsOptions& options,
                                         int threads = 1);

}  // namespace fp8check
