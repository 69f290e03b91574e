#include "harness/compare/error_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <sstream>
#include <string>
#include <thread>

#include "harness/core/error.hpp"
#include "harness/generate/portable_log.hpp"

namespace fp8check {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void count_special(SpecialCounts& counts, double x) {
  if (std::isnan(x)) ++counts.nan;
  else if (x > 0) ++counts.pos_inf;
  else ++counts.neg_inf;
}

enum class Kind { finite, nan, pos_inf, neg_inf };
Kind kind_of(double x) {
  if (std::isnan(x)) return Kind::nan;
  if (std::isinf(x)) return x > 0 ? Kind::pos_inf : Kind::neg_inf;
  return Kind::finite;
}

bool is_finite_non_negative(double x) { return std::isfinite(x) && x >= 0; }

// 10 log10(signal / noise) for signal, noise > 0, through the ratio when it is a normal
// number and through the difference of logarithms when it would over- or underflow.
// portable_log gives the same bits on every platform (libm's log10 need not).
double decibels(double signal, double noise) {
  constexpr double kTenOverLn10 = 4.3429448190325182765;  // 10 / ln(10)
  const double ratio = signal / noise;
  if (std::isnormal(ratio)) return kTenOverLn10 * portable_log(ratio);
  return kTenOverLn10 * (portable_log(signal) - portable_log(noise));
}

}  // namespace

StatisticsAccumulator::StatisticsAccumulator(std::int64_t cols, const StatisticsOptions& options)
    : cols_(cols),
      options_(options),
      floor_(options.relative_floor.value_or(smallest_normal(options.output_type))),
      worst_(static_cast<std::size_t>(std::clamp(options.worst_count, 0, StatisticsOptions::kMaxWorstCount))) {
  if (cols < 1) throw InputError("cols = " + std::to_string(cols) + ": the column count must be >= 1");
  if (!is_finite_non_negative(floor_))
    throw InputError("relative error floor " + std::to_string(floor_) + ": expected a finite value >= 0");
  if (!is_finite_non_negative(options.atol) || !is_finite_non_negative(options.rtol))
    throw InputError("tolerance atol = " + std::to_string(options.atol) + ", rtol = " + std::to_string(options.rtol) +
                     ": expected finite values >= 0");
  if (options.worst_count < 0 || options.worst_count > StatisticsOptions::kMaxWorstCount)
    throw InputError("worst_count = " + std::to_string(options.worst_count) + ": expected 0 .. " +
                     std::to_string(StatisticsOptions::kMaxWorstCount));
}

void StatisticsAccumulator::add(double out, double ref, std::int64_t index) {
  if (index < 0) throw InputError("element index " + std::to_string(index) + ": expected an index >= 0");
  if (!std::isfinite(out) || !std::isfinite(ref)) {
    ++elements_;
    add_special(out, ref, index);
    return;
  }
  // Checked before any state changes, so a rejected element leaves the accumulator as it was.
  const std::optional<std::int64_t> out_ordinal = ordinal(options_.output_type, out);
  if (!out_ordinal) {
    std::ostringstream message;
    message.precision(17);
    message << "out at (" << index / cols_ << ", " << index % cols_ << ") = " << out << " is not a value of "
            << numeric_type_name(options_.output_type)
            << ": out must hold values of the kernel's output type (one of " << numeric_type_name_list() << ")";
    throw InputError(message.str());
  }
  const std::optional<std::int64_t> ref_ordinal = rounded_ordinal(options_.output_type, ref);
  if (!ref_ordinal) throw InternalError("a finite reference has no rounded ordinal");

  ++elements_;
  ++finite_;
  const double diff = out - ref;  // +-inf only if it overflows FP64 (|out|, |ref| near DBL_MAX)
  const double abs_error = std::fabs(diff);
  const double abs_ref = std::fabs(ref);
  sum_abs_error_.add(abs_error);
  sum_sq_error_.add(diff * diff);
  sum_sq_ref_.add(ref * ref);
  sum_sq_out_.add(out * out);
  sum_out_ref_.add(out * ref);
  max_abs_error_ = std::max(max_abs_error_, abs_error);

  // 0 / 0 (exact zero against a zero reference with floor 0) is no error, not NaN.
  const double relative = abs_error == 0 ? 0.0 : abs_error / std::max(abs_ref, floor_);
  if (max_relative_at_.index < 0 || relative > max_relative_error_ ||
      (relative == max_relative_error_ && index < max_relative_at_.index)) {
    max_relative_error_ = relative;
    max_relative_at_ = {index, 0, 0, out, ref, abs_error};
  }

  if (abs_error > options_.atol + options_.rtol * abs_ref) ++over_tolerance_;

  const std::uint64_t ulps = ordinal_distance(*out_ordinal, *ref_ordinal);
  max_ulp_ = std::max(max_ulp_, ulps);
  ++ulp_histogram_[static_cast<std::size_t>(ulp_bucket(ulps))];

  worst_.offer(abs_error, index, out, ref);
}

