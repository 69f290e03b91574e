// Plots over categories: the error distribution per recipe / per format (strip plots)
// and the config-sweep heatmap.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "harness/report/plot_data_detail.hpp"
#include "harness/report/run_summary.hpp"
#include "harness/report/text_format.hpp"

namespace fp8check::report {

using namespace detail;

namespace {

std::size_t index_of(std::vector<std::string>& names, const std::string& name) {
  const std::size_t i = std::find(names.begin(), names.end(), name) - names.begin();
  if (i == names.size()) names.push_back(name);
  return i;
}

// "min / median / max" of the finite values, and how many were not finite.
std::string spread(std::vector<double> values, int& not_finite) {
  std::erase_if(values, [&](double v) { return std::isfinite(v) ? false : (++not_finite, true); });
  if (values.empty()) return "-";
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return format_number(values.front()) + " / " + format_number(median) + " / " + format_number(values.back());
}

}  // namespace

std::optional<Plot> strip_plot(const PlottedCases& cases, std::string id, std::string title,
                               std::string category_what, const std::vector<std::string_view>& param_names) {
  struct Sample {
    double max_relative, frobenius;
  };
  std::vector<std::string> categories;
  std::vector<std::vector<Sample>> samples;
  for (const CaseResult* case_result : cases) {
    const CaseResult& c = *case_result;
    const auto category = find_param(c, param_names);
    // Total error includes quantization, which is what recipes and formats differ in.
    const std::optional<ErrorStatistics>& s = c.total_error ? c.total_error : c.kernel_error;
    if (!category || !s) continue;
    const std::size_t i = index_of(categories, *category);
    samples.resize(categories.size());
    samples[i].push_back({s->max_relative_error, s->relative_frobenius});
  }
  if (categories.empty()) return std::nullopt;
  Plot p;
  p.id = std::move(id);
  p.kind = PlotKind::strip;
  p.title = std::move(title);
  p.x_label = category_what;
  p.y_label = "relative error";
  p.log_y = true;
  p.categories = categories;
  p.series = {{"max relative error", 0, false, {}}, {"relative Frobenius error", 1, false, {}}};
  p.table.header = {category_what, "cases", "max relative error: min / median / max",
                    "relative Frobenius: min / median / max", "not finite"};
  int omitted = 0;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    std::vector<double> max_relative, frobenius;
    for (std::size_t j = 0; j < samples[i].size(); ++j) {
      // Deterministic jitter so equal values stay visible side by side.
      const double jitter = (static_cast<double>(j % 5) - 2.0) * 0.04;
      const Sample& s = samples[i][j];
      for (const auto& [series, y, offset] : {std::tuple{0, s.max_relative, -0.15}, std::tuple{1, s.frobenius, 0.15}}) {
        if (std::isfinite(y) && y > 0) p.series[series].points.push_back({static_cast<double>(i) + offset + jitter, y});
        else ++omitted;
      }
      max_relative.push_back(s.max_relative);
      frobenius.push_back(s.frobenius);
    }
    int not_finite = 0;
    p.table.rows.push_back({categories[i], std::to_string(samples[i].size()), spread(max_relative, not_finite),
                            spread(frobenius, not_finite), std::to_string(not_finite)});
  }
  p.caption = "One point per case and statistic (total error, i.e. against the FP64 reference from the original "
              "inputs; kernel error where a case has no total), grouped by " + category_what + ".";
  if (omitted > 0)
    p.caption += " " + std::to_string(omitted) + " value(s) are zero or not finite and cannot be drawn on a log axis.";
  return p;
}

std::optional<Plot> config_heatmap(const PlottedCases& cases, const PlotParamNames& names) {
  struct Cell {
    double ratio = std::nan("");
    Verdict verdict = Verdict::pass;
    bool seen = false;
  };
  std::vector<std::string> rows, cols;
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, Cell>> cells;
  for (const CaseResult* case_result : cases) {
    const CaseResult& c = *case_result;
    // A sweep is the configs a suite named; "auto" leaves the choice to a selector.
    std::optional<std::string> config = find_param(c, names.config);
    if (!config && !c.config.empty() && c.config != "-") config = c.config;
    const auto shape = find_param(c, names.shape);
    if (!config || *config == "auto" || !shape) continue;
    const std::pair key{index_of(rows, *config), index_of(cols, *shape)};
    auto it = std::find_if(cells.begin(), cells.end(), [&](const auto& e) { return e.first == key; });
    if (it == cells.end()) it = cells.insert(cells.end(), {key, Cell{}});
    Cell& cell = it->second;
    const double ratio = worst_check_ratio(c);
    if (!std::isnan(ratio)) cell.ratio = std::isnan(cell.ratio) ? ratio : std::max(cell.ratio, ratio);
    cell.verdict = cell.seen ? std::max(cell.verdict, c.verdict) : c.verdict;
    cell.seen = true;
  }
  if (rows.size() < 2) return std::nullopt;
  Plot p;
  p.id = "config-sweep";
  p.kind = PlotKind::heatmap;
  p.title = "Config sweep: worst observed / limit per config and shape";
  p.x_label = "shape";
  p.y_label = "config";
  p.rows = rows;
  p.categories = cols;
  p.table.header.push_back("config \\ shape");
  for (const std::string& col : cols) p.table.header.push_back(col);
  p.table.rows.assign(rows.size(), std::vector<std::string>(cols.size() + 1, "-"));
  for (std::size_t r = 0; r < rows.size(); ++r) p.table.rows[r][0] = rows[r];
  for (const auto& [key, cell] : cells) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.3g", cell.ratio);
    std::string label = std::isnan(cell.ratio) ? std::string(verdict_name(cell.verdict)) : std::string(ratio);
    if (!std::isnan(cell.ratio) && cell.verdict != Verdict::pass) label += " " + std::string(verdict_name(cell.verdict));
    p.cells.push_back({key.first, key.second, cell.ratio, label});
    p.table.rows[key.first][key.second + 1] = label;
  }
  p.caption = "Cell: observed / limit of the worst check over the cases with this config and shape (1 = at the "
              "limit: green below, red above), with the verdict unless pass; grey: no check with a limit.";
  return p;
}

}  // namespace fp8check::report
