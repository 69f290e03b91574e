// Input distributions: a printable, parseable descriptor and the generator that fills a
// tensor from (descriptor, key). Element i's value depends only on (descriptor, key, i),
// so generate() over [first, first + n) equals the same slice of the whole tensor.
// docs/inputs.md describes each kind and why the bits are the same on every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

namespace fp8check {

enum class DistributionKind : std::uint8_t {
  uniform,          // [lo, hi)
  normal,           // mean + stddev * N(0,1)
  relu,             // max(0, mean + stddev * N(0,1)): post-ReLU activations (all >= 0)
  llm_activation,   // N(0,1), with a few whole channels (index % columns) scaled by outlier_scale
  tiny,             // +-2^e * [1,2), e uniform in [min_exponent, max_exponent): underflow stress
  huge,             // same form, exponents around the FP8 overflow thresholds: saturation stress
  integers,         // every integer in [lo, hi] equally likely (exactly checkable GEMMs)
  zeros,            // +0
  all_zero_blocks,  // N(0,1), with whole blocks (index / block) set to +0
};

struct Distribution {
  DistributionKind kind = DistributionKind::normal;
  double lo = -1.0, hi = 1.0;         // uniform: [lo, hi); integers: [lo, hi], integer-valued
  double mean = 0.0, stddev = 1.0;    // normal, relu
  std::uint64_t columns = 4096;       // llm_activation: channel of element i = i % columns
  double outlier_fraction = 0.005;    // llm_activation: share of channels that are outliers
  double outlier_scale = 100.0;       // llm_activation: factor on the outlier channels
  int min_exponent = 0, max_exponent = 1;  // tiny, huge: |x| in [2^min_exponent, 2^max_exponent)
  std::uint64_t block = 32;           // all_zero_blocks: block of element i = i / block
  double zero_block_fraction = 0.25;  // all_zero_blocks: probability that a block is zero
  double specials_fraction = 0.0;     // any kind: share of elements replaced by NaN, +inf, -inf, -0

  // Descriptors with the documented defaults (what the bare name parses to).
  static Distribution uniform(double lo = -1.0, double hi = 1.0);
  static Distribution normal(double mean = 0.0, double stddev = 1.0);
  static Distribution relu(double mean = 0.0, double stddev = 1.0);
  static Distribution llm_activation(std::uint64_t columns = 4096, double outlier_fraction = 0.005,
                                     double outlier_scale = 100.0);
  static Distribution tiny(int min_exponent = -20, int max_exponent = -5);
  static Distribution huge(int min_exponent = 6, int max_exponent = 17);
  static Distribution integers(double lo = -4.0, double hi = 4.0);
  static Distribution zeros();
  static Distribution all_zero_blocks(std::uint64_t block = 32, double zero_block_fraction = 0.25);
  Distribution with_specials(double fraction = kDefaultSpecialsFraction) const;

  static constexpr double kDefaultSpecialsFraction = 0.01;

  // Throws InputError naming the bad parameter and its accepted range.
  void validate() const;

  friend bool operator==(const Distribution&, const Distribution&) = default;
};

// The canonical text form, e.g. "normal(0,2)" or "tiny(-20,-5)+specials(0.01)";
// for d built by the factories above, parse_distribution(to_string(d)) == d.
std::ostream& operator<<(std::ostream& os, const Distribution& d);
std::string to_string(const Distribution& d);
const char* kind_name(DistributionKind kind);

// Parses  kind[(p1,p2,...)][+specials[(fraction)]]  (spaces allowed). Omitted trailing
// parameters keep their defaults; "outliers" is another name for llm_activation.
// Throws InputError listing the accepted kinds on anything else; the result is validated.
Distribution parse_distribution(std::string_view text);

// Fills out[j] with element (first_index + j) of the tensor keyed by `key`.
// Validates d first. Cost per call: O(out.size()), plus O(columns) for llm_activation.
// Runs on the generator's fast path (philox_bits.hpp) where the CPU has it; every path gives
// the same bits.
void generate(const Distribution& d, std::uint64_t key, std::span<double> out,
              std::size_t first_index = 0);
// The same with `threads` std::threads (>= 1; InputError otherwise) sharing the range in
// contiguous pieces: the same bits for any count, since element i depends on (d, key, i) alone.
// A caller running one case at a time can use the cores its other stages leave idle.
void generate(const Distribution& d, std::uint64_t key, std::span<double> out, std::size_t first_index,
              int threads);

enum class SimdPath : std::uint8_t;  // harness/core/convert_bulk.hpp

namespace detail {
// generate() on an explicit path (tests and benchmarks compare the paths in one process).
void generate_on(SimdPath path, const Distribution& d, std::uint64_t key, std::span<double> out,
                 std::size_t first_index = 0);
}  // namespace detail

}  // namespace fp8check