namespace {

// The ordinal functions of one output type for finite values (ulp_distance.hpp), for
// add_range_as; bf16 and fp16 (most kernels' outputs) without the codec.
template <Format F>
struct FormatOrdinals {
  static constexpr bool kIeee = F == Format::bf16 || F == Format::fp16;
  static std::optional<std::int64_t> of(double v) {
    if constexpr (kIeee) return detail::ieee_value_ordinal<F>(v);
    else return detail::format_ordinal<F>(v);
  }
  static std::optional<std::int64_t> rounded(double x) {
    if constexpr (kIeee) return detail::ieee_rounded_ordinal<F>(x);
    else return detail::format_rounded_ordinal<F>(x);
  }
};
struct Fp32Ordinals {
  static std::optional<std::int64_t> of(double v) { return detail::fp32_ordinal(v); }
  static std::optional<std::int64_t> rounded(double x) { return detail::fp32_rounded_ordinal(x); }
};
struct Fp64Ordinals {
  static std::optional<std::int64_t> of(double v) { return detail::double_ordinal(v); }
  static std::optional<std::int64_t> rounded(double x) { return detail::double_ordinal(x); }
};

// Runs `f` when the scope ends, by return or by exception.
template <typename F>
struct OnExit {
  F f;
  ~OnExit() { f(); }
};
template <typename F>
OnExit(F) -> OnExit<F>;

}  // namespace

