// The human-readable form of ErrorStatistics: one "name: value" line per statistic,
// 6 significant digits, so logs and test failures can be read at a glance.
#include <ios>
#include <ostream>

#include "harness/compare/error_statistics.hpp"

namespace fp8check {
namespace {

std::ostream& operator<<(std::ostream& os, const SpecialCounts& c) {
  return os << "nan " << c.nan << ", +inf " << c.pos_inf << ", -inf " << c.neg_inf;
}

void print_element(std::ostream& os, const ElementReport& e) {
  os << "(" << e.row << ", " << e.col << ") out " << e.out << " ref " << e.ref << " |err| " << e.abs_error;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const ErrorStatistics& s) {
  const std::ios_base::fmtflags flags = os.flags();
  const std::streamsize precision = os.precision(6);
  os.unsetf(std::ios_base::floatfield);

  os << "elements: " << s.element_count << " (finite " << s.finite_count << ")\n";
  os << "max_abs_error: " << s.max_abs_error << "\n";
  os << "max_relative_error: " << s.max_relative_error << " (floor " << s.relative_floor << ")";
  if (s.max_relative_element) {
    os << " at ";
    print_element(os, *s.max_relative_element);
  }
  os << "\nmean_abs_error: " << s.mean_abs_error << "\n";
  os << "rms_error: " << s.rms_error << "\n";
  os << "relative_frobenius: " << s.relative_frobenius << "\n";
  os << "calc_diff: " << s.calc_diff << "\n";
  os << "cosine_similarity: " << s.cosine_similarity << "\n";
  os << "sqnr_db: " << s.sqnr_db << "\n";
  os << "max_ulp (" << numeric_type_name(s.output_type) << "): " << s.max_ulp << "\n";
  os << "ulp_histogram:";
  for (int b = 0; b < kUlpBucketCount; ++b) {
    const std::int64_t count = s.ulp_histogram[static_cast<std::size_t>(b)];
    if (count != 0) os << " [" << ulp_bucket_label(b) << "] " << count;
  }
  os << "\nover_tolerance: " << s.over_tolerance_count << " (fraction " << s.over_tolerance_fraction << ", atol "
     << s.atol << ", rtol " << s.rtol << ")\n";
  os << "expected_specials: " << s.expected_specials << "\n";
  os << "unexpected_specials: " << s.unexpected_specials << "\n";
  os << "missing_specials: " << s.missing_specials << "\n";
  os << "special_mismatches: " << s.special_mismatch_count;
  if (s.first_special_mismatch) {
    os << " (first at ";
    print_element(os, *s.first_special_mismatch);
    os << ")";
  }
  os << "\nworst:";
  for (const ElementReport& e : s.worst) {
    os << "\n  ";
    print_element(os, e);
  }
  os << "\n";

  os.precision(precision);
  os.flags(flags);
  return os;
}

}  // namespace fp8check
