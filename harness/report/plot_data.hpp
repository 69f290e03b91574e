// The plots of the accuracy report, derived generically from the cases' params and
// error statistics (docs/reports.md, "Plots"). Each plot is produced only when the
// results hold its data, and carries the same data as a table, so a report without
// gnuplot (or in Markdown) loses no numbers. Drawing is gnuplot_script.hpp's job.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/report/report_blocks.hpp"
#include "harness/record/case_result.hpp"

namespace fp8check::report {

struct PlotPoint {
  double x = 0, y = 0;
};

struct PlotSeries {
  std::string name;
  int color = 0;        // index into the renderer's palette; kernel/total pairs share one
  bool dashed = false;  // total error (vs the original inputs) is dashed
  std::vector<PlotPoint> points;  // only points drawable on the plot's axes, by x
};

// Heatmap cell: `value` is the colour (observed/limit of the worst check, NaN: none).
struct HeatCell {
  std::size_t row = 0, col = 0;
  double value = 0;
  std::string label;
};

// bars: one horizontal stacked bar per category (rows, top to bottom); each series is a
// segment whose points hold (x = category index, y = the segment's length), stacked in
// series order.
enum class PlotKind { lines, strip, heatmap, bars };

struct Plot {
  std::string id;  // "error-vs-k", ...: HTML anchor, SVG id prefix, test handle
  PlotKind kind = PlotKind::lines;
  std::string title, x_label, y_label;
  std::string caption;  // what is plotted and how it was aggregated, in a sentence or two
  bool log_x = false, log_y = false;
  std::vector<PlotSeries> series;       // lines; strip (x = category index + offset)
  std::vector<std::string> categories;  // strip: x categories; heatmap: columns
  std::vector<std::string> rows;        // heatmap: rows, top to bottom
  std::vector<HeatCell> cells;          // heatmap
  std::optional<PlotPoint> reference;   // a horizontal line at y and a marker at (x, y)
  std::string reference_label;
  Table table;  // the plotted data
};

// Every plot the results have data for, in report order: per input distribution of the K
// sweeps, error vs K as max |D - ref| / max |ref| and as relative Frobenius error (only the
// GEMM cases of a sweep: those sharing every param but K and the series); the GEMM error
// distribution per recipe and per format; the same for quantize cases; the config sweep
// heatmap; attention error vs sequence length and vs logit scale. Seeded-bug cases
// (run_summary.hpp) are not plotted.
std::vector<Plot> derive_plots(std::span<const CaseResult> cases);

// K of a case: the `k<digits>` component of its shape ("m128.n7168.k4096" -> 4096) or
// the value of a `k` param; nullopt when neither is there.
std::optional<double> case_k(const CaseResult& c);

}  // namespace fp8check::report
