// Splitting a tensor across threads: merging chunk accumulators in chunk order gives
// bit-identical statistics for any thread count, order-free statistics do not depend on
// the split at all, and the compensated sums hold up over ten million elements.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "harness/compare/error_statistics.hpp"
#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"

namespace fp8check {
namespace {

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Field by field, doubles by bit pattern (NaN fields compare equal to themselves).
void expect_same_element(const ElementReport& a, const ElementReport& b) {
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.row, b.row);
  EXPECT_EQ(a.col, b.col);
  EXPECT_EQ(bits(a.out), bits(b.out));
  EXPECT_EQ(bits(a.ref), bits(b.ref));
  EXPECT_EQ(bits(a.abs_error), bits(b.abs_error));
}

// The statistics whose value does not depend on summation order.
void expect_same_order_free_statistics(const ErrorStatistics& a, const ErrorStatistics& b) {
  EXPECT_EQ(a.element_count, b.element_count);
  EXPECT_EQ(a.finite_count, b.finite_count);
  EXPECT_EQ(bits(a.max_abs_error), bits(b.max_abs_error));
  EXPECT_EQ(bits(a.max_relative_error), bits(b.max_relative_error));
  ASSERT_EQ(a.max_relative_element.has_value(), b.max_relative_element.has_value());
  if (a.max_relative_element) expect_same_element(*a.max_relative_element, *b.max_relative_element);
  EXPECT_EQ(a.max_ulp, b.max_ulp);
  EXPECT_EQ(a.ulp_histogram, b.ulp_histogram);
  EXPECT_EQ(a.over_tolerance_count, b.over_tolerance_count);
  EXPECT_EQ(a.expected_specials, b.expected_specials);
  EXPECT_EQ(a.unexpected_specials, b.unexpected_specials);
  EXPECT_EQ(a.missing_specials, b.missing_specials);
  EXPECT_EQ(a.special_mismatch_count, b.special_mismatch_count);
  ASSERT_EQ(a.first_special_mismatch.has_value(), b.first_special_mismatch.has_value());
  if (a.first_special_mismatch) expect_same_element(*a.first_special_mismatch, *b.first_special_mismatch);
  ASSERT_EQ(a.worst.size(), b.worst.size());
  for (std::size_t i = 0; i < a.worst.size(); ++i) expect_same_element(a.worst[i], b.worst[i]);
}

void expect_identical(const ErrorStatistics& a, const ErrorStatistics& b) {
  expect_same_order_free_statistics(a, b);
  for (auto field : {&ErrorStatistics::mean_abs_error, &ErrorStatistics::rms_error,
                     &ErrorStatistics::relative_frobenius, &ErrorStatistics::calc_diff,
                     &ErrorStatistics::cosine_similarity, &ErrorStatistics::sqnr_db,
                     &ErrorStatistics::over_tolerance_fraction})
    EXPECT_EQ(bits(a.*field), bits(b.*field)) << a.*field << " vs " << b.*field;
}

// A bf16 kernel output near an FP64 reference, with a few specials of each kind.
struct Tensors {
  std::vector<double> out, ref;
};
Tensors bf16_like_output(std::int64_t n) {
  Tensors t;
  std::uint64_t state = 42;
  const auto next = [&state] {  // splitmix64 (Steele et al. 2014)
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (std::int64_t i = 0; i < n; ++i) {
    const double ref = (static_cast<double>(next() >> 11) * 0x1p-53 - 0.5) * 64.0;
    const double noisy = ref * (1.0 + (static_cast<double>(next() >> 11) * 0x1p-53 - 0.5) * 0x1p-6);
    double out = decode(Format::bf16, encode(Format::bf16, noisy));
    double r = ref;
    if (i % 9973 == 5) out = nan;                 // unexpected NaN
    if (i % 10007 == 3) r = out = inf;            // expected inf
    if (i % 65521 == 11) r = -inf;                // missing -inf
    if (i % 4099 == 0) out = decode(Format::bf16, encode(Format::bf16, ref));  // exact ties for worst-k
    t.out.push_back(out);
    t.ref.push_back(r);
  }
  return t;
}

TEST(ErrorStatisticsMerge, AnyThreadCountGivesTheSameBits) {
  const std::int64_t n = 328'000, cols = 1000;  // 5 full chunks and a partial one
  const Tensors t = bf16_like_output(n);
  StatisticsOptions options;
  options.output_type = Format::bf16;
  options.atol = 1e-3;
  options.rtol = 1e-2;
  options.worst_count = 16;
  const ErrorStatistics one = compute_error_statistics(t.out, t.ref, cols, options, 1);
  ASSERT_GT(one.special_mismatch_count, 0);
  ASSERT_GT(one.ulp_histogram[2], 0);
  for (int threads : {2, 3, 4, 7, 16})
    expect_identical(one, compute_error_statistics(t.out, t.ref, cols, options, threads));

  // What compute_error_statistics promises: one accumulator per fixed chunk, merged in order.
  StatisticsAccumulator merged(cols, options);
  for (std::int64_t begin = 0; begin < n; begin += kStatisticsChunkElements) {
    StatisticsAccumulator chunk(cols, options);
    for (std::int64_t i = begin; i < std::min(n, begin + kStatisticsChunkElements); ++i)
      chunk.add(t.out[static_cast<std::size_t>(i)], t.ref[static_cast<std::size_t>(i)], i);
    merged.merge(chunk);
  }
  expect_identical(one, merged.finish());
}

TEST(ErrorStatisticsMerge, OrderFreeStatisticsIgnoreTheSplitAndSumsAgreeToRounding) {
  const std::int64_t n = 200'003;
  const Tensors t = bf16_like_output(n);
  StatisticsOptions options;
  options.output_type = Format::bf16;
  StatisticsAccumulator whole(1, options), pieces(1, options);
  for (std::int64_t i = 0; i < n; ++i)
    whole.add(t.out[static_cast<std::size_t>(i)], t.ref[static_cast<std::size_t>(i)], i);
  for (std::int64_t begin = 0; begin < n; begin += 777) {  // uneven pieces, merged out of order
    StatisticsAccumulator piece(1, options);
    for (std::int64_t i = std::min(n, begin + 777) - 1; i >= begin; --i)
      piece.add(t.out[static_cast<std::size_t>(i)], t.ref[static_cast<std::size_t>(i)], i);
    pieces.merge(piece);
  }
  const ErrorStatistics a = whole.finish(), b = pieces.finish();
  expect_same_order_free_statistics(a, b);
  EXPECT_NEAR(a.mean_abs_error, b.mean_abs_error, 1e-15 * a.mean_abs_error);
  EXPECT_NEAR(a.rms_error, b.rms_error, 1e-15 * a.rms_error);
  EXPECT_NEAR(a.calc_diff, b.calc_diff, 1e-15 * a.calc_diff);
  EXPECT_NEAR(a.sqnr_db, b.sqnr_db, 1e-12);
}

TEST(ErrorStatisticsMerge, TenMillionElementsDoNotDrift) {
  // |out - ref| = double(0.1) for 1e7 elements: the compensated mean is exactly 0.1,
  // where a naive running sum gives 0.0999999999838975 (see compensated_sum_test.cpp).
  constexpr std::int64_t kElements = 10'000'000;
  StatisticsAccumulator acc(1000, {});
  double naive = 0.0;
  for (std::int64_t i = 0; i < kElements; ++i) {
    acc.add(0.1, 0.0, i);
    naive += 0.1;
  }
  EXPECT_NE(naive / kElements, 0.1);
  const ErrorStatistics s = acc.finish();
  EXPECT_EQ(s.mean_abs_error, 0.1);
  EXPECT_EQ(s.max_abs_error, 0.1);
  EXPECT_EQ(s.worst.size(), 10u);  // the default worst_count; ties keep the smallest indices
  EXPECT_EQ(s.worst.back().index, 9);
}

}  // namespace
}  // namespace fp8check

