#include "harness/record/detail/results_case.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <limits>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/machine_memory.hpp"
#include "harness/record/detail/results_schema.hpp"
#include "harness/record/detail/results_statistics.hpp"

namespace fp8check::record::detail {
namespace {

// Param axes in their order, as one attribute "m,n,k" (attribute order is not kept by
// HDF5); each value is the attribute param.<axis>.
constexpr char kAxisSeparator = ',';

std::vector<std::string> split_axes(const std::string& text) {
  std::vector<std::string> axes;
  if (text.empty()) return axes;
  std::size_t start = 0;
  for (std::size_t comma; (comma = text.find(kAxisSeparator, start)) != std::string::npos; start = comma + 1)
    axes.push_back(text.substr(start, comma - start));
  axes.push_back(text.substr(start));
  return axes;
}

void write_checks(Hdf5Group& parent, const std::vector<Check>& checks) {
  Hdf5Group g = parent.create_group("checks");
  std::vector<std::string> name, detail;
  std::vector<double> observed, limit;
  std::vector<std::uint8_t> passed;
  for (const Check& c : checks) {
    name.push_back(c.name);
    detail.push_back(c.detail);
    observed.push_back(c.observed);
    limit.push_back(c.limit);
    passed.push_back(c.passed ? 1 : 0);
  }
  g.write_strings("name", name);
  g.write_dataset<double>("observed", observed, {checks.size()});
  g.write_dataset<double>("limit", limit, {checks.size()});
  g.write_dataset<std::uint8_t>("passed", passed, {checks.size()});
  g.write_strings("detail", detail);
}

// The common length of a table's columns, read from their declared shapes before any
// column is: InputError for columns of different lengths or more than kMaxTableRows rows.
std::uint64_t table_rows(const Hdf5Group& g, const std::string& file, std::initializer_list<const char*> columns,
                         const std::string& expected) {
  std::optional<std::vector<std::uint64_t>> first;
  for (const char* column : columns) {
    const std::vector<std::uint64_t> shape = g.dataset_shape(column);
    if (shape.size() != 1 || (first && shape != *first))
      malformed(file, g.path() + " has columns of different lengths or dimensions", expected + " of one length");
    first = shape;
  }
  if ((*first)[0] > kMaxTableRows)
    malformed(file, g.path() + " declares " + std::to_string((*first)[0]) + " rows",
              "at most " + std::to_string(kMaxTableRows));
  return (*first)[0];
}

std::vector<Check> read_checks(const Hdf5Group& parent, const std::string& file) {
  const Hdf5Group g = parent.open_group("checks");
  const std::uint64_t n = table_rows(g, file, {"name", "observed", "limit", "passed", "detail"},
                                     "name, observed, limit, passed, detail");
  const auto name = g.read_strings("name", n);
  const auto detail = g.read_strings("detail", n);
  const auto observed = g.read_dataset<double>("observed", n).values;
  const auto limit = g.read_dataset<double>("limit", n).values;
  const auto passed = g.read_dataset<std::uint8_t>("passed", n).values;
  std::vector<Check> checks(n);
  for (std::size_t i = 0; i < n; ++i) checks[i] = {name[i], observed[i], limit[i], passed[i] != 0, detail[i]};
  return checks;
}

void write_metrics(Hdf5Group& parent, const std::map<std::string, double>& metrics) {
  Hdf5Group g = parent.create_group("metrics");
  std::vector<std::string> name;
  std::vector<double> value;
  for (const auto& [n, v] : metrics) {
    name.push_back(n);
    value.push_back(v);
  }
  g.write_strings("name", name);
  g.write_dataset<double>("value", value, {value.size()});
}

std::map<std::string, double> read_metrics(const Hdf5Group& parent, const std::string& file) {
  const Hdf5Group g = parent.open_group("metrics");
  const std::uint64_t n = table_rows(g, file, {"name", "value"}, "name and value");
  const auto name = g.read_strings("name", n);
  const auto value = g.read_dataset<double>("value", n).values;
  std::map<std::string, double> metrics;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!metrics.emplace(name[i], value[i]).second)
      malformed(file, g.path() + " repeats metric '" + name[i] + "'", "unique names");
  return metrics;
}

void write_output(Hdf5Group& parent, const OutputRecord& o, const ResultsWriteOptions& options) {
  Hdf5Group g = parent.create_group("output");
  g.set_attribute("type", o.type);
  g.set_attribute("rows", o.rows);
  g.set_attribute("cols", o.cols);
  g.set_attribute("digest", o.digest);
  g.set_attribute("complete", std::int64_t{o.complete ? 1 : 0});
  const auto count = static_cast<std::int64_t>(o.values.size());
  DatasetOptions storage;
  if (options.compress_min_elements > 0 && count >= options.compress_min_elements)
    storage = {.gzip_level = options.gzip_level, .chunk = {}, .shuffle = options.shuffle};
  if (o.complete) {
    if (o.rows < 0 || o.cols < 0 || count != o.rows * o.cols)
      throw InternalError(parent.path() + ": a complete output of " + std::to_string(o.rows) + "x" +
                          std::to_string(o.cols) + " holds " + std::to_string(count) + " values");
    g.write_dataset<double>("values", o.values,
                            {static_cast<std::uint64_t>(o.rows), static_cast<std::uint64_t>(o.cols)}, storage);
    return;
  }
  if (o.sample_index.size() != o.values.size())
    throw InternalError(parent.path() + ": a sampled output has " + std::to_string(o.sample_index.size()) +
                        " indices for " + std::to_string(count) + " values");
  g.write_dataset<double>("values", o.values, {o.values.size()}, storage);
  g.write_dataset<std::int64_t>("sample_index", o.sample_index, {o.sample_index.size()}, storage);
}

OutputRecord read_output(const Hdf5Group& parent, const std::string& file) {
  const Hdf5Group g = parent.open_group("output");
  OutputRecord o;
  o.type = g.string_attribute("type");
  try {
    (void)parse_numeric_type(o.type);
  } catch (const InputError&) {
    malformed(file, g.path() + " has type '" + o.type + "'", "one of " + numeric_type_name_list());
  }
  o.rows = g.int_attribute("rows");
  o.cols = g.int_attribute("cols");
  if (o.rows < 0 || o.cols < 0 || (o.cols > 0 && o.rows > std::numeric_limits<std::int64_t>::max() / o.cols))
    malformed(file, g.path() + " has shape " + std::to_string(o.rows) + "x" + std::to_string(o.cols),
              "rows, cols >= 0 with rows*cols < 2^63");
  o.digest = g.string_attribute("digest");
  o.complete = flag_attribute(g, file, "complete");
  const auto elements = static_cast<std::uint64_t>(o.rows) * static_cast<std::uint64_t>(o.cols);  // < 2^63: above
  if (elements > max_output_elements())
    malformed(file, g.path() + " declares a " + std::to_string(o.rows) + " x " + std::to_string(o.cols) + " output",
              "an output whose float64 values fit in half of the memory this process may use (" +
                  byte_text(machine_memory_bytes()) + ")");
  // Shapes first, so that nothing is allocated for a dataset the attributes contradict.
  const std::vector<std::uint64_t> shape = g.dataset_shape("values");
  if (o.complete) {
    if (shape != std::vector<std::uint64_t>{static_cast<std::uint64_t>(o.rows), static_cast<std::uint64_t>(o.cols)})
      malformed(file, g.path() + "/values does not have the shape rows x cols",
                "a complete output as a rows x cols dataset");
    o.values = g.read_dataset<double>("values", elements).values;
    return o;
  }
  const std::vector<std::uint64_t> index_shape = g.dataset_shape("sample_index");
  if (shape.size() != 1 || index_shape != shape || shape[0] > elements)
    malformed(file,
              g.path() + " has " + std::to_string(index_shape[0]) + " sample indices for " + std::to_string(shape[0]) +
                  " values of a " + std::to_string(o.rows) + " x " + std::to_string(o.cols) + " output",
              "one 1-D sample_index per sampled value, at most rows*cols of them");
  o.values = g.read_dataset<double>("values", shape[0]).values;
  o.sample_index = g.read_dataset<std::int64_t>("sample_index", shape[0]).values;
  for (const std::int64_t i : o.sample_index)
    if (i < 0 || i >= o.rows * o.cols)
      malformed(file, g.path() + "/sample_index holds " + std::to_string(i), "flat indices in [0, rows*cols)");
  return o;
}

}  // namespace

