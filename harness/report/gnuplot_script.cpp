#include "harness/report/gnuplot_script.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "harness/report/gnuplot_runner.hpp"

namespace fp8check::report {

namespace {

// Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008), yellow last.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};

const char* colour(int index) { return kPalette[static_cast<std::size_t>(index) % std::size(kPalette)]; }

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

void datablock(std::ostream& out, const std::string& name, const std::vector<PlotPoint>& points) {
  out << "$" << name << " << EOD\n";
  for (const PlotPoint& p : points) out << number(p.x) << ' ' << number(p.y) << '\n';
  out << "EOD\n";
}

// ('a' 0, 'b' 1, ...): category names as tic labels at their indices.
std::string tic_list(const std::vector<std::string>& names) {
  std::string out = "(";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + gnuplot_quote(names[i]) + " " + std::to_string(i);
  return out + ")";
}

// Tic labels slant when they would not fit side by side (about 90 characters across the
// plot area at 11 pt); slanted labels end at their tic.
const char* tic_rotation(const std::vector<std::string>& names) {
  std::size_t longest = 0;
  for (const std::string& s : names) longest = std::max(longest, s.size());
  return names.size() * (longest + 2) > 90 ? " rotate by 25 right" : "";
}

void header(std::ostream& out, const Plot& p, int width, int height) {
  out << "set terminal svg size " << width << "," << height << " font 'sans,11' background '#ffffff'\n"
      << "set termoption noenhanced\nset encoding utf8\n"  // the report's heading is the title
      << "set xlabel " << gnuplot_quote(p.x_label) << "\n"
      << "set ylabel " << gnuplot_quote(p.y_label) << "\n"
      << "set key outside right top vertical Left reverse samplen 2\nset border lc rgb '#555555'\n";
  if (p.log_y) out << "set logscale y 10\nset format y '%.0e'\nset grid xtics ytics mytics lc rgb '#dddddd'\n";
  else out << "set grid lc rgb '#dddddd'\n";
}

void line_script(std::ostream& out, const Plot& p) {
  header(out, p, 960, 500);
  if (p.log_x) out << "set logscale x 2\n";
  out << "set format x '%g'\n";
  std::vector<std::string> terms;
  double x_min = INFINITY, x_max = -INFINITY;
  for (std::size_t i = 0; i < p.series.size(); ++i) {
    const PlotSeries& s = p.series[i];
    if (s.points.empty()) continue;
    const std::string name = "s" + std::to_string(i);
    datablock(out, name, s.points);
    for (const PlotPoint& pt : s.points) x_min = std::min(x_min, pt.x), x_max = std::max(x_max, pt.x);
    terms.push_back("$" + name + " using 1:2 with linespoints lw 2 pt 7 ps 0.6 dt " + (s.dashed ? "2" : "1") +
                    " lc rgb '" + colour(s.color) + "' title " + gnuplot_quote(s.name));
  }
  if (p.reference) {
    // A line across the data's x range (and the reference's), and the reference point itself.
    x_min = std::min(x_min, p.reference->x);
    x_max = std::max(x_max, p.reference->x);
    datablock(out, "ref_line", {{x_min, p.reference->y}, {x_max, p.reference->y}});
    datablock(out, "ref_point", {*p.reference});
    terms.push_back("$ref_line using 1:2 with lines dt 3 lw 1.5 lc rgb '#777777' notitle");
    terms.push_back("$ref_point using 1:2 with points pt 6 ps 2 lw 2 lc rgb '#000000' title " +
                    gnuplot_quote(p.reference_label));
  }
  if (terms.empty()) {
    out << "unset logscale\nset label 'no values to draw on these axes (see the table)' at graph 0.5, 0.5 center\n"
        << "plot [0:1] [0:1] 2 notitle\n";
    return;
  }
  out << "plot ";
  for (std::size_t i = 0; i < terms.size(); ++i) out << (i ? ", \\\n     " : "") << terms[i];
  out << "\n";
}

void strip_script(std::ostream& out, const Plot& p) {
  header(out, p, 960, 500);
  const std::size_t n = p.categories.size();
  out << "set xrange [-0.5:" << number(static_cast<double>(n) - 0.5) << "]\n"
      << "set xtics " << tic_list(p.categories) << tic_rotation(p.categories)
      << "\n";
  std::vector<std::string> terms;
  for (std::size_t i = 0; i < p.series.size(); ++i) {
    if (p.series[i].points.empty()) continue;
    const std::string name = "s" + std::to_string(i);
    datablock(out, name, p.series[i].points);
    terms.push_back("$" + name + " using 1:2 with points pt 7 ps 0.7 lc rgb '" + colour(p.series[i].color) +
                    "' title " + gnuplot_quote(p.series[i].name));
  }
  if (terms.empty()) terms.push_back("NaN notitle");
  out << "plot ";
  for (std::size_t i = 0; i < terms.size(); ++i) out << (i ? ", " : "") << terms[i];
  out << "\n";
}

void heatmap_script(std::ostream& out, const Plot& p) {
  const int height = std::clamp(140 + 34 * static_cast<int>(p.rows.size()), 280, 1400);
  header(out, p, 960, height);
  out << "unset grid\nunset key\nset tics scale 0\n"
      << "set xrange [-0.5:" << number(static_cast<double>(p.categories.size()) - 0.5) << "]\n"
      << "set yrange [" << number(static_cast<double>(p.rows.size()) - 0.5) << ":-0.5]\n"
      << "set xtics " << tic_list(p.categories) << tic_rotation(p.categories) << "\n"
      << "set ytics " << tic_list(p.rows) << "\n"
      << "set cbrange [0:2]\nset cblabel 'observed / limit (worst check)'\n"
      << "set palette defined (0 '#1a9850', 1 '#fee08b', 1.0001 '#d73027', 2 '#a50026')\n";
  std::ostringstream coloured, grey, labels;
  for (const HeatCell& c : p.cells) {
    const std::string xy = std::to_string(c.col) + " " + std::to_string(c.row);
    if (std::isnan(c.value)) grey << xy << "\n";
    else coloured << xy << " " << number(c.value) << "\n";
    std::string label = c.label;
    std::replace(label.begin(), label.end(), '"', '\'');
    labels << xy << " \"" << label << "\"\n";
  }
  out << "$coloured << EOD\n" << coloured.str() << "EOD\n$grey << EOD\n" << grey.str() << "EOD\n"
      << "$labels << EOD\n" << labels.str() << "EOD\n";
  out << "plot ";
  if (!coloured.str().empty()) out << "$coloured using 1:2:(0.48):(0.48):3 with boxxyerror fs solid 1.0 noborder lc palette, ";
  if (!grey.str().empty()) out << "$grey using 1:2:(0.48):(0.48) with boxxyerror fs solid 1.0 noborder lc rgb '#cccccc', ";
  out << "$labels using 1:2:3 with labels font 'sans,10'\n";
}

void bars_script(std::ostream& out, const Plot& p) {
  const int height = std::clamp(160 + 60 * static_cast<int>(p.categories.size()), 240, 1000);
  header(out, p, 960, height);
  out << "unset grid\nset grid xtics lc rgb '#dddddd'\nset xrange [0:*]\n"
      << "set yrange [" << number(static_cast<double>(p.categories.size()) - 0.5) << ":-0.5]\n"
      << "set ytics " << tic_list(p.categories) << "\n";
  // Segment i of bar c spans [sum of the earlier segments, + its length]: drawn as a box
  // centred there, half as high as the bar spacing.
  std::vector<double> start(p.categories.size(), 0.0);
  std::vector<std::string> terms;
  for (std::size_t i = 0; i < p.series.size(); ++i) {
    const PlotSeries& s = p.series[i];
    const std::string name = "s" + std::to_string(i);
    std::ostringstream rows;
    for (const PlotPoint& pt : s.points) {
      const auto c = static_cast<std::size_t>(pt.x);
      if (c >= start.size() || !(pt.y > 0)) continue;
      rows << number(start[c] + pt.y / 2) << ' ' << c << ' ' << number(pt.y / 2) << '\n';
      start[c] += pt.y;
    }
    if (rows.str().empty()) continue;  // an empty datablock is a gnuplot error
    out << "$" << name << " << EOD\n" << rows.str() << "EOD\n";
    terms.push_back("$" + name + " using 1:2:3:(0.3) with boxxyerror fs solid 0.85 noborder lc rgb '" + colour(s.color) +
                    "' title " + gnuplot_quote(s.name));
  }
  if (terms.empty()) terms.push_back("NaN notitle");
  out << "plot ";
  for (std::size_t i = 0; i < terms.size(); ++i) out << (i ? ", \\\n     " : "") << terms[i];
  out << "\n";
}

}  // namespace

std::string gnuplot_script(const Plot& plot) {
  std::ostringstream out;
  switch (plot.kind) {
    case PlotKind::lines: line_script(out, plot); break;
    case PlotKind::strip: strip_script(out, plot); break;
    case PlotKind::heatmap: heatmap_script(out, plot); break;
    case PlotKind::bars: bars_script(out, plot); break;
  }
  return out.str();
}

}  // namespace fp8check::report
