// Shared by plot_data.cpp (the mapping table, line plots) and plot_data_grid.cpp (strip
// plots, heatmap). Not part of the report library's interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/report/plot_data.hpp"

namespace fp8check::report {

// For each role, the param names that carry it, tried in order (plot_data.cpp).
struct PlotParamNames {
  std::vector<std::string_view> shape, k, accumulation, recipe, format, config, seq, logit_scale, p_format, distribution;
};
extern const PlotParamNames kPlotParams;

// The cases a plot draws from (derive_plots leaves out the seeded-bug cases).
using PlottedCases = std::vector<const CaseResult*>;

namespace detail {

// The value of the first of `names` the case has with a non-empty value.
std::optional<std::string> find_param(const CaseResult& c, const std::vector<std::string_view>& names);
// A finite number, after skipping a leading run of letters ("s4096" -> 4096).
std::optional<double> parse_number(std::string_view text);
// Integers without exponent ("7168"), others as format_number.
std::string format_axis_value(double x);
// max, with NaN dominating: the worse of two errors.
double worse(double a, double b);

}  // namespace detail

// Strip plot of the max relative and relative Frobenius errors per value of a param.
std::optional<Plot> strip_plot(const PlottedCases& cases, std::string id, std::string title,
                               std::string category_what, const std::vector<std::string_view>& param_names);
// Config x shape heatmap of the worst check's observed/limit over the cases with an
// explicit config (param, else CaseResult::config; "auto" is not part of a sweep);
// needs >= 2 configs.
std::optional<Plot> config_heatmap(const PlottedCases& cases, const PlotParamNames& names);

}  // namespace fp8check::report