// add() for a run of elements, operation for operation in the same order per statistic (so
// the same bits), without its per-element costs. Elements go in blocks of kRangeBlock:
//  1. whether the block is all finite and every output a value of the type (the ordinals);
//     a block with a special or a rejected output is added by add(), element by element,
//     which also throws for the rejected one after adding those before it;
//  2. the sums, maxima and counts in a loop without calls, so the running sums stay in
//     registers (the compensated sums' dependency chains are the loop's critical path), the
//     five sums in pairs of vector lanes;
//  3. the worst-k candidates: the kept set does not depend on the order of offers.
template <typename Ordinals>
void StatisticsAccumulator::add_range_as(std::span<const double> out, std::span<const double> ref,
                                         std::int64_t first_index) {
  constexpr std::size_t kRangeBlock = 256;
  std::int64_t out_ordinal[kRangeBlock], ref_ordinal[kRangeBlock];
  double abs_errors[kRangeBlock];
  const double atol = options_.atol, rtol = options_.rtol, floor = floor_;
  for (std::size_t begin = 0; begin < out.size(); begin += kRangeBlock) {
    const std::size_t n = std::min(kRangeBlock, out.size() - begin);
    const double* o = out.data() + begin;
    const double* r = ref.data() + begin;
    const std::int64_t first = first_index + static_cast<std::int64_t>(begin);

    bool simple = true;  // 1. all finite, every output a value of the type
    for (std::size_t j = 0; j < n && simple; ++j) {
      if (!std::isfinite(o[j]) || !std::isfinite(r[j])) {
        simple = false;
        break;
      }
      const std::optional<std::int64_t> oo = Ordinals::of(o[j]);
      const std::optional<std::int64_t> ro = Ordinals::rounded(r[j]);
      if (!oo || !ro) {
        simple = false;
        break;
      }
      out_ordinal[j] = *oo;
      ref_ordinal[j] = *ro;
    }
    if (!simple) {
      for (std::size_t j = 0; j < n; ++j) add(o[j], r[j], first + static_cast<std::int64_t>(j));
      continue;
    }

    // 2. Locals for everything updated per element. The five sums run as three pairs of
    // vector lanes (CompensatedSumPair: each lane the same operations as its scalar sum); the
    // histogram in four copies, so that consecutive increments of one bucket do not wait for
    // each other (counts: order-free).
    using Lanes = CompensatedSumPair::Lanes;
    CompensatedSumPair error_sums(sum_abs_error_, sum_sq_error_), square_sums(sum_sq_ref_, sum_sq_out_),
        product_sum(sum_out_ref_, CompensatedSum());
    double max_abs_error = max_abs_error_, max_relative = max_relative_error_;
    std::int64_t max_relative_index = max_relative_at_.index;
    std::size_t max_relative_j = n;  // element of this block that became the maximum, if any
    std::uint64_t max_ulp = max_ulp_;
    std::int64_t over_tolerance = 0;
    std::int64_t histogram[4][kUlpBucketCount] = {};
    for (std::size_t j = 0; j < n; ++j) {
      const double diff = o[j] - r[j];
      const double abs_error = std::fabs(diff);
      const double abs_ref = std::fabs(r[j]);
      abs_errors[j] = abs_error;
      error_sums.add(Lanes{abs_error, diff * diff});
      square_sums.add(Lanes{r[j] * r[j], o[j] * o[j]});
      product_sum.add(Lanes{o[j] * r[j], 0.0});
      max_abs_error = std::max(max_abs_error, abs_error);
      const double relative = abs_error == 0 ? 0.0 : abs_error / std::max(abs_ref, floor);
      const std::int64_t index = first + static_cast<std::int64_t>(j);
      if (max_relative_index < 0 || relative > max_relative ||
          (relative == max_relative && index < max_relative_index)) {
        max_relative = relative;
        max_relative_index = index;
        max_relative_j = j;
      }
      over_tolerance += abs_error > atol + rtol * abs_ref ? 1 : 0;
      const std::uint64_t ulps = ordinal_distance(out_ordinal[j], ref_ordinal[j]);
      max_ulp = std::max(max_ulp, ulps);
      ++histogram[j & 3][ulp_bucket(ulps)];
    }
    sum_abs_error_ = error_sums.lane(0);
    sum_sq_error_ = error_sums.lane(1);
    sum_sq_ref_ = square_sums.lane(0);
    sum_sq_out_ = square_sums.lane(1);
    sum_out_ref_ = product_sum.lane(0);
    elements_ += static_cast<std::int64_t>(n);
    finite_ += static_cast<std::int64_t>(n);
    max_abs_error_ = max_abs_error;
    if (max_relative_j < n) {
      max_relative_error_ = max_relative;
      max_relative_at_ = {max_relative_index, 0, 0, o[max_relative_j], r[max_relative_j], abs_errors[max_relative_j]};
    }
    max_ulp_ = max_ulp;
    over_tolerance_ += over_tolerance;
    for (const auto& copy : histogram)
      for (std::size_t b = 0; b < ulp_histogram_.size(); ++b) ulp_histogram_[b] += copy[b];

    // 3. Only elements at least as bad as the least bad one kept can enter the worst-k set.
    for (std::size_t j = 0; j < n; ++j)
      if (worst_.may_keep(abs_errors[j])) worst_.offer(abs_errors[j], first + static_cast<std::int64_t>(j), o[j], r[j]);
  }
}

void StatisticsAccumulator::add_range(std::span<const double> out, std::span<const double> ref,
                                      std::int64_t first_index) {
  if (out.size() != ref.size())
    throw InputError("out has " + std::to_string(out.size()) + " elements but ref has " + std::to_string(ref.size()) +
                     ": out and ref must have the same shape");
  if (out.empty()) return;
  if (first_index < 0) add(out[0], ref[0], first_index);  // throws add()'s message
  const NumericType& type = options_.output_type;
  if (const Format* f = std::get_if<Format>(&type)) {
#define FP8C_CALL(F) return add_range_as<FormatOrdinals<F>>(out, ref, first_index)
    FP8C_FORMAT_DISPATCH(*f, FP8C_CALL)
#undef FP8C_CALL
    throw InternalError("add_range: unknown output format");
  }
  if (std::get<IeeeFloat>(type) == IeeeFloat::fp64) return add_range_as<Fp64Ordinals>(out, ref, first_index);
  return add_range_as<Fp32Ordinals>(out, ref, first_index);
}