void write_case(Hdf5Group& cases, std::size_t i, const CaseResult& c, const ResultsWriteOptions& options) {
  Hdf5Group g = cases.create_group(case_group_name(i));
  g.set_attribute("id", c.id);
  g.set_attribute("op", c.op);
  g.set_attribute("seed_key", c.seed_key);
  g.set_attribute("backend", c.backend);
  g.set_attribute("deterministic", std::int64_t{c.deterministic});
  g.set_attribute("config", c.config);
  g.set_attribute("verdict", std::string(verdict_name(c.verdict)));
  g.set_attribute("reason", c.reason);
  g.set_attribute("seconds", c.seconds);
  for (const auto& [stage, seconds] : c.stage_seconds) g.set_attribute("seconds." + stage, seconds);
  std::string axes;
  for (const auto& [axis, value] : c.params) {
    if (axis.empty() || axis.find(kAxisSeparator) != std::string::npos)
      throw InputError("case '" + c.id + "': param axis '" + axis +
                       "' cannot be stored: expected a non-empty name without ','");
    axes += (axes.empty() ? "" : ",") + axis;
    g.set_attribute("param." + axis, value);
  }
  g.set_attribute("param_axes", axes);
  // Empty checks and metrics are left out: 9 HDF5 objects, 19 % of a golden case's fixed size;
  // goldens keep neither (docs/performance.md, "Results files").
  if (!c.checks.empty()) write_checks(g, c.checks);
  if (c.kernel_error) write_statistics(g, "kernel_error", *c.kernel_error);
  if (c.total_error) write_statistics(g, "total_error", *c.total_error);
  if (!c.metrics.empty()) write_metrics(g, c.metrics);
  if (c.output) write_output(g, *c.output, options);
}

