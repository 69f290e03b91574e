#include "harness/quantize/convention_diagnosis.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "harness/core/error.hpp"
#include "harness/quantize/element_codec.hpp"

namespace fp8check {
namespace {

bool same_code(ElementType t, std::uint8_t a, std::uint8_t b) {
  return a == b || (is_nan_element(t, a) && is_nan_element(t, b));
}

bool same_float(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

// The fp32 values at most two ulp steps from v, v included: every result div.full.f32
// may return for a quotient whose correctly rounded value is v (PTX ISA, "div": at most
// 2 ulp from the exact quotient, which is itself within half an ulp of v).
std::array<float, 5> within_division_bound(float v) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  const float down1 = std::nextafter(v, -inf), up1 = std::nextafter(v, inf);
  return {std::nextafter(down1, -inf), down1, v, up1, std::nextafter(up1, inf)};
}

// Counts, for a convention whose division is approximate, the kernel's scales and codes
// that differ from the model but lie within the division's error bound. A tolerated
// scale is the one the kernel's codes are then checked against.
void count_within_division_bound(ConventionMatch& m, const Eigen::Ref<const MatrixD>& x, const Recipe& recipe,
                                 const QuantizeOptions& options, const QuantizedMatrix& actual) {
  const ConventionArith arith = convention_arith(m.convention);
  const ScalePolicy& policy = options.scale;
  if (!arith.approximate_division || policy.meaning != ScaleMeaning::dequant) return;
  const Fp32ScaleRules rules{false, policy.pow2 == Pow2Scale::round_up, policy.zero_block == ZeroBlockScale::one};
  double format_max = policy.format_max.value_or(recipe.element.max_magnitude());
  if (recipe.scheme == ScalingScheme::delayed) format_max = std::ldexp(format_max, -recipe.delayed.margin);
  const auto fmax = static_cast<float>(format_max);
  const ScaleLayout& l = actual.scales.layout;
  for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
    for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
      const std::int64_t i0 = gi * l.block.rows, i1 = std::min(x.rows(), i0 + l.block.rows);
      const std::int64_t j0 = gj * l.block.cols, j1 = std::min(x.cols(), j0 + l.block.cols);
      double amax = 0;
      if (recipe.scheme == ScalingScheme::delayed) {
        amax = options.history->scale_amax().value_or(0.0);
      } else {
        for (std::int64_t i = i0; i < i1; ++i)
          for (std::int64_t j = j0; j < j1; ++j) amax = fold_amax(arith, amax, x(i, j));
      }
      const Fp32BlockScale model = fp32_block_scale(arith, amax, format_max, rules);
      // The correctly rounded scale, and what the approximate division may return.
      ConventionArith rounded = arith;
      rounded.source = ScaleSource::scale;
      const float exact_s = fp32_block_scale(rounded, amax, format_max, {}).s;
      const float kernel_s = actual.scales.value(gi, gj);
      bool scale_ok = same_float(kernel_s, model.s);
      if (!scale_ok)
        for (float v : within_division_bound(exact_s))
          if (same_float(kernel_s, rules.pow2_round_up ? convention_detail::pow2_ceil32(v) : v)) {
            scale_ok = true;
            ++m.scales_within_division_bound;
            break;
          }
      const float s = scale_ok ? kernel_s : model.s;
      for (std::int64_t i = i0; i < i1; ++i)
        for (std::int64_t j = j0; j < j1; ++j) {
          const std::uint32_t bits =
              options.random_bits.empty() ? 0u : options.random_bits[static_cast<std::size_t>(i * x.cols() + j)];
          const std::uint8_t got = actual.codes(i, j);
          const auto code_of = [&](double scaled) {
            return encode_element(recipe.element, scaled, policy.element_encode, bits);
          };
          if (same_code(recipe.element, got, code_of(scale_element(arith, model, false, x(i, j))))) continue;
          const float quotient = static_cast<float>(x(i, j)) / s;  // IEEE: the correctly rounded quotient
          for (float v : within_division_bound(quotient)) {
            // Through the convention's clamp and cast: a divide op with q unused.
            ConventionArith divide = arith;
            divide.op = ElementOp::divide;
            const Fp32BlockScale unit{1, 1, 1, fmax};
            if (same_code(recipe.element, got, code_of(scale_element(divide, unit, false, v)))) {
              ++m.codes_within_division_bound;
              break;
            }
          }
        }
    }
}

ConventionMatch match(const Eigen::Ref<const MatrixD>& x, const Recipe& recipe, const QuantizeOptions& options,
                      const QuantizedMatrix& actual) {
  ConventionMatch m{options.scale.convention, compare_quantized(quantize(x, recipe, options), actual)};
  if (!m.comparison.exact()) count_within_division_bound(m, x, recipe, options, actual);
  return m;
}

// Fewer unexplained mismatches first; then fewer merely tolerated ones (an exact match
// beats a match within an approximate division's bound).
bool ranks_before(const ConventionMatch& a, const ConventionMatch& b) {
  const std::int64_t ua = a.unexplained_codes() + a.unexplained_scales();
  const std::int64_t ub = b.unexplained_codes() + b.unexplained_scales();
  if (ua != ub) return ua < ub;
  return a.codes_within_division_bound + a.scales_within_division_bound <
         b.codes_within_division_bound + b.scales_within_division_bound;
}

std::string unexplained_text(const ConventionMatch& m) {
  return std::to_string(m.unexplained_codes()) + " codes and " + std::to_string(m.unexplained_scales()) + " scales";
}

std::string bound_text(const ConventionMatch& m) {
  if (m.codes_within_division_bound == 0 && m.scales_within_division_bound == 0) return "";
  return " (" + std::to_string(m.codes_within_division_bound) + " codes and " +
         std::to_string(m.scales_within_division_bound) + " scales within the div.full.f32 error bound)";
}

}  // namespace