void StatisticsAccumulator::add_special(double out, double ref, std::int64_t index) {
  const Kind out_kind = kind_of(out), ref_kind = kind_of(ref);
  if (out_kind == ref_kind) {
    count_special(expected_, out);
    return;
  }
  if (out_kind != Kind::finite) count_special(unexpected_, out);
  if (ref_kind != Kind::finite) count_special(missing_, ref);
  ++special_mismatches_;
  ++over_tolerance_;
  if (first_mismatch_.index < 0 || index < first_mismatch_.index)
    first_mismatch_ = {index, 0, 0, out, ref, std::fabs(out - ref)};
}

void StatisticsAccumulator::merge(const StatisticsAccumulator& other) {
  if (cols_ != other.cols_ || !(options_ == other.options_))
    throw InternalError("merging statistics accumulators with different columns or options");
  elements_ += other.elements_;
  finite_ += other.finite_;
  sum_abs_error_.merge(other.sum_abs_error_);
  sum_sq_error_.merge(other.sum_sq_error_);
  sum_sq_ref_.merge(other.sum_sq_ref_);
  sum_sq_out_.merge(other.sum_sq_out_);
  sum_out_ref_.merge(other.sum_out_ref_);
  max_abs_error_ = std::max(max_abs_error_, other.max_abs_error_);
  const std::int64_t theirs = other.max_relative_at_.index;
  if (theirs >= 0 && (max_relative_at_.index < 0 || other.max_relative_error_ > max_relative_error_ ||
                      (other.max_relative_error_ == max_relative_error_ && theirs < max_relative_at_.index))) {
    max_relative_error_ = other.max_relative_error_;
    max_relative_at_ = other.max_relative_at_;
  }
  max_ulp_ = std::max(max_ulp_, other.max_ulp_);
  for (std::size_t b = 0; b < ulp_histogram_.size(); ++b) ulp_histogram_[b] += other.ulp_histogram_[b];
  over_tolerance_ += other.over_tolerance_;
  expected_ += other.expected_;
  unexpected_ += other.unexpected_;
  missing_ += other.missing_;
  special_mismatches_ += other.special_mismatches_;
  if (other.first_mismatch_.index >= 0 &&
      (first_mismatch_.index < 0 || other.first_mismatch_.index < first_mismatch_.index))
    first_mismatch_ = other.first_mismatch_;
  worst_.merge(other.worst_);
}

