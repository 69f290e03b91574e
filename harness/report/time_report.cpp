#include "harness/report/time_report.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "harness/report/text_format.hpp"

namespace fp8check::report {

std::optional<Plot> stage_time_plot(std::span<const CaseResult> cases) {
  std::vector<std::string> ops;
  std::map<std::string, std::map<std::string, double>> seconds;  // op -> stage -> sum
  for (const CaseResult& c : cases) {
    if (c.stage_seconds.empty()) continue;
    if (std::find(ops.begin(), ops.end(), c.op) == ops.end()) ops.push_back(c.op);
    for (const auto& [stage, s] : c.stage_seconds) seconds[c.op][stage] += s;
  }
  if (ops.empty()) return std::nullopt;
  Plot p;
  p.id = "time-by-stage";
  p.kind = PlotKind::bars;
  p.title = "Where the time goes: seconds per pipeline stage, per op";
  p.x_label = "seconds (sum over the op's cases)";
  p.y_label = "op";
  p.caption = "Each bar is one op; its segments are the pipeline stages in order (inputs, quantize, reference, "
              "kernel, statistics, judge, golden), summed over the op's cases. Wall time, measured per case.";
  p.categories = ops;
  p.table.header = {"op"};
  for (const std::string_view stage : kCaseStages) p.table.header.emplace_back(stage);
  p.table.header.emplace_back("total");
  int color = 0;
  for (const std::string_view stage : kCaseStages) {
    PlotSeries& s = p.series.emplace_back();
    s.name = std::string(stage);
    s.color = color++;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const auto& by_stage = seconds[ops[i]];
      const auto it = by_stage.find(s.name);
      s.points.push_back({static_cast<double>(i), it == by_stage.end() ? 0.0 : it->second});
    }
  }
  for (std::size_t i = 0; i < ops.size(); ++i) {
    std::vector<std::string>& row = p.table.rows.emplace_back(1, ops[i]);
    double total = 0;
    for (const PlotSeries& s : p.series) {
      row.push_back(format_fixed3(s.points[i].y));
      total += s.points[i].y;
    }
    row.push_back(format_fixed3(total));
  }
  return p;
}

Table slowest_cases_table(std::span<const CaseResult> cases, std::size_t count) {
  std::vector<const CaseResult*> order;
  for (const CaseResult& c : cases) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](const CaseResult* a, const CaseResult* b) { return a->seconds > b->seconds; });
  Table t{{"case", "seconds"}, {}};
  for (const std::string_view stage : kCaseStages) t.header.emplace_back(stage);
  for (std::size_t i = 0; i < order.size() && i < count; ++i) {
    std::vector<std::string>& row = t.rows.emplace_back();
    row.push_back(order[i]->id);
    row.push_back(format_fixed3(order[i]->seconds));
    for (const std::string_view stage : kCaseStages) {
      const auto it = order[i]->stage_seconds.find(std::string(stage));
      row.push_back(it == order[i]->stage_seconds.end() ? "-" : format_fixed3(it->second));
    }
  }
  return t;
}

}  // namespace fp8check::report
