#include "harness/record/detail/results_statistics.hpp"

#include <cstdint>
#include <optional>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/record/detail/results_schema.hpp"

namespace fp8check::record::detail {
namespace {

// The double-valued statistics, stored as attributes of the same name.
struct DoubleField {
  const char* name;
  double ErrorStatistics::*member;
};
constexpr DoubleField kDoubleFields[] = {
    {"relative_floor", &ErrorStatistics::relative_floor},
    {"atol", &ErrorStatistics::atol},
    {"rtol", &ErrorStatistics::rtol},
    {"max_abs_error", &ErrorStatistics::max_abs_error},
    {"max_relative_error", &ErrorStatistics::max_relative_error},
    {"mean_abs_error", &ErrorStatistics::mean_abs_error},
    {"rms_error", &ErrorStatistics::rms_error},
    {"relative_frobenius", &ErrorStatistics::relative_frobenius},
    {"calc_diff", &ErrorStatistics::calc_diff},
    {"cosine_similarity", &ErrorStatistics::cosine_similarity},
    {"sqnr_db", &ErrorStatistics::sqnr_db},
    {"over_tolerance_fraction", &ErrorStatistics::over_tolerance_fraction},
};

struct CountField {
  const char* name;
  std::int64_t ErrorStatistics::*member;
};
constexpr CountField kCountFields[] = {
    {"element_count", &ErrorStatistics::element_count},
    {"finite_count", &ErrorStatistics::finite_count},
    {"over_tolerance_count", &ErrorStatistics::over_tolerance_count},
    {"special_mismatch_count", &ErrorStatistics::special_mismatch_count},
};

struct SpecialsField {
  const char* name;
  SpecialCounts ErrorStatistics::*member;
};
constexpr SpecialsField kSpecialsFields[] = {
    {"expected_specials", &ErrorStatistics::expected_specials},
    {"unexpected_specials", &ErrorStatistics::unexpected_specials},
    {"missing_specials", &ErrorStatistics::missing_specials},
};

// An optional ElementReport as attributes PREFIX.index, .row, .col, .out, .ref, .abs_error.
void write_element(Hdf5Group& g, const std::string& prefix, const std::optional<ElementReport>& e) {
  if (!e) return;
  g.set_attribute(prefix + ".index", e->index);
  g.set_attribute(prefix + ".row", e->row);
  g.set_attribute(prefix + ".col", e->col);
  g.set_attribute(prefix + ".out", e->out);
  g.set_attribute(prefix + ".ref", e->ref);
  g.set_attribute(prefix + ".abs_error", e->abs_error);
}

std::optional<ElementReport> read_element(const Hdf5Group& g, const std::string& prefix) {
  if (!g.has_attribute(prefix + ".index")) return std::nullopt;
  return ElementReport{g.int_attribute(prefix + ".index"),  g.int_attribute(prefix + ".row"),
                       g.int_attribute(prefix + ".col"),    g.double_attribute(prefix + ".out"),
                       g.double_attribute(prefix + ".ref"), g.double_attribute(prefix + ".abs_error")};
}

void write_worst(Hdf5Group& parent, const std::vector<ElementReport>& worst) {
  Hdf5Group g = parent.create_group("worst");
  std::vector<std::int64_t> index, row, col;
  std::vector<double> out, ref, abs_error;
  for (const ElementReport& e : worst) {
    index.push_back(e.index);
    row.push_back(e.row);
    col.push_back(e.col);
    out.push_back(e.out);
    ref.push_back(e.ref);
    abs_error.push_back(e.abs_error);
  }
  const std::vector<std::uint64_t> shape = {worst.size()};
  g.write_dataset<std::int64_t>("index", index, shape);
  g.write_dataset<std::int64_t>("row", row, shape);
  g.write_dataset<std::int64_t>("col", col, shape);
  g.write_dataset<double>("out", out, shape);
  g.write_dataset<double>("ref", ref, shape);
  g.write_dataset<double>("abs_error", abs_error, shape);
}

std::vector<ElementReport> read_worst(const Hdf5Group& parent, const std::string& file) {
  const Hdf5Group g = parent.open_group("worst");
  const std::vector<std::uint64_t> shape = g.dataset_shape("index");
  for (const char* column : {"row", "col", "out", "ref", "abs_error"})
    if (shape.size() != 1 || g.dataset_shape(column) != shape)
      malformed(file, g.path() + " has columns of different lengths or dimensions",
                "index, row, col, out, ref, abs_error of one length");
  if (shape[0] > static_cast<std::uint64_t>(StatisticsOptions::kMaxWorstCount))
    malformed(file, g.path() + " declares " + std::to_string(shape[0]) + " rows",
              "at most " + std::to_string(StatisticsOptions::kMaxWorstCount) + " worst elements");
  const std::uint64_t n = shape[0];
  const auto index = g.read_dataset<std::int64_t>("index", n).values;
  const auto row = g.read_dataset<std::int64_t>("row", n).values;
  const auto col = g.read_dataset<std::int64_t>("col", n).values;
  const auto out = g.read_dataset<double>("out", n).values;
  const auto ref = g.read_dataset<double>("ref", n).values;
  const auto abs_error = g.read_dataset<double>("abs_error", n).values;
  std::vector<ElementReport> worst(n);
  for (std::size_t i = 0; i < n; ++i) worst[i] = {index[i], row[i], col[i], out[i], ref[i], abs_error[i]};
  return worst;
}

}  // namespace

void write_statistics(Hdf5Group& parent, const std::string& name, const ErrorStatistics& s) {
  Hdf5Group g = parent.create_group(name);
  g.set_attribute("output_type", std::string(numeric_type_name(s.output_type)));
  for (const DoubleField& f : kDoubleFields) g.set_attribute(f.name, s.*f.member);
  for (const CountField& f : kCountFields) g.set_attribute(f.name, s.*f.member);
  for (const SpecialsField& f : kSpecialsFields) {
    const SpecialCounts& c = s.*f.member;
    g.set_attribute(std::string(f.name) + ".nan", c.nan);
    g.set_attribute(std::string(f.name) + ".pos_inf", c.pos_inf);
    g.set_attribute(std::string(f.name) + ".neg_inf", c.neg_inf);
  }
  g.set_uint64_attribute("max_ulp", s.max_ulp);
  write_element(g, "max_relative_element", s.max_relative_element);
  write_element(g, "first_special_mismatch", s.first_special_mismatch);
  g.write_dataset<std::int64_t>("ulp_histogram", s.ulp_histogram, {s.ulp_histogram.size()});
  write_worst(g, s.worst);
}

ErrorStatistics read_statistics(const Hdf5Group& parent, const std::string& name, const std::string& file) {
  const Hdf5Group g = parent.open_group(name);
  ErrorStatistics s;
  const std::string type = g.string_attribute("output_type");
  try {
    s.output_type = parse_numeric_type(type);
  } catch (const InputError&) {
    malformed(file, g.path() + " has output_type '" + type + "'", "one of " + numeric_type_name_list());
  }
  for (const DoubleField& f : kDoubleFields) s.*f.member = g.double_attribute(f.name);
  for (const CountField& f : kCountFields) s.*f.member = g.int_attribute(f.name);
  for (const SpecialsField& f : kSpecialsFields) {
    SpecialCounts& c = s.*f.member;
    c.nan = g.int_attribute(std::string(f.name) + ".nan");
    c.pos_inf = g.int_attribute(std::string(f.name) + ".pos_inf");
    c.neg_inf = g.int_attribute(std::string(f.name) + ".neg_inf");
  }
  s.max_ulp = g.uint64_attribute("max_ulp");
  s.max_relative_element = read_element(g, "max_relative_element");
  s.first_special_mismatch = read_element(g, "first_special_mismatch");
  const std::vector<std::uint64_t> buckets = g.dataset_shape("ulp_histogram");
  if (buckets != std::vector<std::uint64_t>{s.ulp_histogram.size()})
    malformed(file, g.path() + "/ulp_histogram has " + std::to_string(buckets.size()) + " dimension(s), " +
                        std::to_string(buckets[0]) + " buckets first",
              std::to_string(s.ulp_histogram.size()) + " buckets in one dimension (ulp_distance.hpp)");
  const Hdf5Array<std::int64_t> histogram = g.read_dataset<std::int64_t>("ulp_histogram", s.ulp_histogram.size());
  std::copy(histogram.values.begin(), histogram.values.end(), s.ulp_histogram.begin());
  s.worst = read_worst(g, file);
  return s;
}

}  // namespace fp8check::record::detail