namespace fp8check {
namespace {

// A kernel output in `type` near the reference (rounded to the type, then nudged by a few
// steps), with the bf16_like_output specials.
Tensors output_in(const NumericType& type, std::int64_t n) {
  Tensors t = bf16_like_output(n);
  for (std::size_t i = 0; i < t.out.size(); ++i) {
    if (!std::isfinite(t.out[i])) continue;
    const double x = t.out[i] * (1 + 0x1p-9 * static_cast<double>(i % 7));
    if (const Format* f = std::get_if<Format>(&type)) t.out[i] = decode(*f, encode(*f, x));
    else if (std::get<IeeeFloat>(type) == IeeeFloat::fp32) t.out[i] = static_cast<float>(x);
    else t.out[i] = x;
  }
  return t;
}

TEST(ErrorStatisticsRange, AddRangeGivesTheBitsOfAddElementByElement) {
  const std::int64_t n = 70'001, cols = 37;
  const NumericType types[] = {Format::bf16, Format::fp16, IeeeFloat::fp32, IeeeFloat::fp64, Format::e4m3fn,
                               Format::e5m2};
  for (const NumericType& type : types) {
    const Tensors t = output_in(type, n);
    StatisticsOptions options;
    options.output_type = type;
    options.atol = 1e-3;
    options.rtol = 1e-2;
    options.worst_count = 12;
    StatisticsAccumulator each(cols, options);
    for (std::int64_t i = 0; i < n; ++i) each.add(t.out[static_cast<std::size_t>(i)], t.ref[static_cast<std::size_t>(i)], i);
    const ErrorStatistics expected = each.finish();
    ASSERT_GT(expected.special_mismatch_count, 0);
    ASSERT_GT(expected.max_ulp, 0u);
    for (std::size_t piece : {std::size_t{1}, std::size_t{255}, std::size_t{256}, std::size_t{257}, std::size_t{70'001}}) {
      StatisticsAccumulator ranges(cols, options);
      for (std::size_t begin = 0; begin < t.out.size(); begin += piece) {
        const std::size_t count = std::min(piece, t.out.size() - begin);
        ranges.add_range(std::span(t.out).subspan(begin, count), std::span(t.ref).subspan(begin, count),
                         static_cast<std::int64_t>(begin));
      }
      SCOPED_TRACE(std::string(numeric_type_name(type)) + ", ranges of " + std::to_string(piece));
      expect_identical(ranges.finish(), expected);
    }
  }
}

TEST(ErrorStatisticsRange, ARejectedOutputThrowsAddsMessageAfterAddingThoseBeforeIt) {
  const Tensors good = output_in(Format::bf16, 600);
  std::vector<double> out = good.out;
  out[300] = 0.3;  // not a bf16 value
  StatisticsOptions options;
  options.output_type = Format::bf16;
  StatisticsAccumulator range(10, options), each(10, options);
  std::string range_message, add_message;
  try {
    range.add_range(out, good.ref, 1000);
  } catch (const InputError& e) {
    range_message = e.what();
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    try {
      each.add(out[i], good.ref[i], 1000 + static_cast<std::int64_t>(i));
    } catch (const InputError& e) {
      add_message = e.what();
      break;
    }
  }
  EXPECT_FALSE(range_message.empty());
  EXPECT_EQ(range_message, add_message);
  expect_identical(range.finish(), each.finish());
  EXPECT_THROW(range.add_range(std::span(out).first(3), std::span(good.ref).first(2), 0), InputError);
  EXPECT_THROW(range.add_range(std::span(good.out).first(3), std::span(good.ref).first(3), -1), InputError);
}

}  // namespace
}  // namespace fp8check