ErrorStatistics StatisticsAccumulator::finish() const {
  ErrorStatistics s;
  s.output_type = options_.output_type;
  s.relative_floor = floor_;
  s.atol = options_.atol;
  s.rtol = options_.rtol;
  s.element_count = elements_;
  s.finite_count = finite_;
  const auto locate = [this](ElementReport e) {
    e.row = e.index / cols_;
    e.col = e.index % cols_;
    return e;
  };

  const double sq_error = sum_sq_error_.value(), sq_ref = sum_sq_ref_.value(), sq_out = sum_sq_out_.value();
  s.max_abs_error = max_abs_error_;
  s.max_relative_error = max_relative_error_;
  if (max_relative_at_.index >= 0) s.max_relative_element = locate(max_relative_at_);
  if (finite_ > 0) {
    const auto n = static_cast<double>(finite_);
    s.mean_abs_error = sum_abs_error_.value() / n;
    s.rms_error = std::sqrt(sq_error / n);
  }
  if (sq_ref > 0) s.relative_frobenius = std::sqrt(sq_error) / std::sqrt(sq_ref);
  else s.relative_frobenius = sq_error == 0 ? 0.0 : kInf;
  // calc_diff: sum(x^2 + y^2) - 2 sum(xy) == sum (x - y)^2 exactly in real arithmetic.
  const double sq_both = sq_ref + sq_out;
  s.calc_diff = sq_both == 0 ? 0.0 : sq_error / sq_both;
  const double norm_out = std::sqrt(sq_out), norm_ref = std::sqrt(sq_ref);
  if (norm_out == 0 || norm_ref == 0) s.cosine_similarity = norm_out == norm_ref ? 1.0 : 0.0;
  else s.cosine_similarity = std::clamp(sum_out_ref_.value() / norm_out / norm_ref, -1.0, 1.0);
  if (sq_error == 0) s.sqnr_db = kInf;
  else s.sqnr_db = sq_ref == 0 ? -kInf : decibels(sq_ref, sq_error);

  s.max_ulp = max_ulp_;
  s.ulp_histogram = ulp_histogram_;
  s.over_tolerance_count = over_tolerance_;
  if (elements_ > 0)
    s.over_tolerance_fraction = static_cast<double>(over_tolerance_) / static_cast<double>(elements_);
  s.expected_specials = expected_;
  s.unexpected_specials = unexpected_;
  s.missing_specials = missing_;
  s.special_mismatch_count = special_mismatches_;
  if (first_mismatch_.index >= 0) s.first_special_mismatch = locate(first_mismatch_);
  s.worst = worst_.sorted(cols_);
  return s;
}

ErrorStatistics compute_error_statistics(std::span<const double> out, std::span<const double> ref,
                                         std::int64_t cols, const StatisticsOptions& options, int threads) {
  const auto n = static_cast<std::int64_t>(out.size());
  if (out.size() != ref.size())
    throw InputError("out has " + std::to_string(out.size()) + " elements but ref has " + std::to_string(ref.size()) +
                     ": out and ref must have the same shape");
  if (cols < 0 || (cols == 0 && n != 0) || (cols > 0 && n % cols != 0))
    throw InputError("cols = " + std::to_string(cols) + " does not divide the " + std::to_string(n) +
                     " elements: expected the column count of the row-major tensors (>= 1)");
  if (threads < 1) throw InputError("threads = " + std::to_string(threads) + ": expected >= 1");

  const std::int64_t chunk_count = (n + kStatisticsChunkElements - 1) / kStatisticsChunkElements;
  std::vector<StatisticsAccumulator> chunks(static_cast<std::size_t>(chunk_count),
                                            StatisticsAccumulator(std::max<std::int64_t>(cols, 1), options));
  const int workers = static_cast<int>(std::clamp<std::int64_t>(chunk_count, 1, threads));
  // Worker w takes chunks w, w + workers, ... in increasing order and stops at its first
  // error, so the smallest failing chunk over all workers is the first failing chunk.
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(workers));
  std::vector<std::int64_t> error_chunk(static_cast<std::size_t>(workers), chunk_count);
  const auto work = [&](int w) {
    for (std::int64_t c = w; c < chunk_count; c += workers) {
      try {
        const std::int64_t begin = c * kStatisticsChunkElements;
        const auto count = static_cast<std::size_t>(std::min(n, begin + kStatisticsChunkElements) - begin);
        chunks[static_cast<std::size_t>(c)].add_range(out.subspan(static_cast<std::size_t>(begin), count),
                                                      ref.subspan(static_cast<std::size_t>(begin), count), begin);
      } catch (...) {
        errors[static_cast<std::size_t>(w)] = std::current_exception();
        error_chunk[static_cast<std::size_t>(w)] = c;
        return;
      }
    }
  };
  {
    std::vector<std::jthread> pool;  // joins on every exit path, also if a thread fails to start
    for (int w = 1; w < workers; ++w) pool.emplace_back(work, w);
    work(0);
  }
  const auto first_error = std::min_element(error_chunk.begin(), error_chunk.end());
  if (*first_error < chunk_count)
    std::rethrow_exception(errors[static_cast<std::size_t>(first_error - error_chunk.begin())]);

  StatisticsAccumulator total(std::max<std::int64_t>(cols, 1), options);
  for (const StatisticsAccumulator& chunk : chunks) total.merge(chunk);
  return total.finish();
}

}  // namespace fp8check