const ConventionMatch* ConventionDiagnosis::best_alternative() const {
  if (alternatives.empty()) return nullptr;
  const ConventionMatch& best = alternatives.front();
  const auto unexplained = [](const ConventionMatch& m) { return m.unexplained_codes() + m.unexplained_scales(); };
  return unexplained(best) < unexplained(declared) ? &best : nullptr;
}

std::string ConventionDiagnosis::summary() const {
  const std::string name = describe(declared.convention);
  if (passes())
    return "convention " + name + ": codes and scales agree (" + std::to_string(declared.comparison.codes_compared) +
           " codes, " + std::to_string(declared.comparison.scales_compared) + " scales)" + bound_text(declared);
  std::string s = "convention " + name + ": " + declared.comparison.summary() + bound_text(declared);
  const ConventionMatch* best = best_alternative();
  if (best == nullptr) return s + "; no other convention explains the kernel better";
  s += "; " + std::string(best->explains_all() ? "matches " : "closest: ") + describe(best->convention) +
       " except " + unexplained_text(*best) + bound_text(*best);
  std::string also;
  for (std::size_t k = 1; k < alternatives.size(); ++k)
    if (!ranks_before(*best, alternatives[k])) also += (also.empty() ? "" : ", ") + describe(alternatives[k].convention);
  return also.empty() ? s : s + " (as does " + also + ")";
}

ConventionDiagnosis diagnose_quantized(Eigen::Ref<const MatrixD> x, const Recipe& recipe,
                                       const QuantizeOptions& options, const QuantizedMatrix& actual) {
  ConventionDiagnosis d{match(x, recipe, options, actual), {}};
  if (d.passes()) return d;
  for (ConventionId id : all_conventions()) {
    if (id == options.scale.convention.id) continue;
    QuantizeOptions other = options;
    other.scale.convention = QuantConvention{id, std::nullopt};
    try {
      check_convention(recipe, other.scale);
    } catch (const InputError&) {
      continue;  // does not apply to this recipe or policy
    }
    d.alternatives.push_back(match(x, recipe, other, actual));
  }
  std::stable_sort(d.alternatives.begin(), d.alternatives.end(), ranks_before);
  return d;
}

}  // namespace fp8check