CaseResult read_case(const Hdf5Group& cases, std::size_t i, const std::string& file) {
  const Hdf5Group g = cases.open_group(case_group_name(i));
  CaseResult c;
  c.id = g.string_attribute("id");
  c.op = g.string_attribute("op");
  c.seed_key = g.string_attribute("seed_key");
  c.backend = g.string_attribute("backend");
  // Files written before the attribute existed: only the emulated backend was deterministic.
  c.deterministic = g.has_attribute("deterministic") ? g.int_attribute("deterministic") != 0 : c.backend == "emulated";
  c.config = g.string_attribute("config");
  const std::string verdict = g.string_attribute("verdict");
  try {
    c.verdict = parse_verdict(verdict);
  } catch (const InputError&) {
    malformed(file, g.path() + " has verdict '" + verdict + "'", "pass, improved, skipped, fail, regression or error");
  }
  c.reason = g.string_attribute("reason");
  c.seconds = g.double_attribute("seconds");
  for (const std::string_view stage : kCaseStages)
    if (const std::string name = "seconds." + std::string(stage); g.has_attribute(name))
      c.stage_seconds[std::string(stage)] = g.double_attribute(name);
  for (const std::string& axis : split_axes(g.string_attribute("param_axes")))
    c.params.emplace_back(axis, g.string_attribute("param." + axis));
  if (g.contains("checks")) c.checks = read_checks(g, file);
  if (g.contains("kernel_error")) c.kernel_error = read_statistics(g, "kernel_error", file);
  if (g.contains("total_error")) c.total_error = read_statistics(g, "total_error", file);
  if (g.contains("metrics")) c.metrics = read_metrics(g, file);
  if (g.contains("output")) c.output = read_output(g, file);
  return c;
}

}  // namespace fp8check::record::detail
