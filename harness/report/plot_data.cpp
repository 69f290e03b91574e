#include "harness/report/plot_data.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "harness/report/plot_data_detail.hpp"
#include "harness/report/run_summary.hpp"
#include "harness/report/text_format.hpp"

namespace fp8check::report {

// ---------------------------------------------------------------------------------------
// The params the plots read, in one place: suites name their axes (harness/suite/), and
// the names may change. A case uses the first name in a row that it has.
const PlotParamNames kPlotParams = {
    .shape = {"shape"},                              // "m128.n7168.k4096": K is the k component
    .k = {"k"},                                      // or K as a param of its own
    .accumulation = {"accumulation"},                // error-vs-K series ...
    .recipe = {"recipe"},                            // ... or, without accumulation, recipe
    .format = {"formats", "format"},                 // gemm "e4m3fn.e4m3fn", quantize "e4m3fn"
    .config = {"config"},                            // else CaseResult::config; "auto" is no sweep
    .seq = {"seq", "kv_len", "seq_len", "seqlen"},   // attention sequence length
    .logit_scale = {"logit_scale", "softmax_scale"},  // attention logit scale
    .p_format = {"p_format", "p"},                   // attention P operand: e4m3 vs bf16
    .distribution = {"distribution"},                // error-vs-K plots and attention series: one per input kind
};
// DeepSeek-V3 technical report, "Increasing Accumulation Precision": nearly 2% max
// relative error at K = 4096 without promotion (docs/accumulation.md, "The accuracy study").
constexpr PlotPoint kDeepSeekReference{4096, 0.02};
// The metric gemm cases record for max |D - ref| / max |ref| (harness/run/gemm_judge.cpp).
constexpr const char* kMaxOverMaxMetric[2] = {"kernel_max_error_over_max_reference", "total_max_error_over_max_reference"};
// ---------------------------------------------------------------------------------------

namespace detail {

std::optional<std::string> find_param(const CaseResult& c, const std::vector<std::string_view>& names) {
  for (std::string_view name : names)
    if (const std::string_view value = c.param(name); !value.empty()) return std::string(value);
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view text) {
  // Axis values may carry a unit-like prefix ("s4096", "x16"): skip leading letters.
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') || text[i] == '_'))
    ++i;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string format_axis_value(double x) {
  if (std::isfinite(x) && std::floor(x) == x && std::fabs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  return format_number(x);
}

double worse(double a, double b) { return std::isnan(a) || std::isnan(b) ? std::nan("") : (a > b ? a : b); }

}  // namespace detail

using namespace detail;

// The number of a dotted shape field "PREFIX<digits>" ("k4096" in m64.n64.k4096,
// "skv1023" in b1.h2.kv2.sq64.skv1023.d128), if the case's shape has one.
static std::optional<double> shape_field(const CaseResult& c, std::string_view prefix) {
  const auto shape = find_param(c, kPlotParams.shape);
  if (!shape) return std::nullopt;
  std::string_view rest = *shape;
  while (!rest.empty()) {
    const std::size_t dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    if (part.size() > prefix.size() && part.starts_with(prefix) &&
        part.find_first_not_of("0123456789", prefix.size()) == std::string_view::npos)
      return parse_number(part.substr(prefix.size()));
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  return std::nullopt;
}

std::optional<double> case_k(const CaseResult& c) {
  if (const auto k = shape_field(c, "k")) return k;
  if (const auto k = find_param(c, kPlotParams.k)) return parse_number(*k);
  return std::nullopt;
}

namespace {

// One line plot: per series key and error source, the worst value at each x.
struct LineRecipe {
  std::string id, title, x_label, y_label, series_what;
  std::optional<double> (*x_of)(const CaseResult&);
  std::optional<std::string> (*series_of)(const CaseResult&);
  std::optional<double> (*value_of)(const CaseResult&, bool total);  // kernel or total error
};

std::optional<double> frobenius_of(const CaseResult& c, bool total) {
  const std::optional<ErrorStatistics>& s = total ? c.total_error : c.kernel_error;
  return s ? std::optional<double>(s->relative_frobenius) : std::nullopt;
}
std::optional<double> max_over_max_of(const CaseResult& c, bool total) {
  if (!(total ? c.total_error : c.kernel_error)) return std::nullopt;
  const auto it = c.metrics.find(kMaxOverMaxMetric[total]);
  return it == c.metrics.end() ? std::nullopt : std::optional<double>(it->second);
}

std::optional<Plot> line_plot(const PlottedCases& cases, const LineRecipe& r) {
  std::vector<std::string> keys;  // series keys in order of first appearance
  std::map<std::pair<std::size_t, bool>, std::map<double, double>> worst;  // (key, total?) -> x -> y
  std::map<double, int> xs;
  for (const CaseResult* case_result : cases) {
    const CaseResult& c = *case_result;
    const auto x = r.x_of(c);
    const auto key = r.series_of(c);
    if (!x || !key) continue;
    std::size_t k = std::find(keys.begin(), keys.end(), *key) - keys.begin();
    if (k == keys.size()) keys.push_back(*key);
    for (const bool total : {false, true}) {
      const std::optional<double> y = r.value_of(c, total);
      if (!y) continue;
      auto [it, fresh] = worst[{k, total}].try_emplace(*x, *y);
      if (!fresh) it->second = worse(it->second, *y);
      xs[*x] = 0;
    }
  }
  if (xs.size() < 2) return std::nullopt;
  Plot p;
  p.id = r.id;
  p.title = r.title;
  p.x_label = r.x_label;
  p.y_label = r.y_label;
  p.log_x = xs.begin()->first > 0;
  p.log_y = true;
  p.table.header.push_back(r.x_label);
  int omitted = 0;
  for (const auto& [slot, values] : worst) {
    PlotSeries s{keys[slot.first] + (slot.second ? " total" : " kernel"), static_cast<int>(slot.first), slot.second, {}};
    for (const auto& [x, y] : values) {
      if (std::isfinite(y) && y > 0 && (!p.log_x || x > 0)) s.points.push_back({x, y});
      else ++omitted;
    }
    p.table.header.push_back(s.name);
    p.series.push_back(std::move(s));
  }
  for (const auto& [x, unused] : xs) {
    std::vector<std::string>& row = p.table.rows.emplace_back(1, format_axis_value(x));
    for (const auto& [slot, values] : worst) {
      const auto it = values.find(x);
      row.push_back(it == values.end() ? "-" : format_number(it->second));
    }
  }
  p.caption = "y: the largest " + r.y_label + " over the cases at each x, one series per " + r.series_what +
              "; kernel (solid): against the FP64 reference from the dequantized inputs, total (dashed): from the "
              "original inputs.";
  if (omitted > 0)
    p.caption += " " + std::to_string(omitted) + " value(s) are zero or not finite and cannot be drawn on a log axis; "
                 "the table has them.";
  return p;
}

std::optional<std::string> accumulation_or_recipe(const CaseResult& c) {
  if (auto a = find_param(c, kPlotParams.accumulation)) return a;
  return find_param(c, kPlotParams.recipe);
}

// A shape without its k field ("m64.n64.k4096" -> "m64.n64").
std::string shape_without_k(std::string_view shape) {
  std::string out;
  while (!shape.empty()) {
    const std::size_t dot = shape.find('.');
    const std::string_view part = shape.substr(0, dot);
    const bool k = part.size() > 1 && part[0] == 'k' && part.find_first_not_of("0123456789", 1) == std::string_view::npos;
    if (!k) out += (out.empty() ? "" : ".") + std::string(part);
    shape = dot == std::string_view::npos ? std::string_view{} : shape.substr(dot + 1);
  }
  return out;
}

// The cases of K sweeps: GEMM cases that share every param except K and the series param
// (accumulation, else recipe) with cases of at least one other K. A case of another study
// that happens to have a K (a recipe block at K = 4096) is not a sweep.
PlottedCases k_sweep_cases(const PlottedCases& cases) {
  const auto key_of = [](const CaseResult& c) {
    const bool by_accumulation = find_param(c, kPlotParams.accumulation).has_value();
    std::string key = c.op;
    for (const auto& param : c.params) {
      const std::string& name = param.first;  // named variables: clang 14 cannot capture a structured binding
      const std::string& value = param.second;
      const auto in = [&](const std::vector<std::string_view>& names) {
        return std::find(names.begin(), names.end(), name) != names.end();
      };
      if (in(kPlotParams.k) || (by_accumulation ? in(kPlotParams.accumulation) : in(kPlotParams.recipe))) continue;
      key += "|" + name + "=" + (in(kPlotParams.shape) ? shape_without_k(value) : value);
    }
    return key;
  };
  std::map<std::string, std::map<double, int>> ks;
  for (const CaseResult* c : cases)
    if (const auto k = case_k(*c); k && c->op == "gemm") ks[key_of(*c)][*k] = 0;
  PlottedCases out;
  for (const CaseResult* c : cases)
    if (const auto k = case_k(*c); k && c->op == "gemm" && ks[key_of(*c)].size() >= 2) out.push_back(c);
  return out;
}

// A plot-id-safe form of a param value: "uniform(0,1)" -> "uniform-0-1".
std::string slug(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (keep) out += ch;
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::optional<double> seq_of(const CaseResult& c) {
  if (const auto v = find_param(c, kPlotParams.seq)) return parse_number(*v);
  return c.op == "attention" ? shape_field(c, "skv") : std::nullopt;  // attention shapes carry skv
}
std::optional<double> logit_scale_of(const CaseResult& c) {
  const auto v = find_param(c, kPlotParams.logit_scale);
  return v ? parse_number(*v) : std::nullopt;
}
// "P e4m3", plus the kernel model and the input distribution where a case names others than
// the defaults (fp32, normal): a wgmma run on all-positive data is its own series.
std::optional<std::string> p_format_of(const CaseResult& c) {
  const auto v = find_param(c, kPlotParams.p_format);
  std::string series = "P " + (v ? *v : std::string("(any)"));
  if (const auto a = find_param(c, kPlotParams.accumulation); a && *a != "fp32") series += ", " + *a;
  if (const auto d = find_param(c, kPlotParams.distribution); d && *d != "normal") series += ", " + *d;
  return series;
}

}  // namespace

std::vector<Plot> derive_plots(std::span<const CaseResult> all_cases) {
  // A seeded bug's error says nothing about the numerics studied here (and would dwarf
  // them); the report lists those cases on their own.
  PlottedCases cases;
  for (const CaseResult& c : all_cases)
    if (!is_seeded_bug_case(c)) cases.push_back(&c);
  std::vector<Plot> plots;
  const auto add = [&](std::optional<Plot> p) {
    if (p) plots.push_back(std::move(*p));
  };
  // Error vs K, one pair of plots per input distribution of the sweeps.
  const PlottedCases sweep = k_sweep_cases(cases);
  std::vector<std::string> distributions;
  for (const CaseResult* c : sweep) {
    const std::string d = find_param(*c, kPlotParams.distribution).value_or("");
    if (std::find(distributions.begin(), distributions.end(), d) == distributions.end()) distributions.push_back(d);
  }
  for (const std::string& d : distributions) {
    PlottedCases group;
    for (const CaseResult* c : sweep)
      if (find_param(*c, kPlotParams.distribution).value_or("") == d) group.push_back(c);
    const std::string suffix = distributions.size() > 1 ? "-" + slug(d.empty() ? "default" : d) : "";
    const std::string inputs = d.empty() ? "" : " (inputs: " + d + ")";
    if (auto p = line_plot(group, {"error-vs-k" + suffix, "Max |D - ref| / max |ref| vs K" + inputs, "K",
                                   "max |D - ref| / max |ref|", "accumulation model (or recipe)", case_k,
                                   accumulation_or_recipe, max_over_max_of})) {
      p->reference = kDeepSeekReference;
      p->reference_label = "DeepSeek-V3: ~2% at K=4096, no promotion";
      plots.push_back(std::move(*p));
    }
    add(line_plot(group, {"error-vs-k-frobenius" + suffix, "Relative Frobenius error vs K" + inputs, "K",
                          "||D - ref|| / ||ref||", "accumulation model (or recipe)", case_k, accumulation_or_recipe,
                          frobenius_of}));
  }
  PlottedCases gemm, quantize;
  for (const CaseResult* c : cases) (c->op == "quantize" ? quantize : gemm).push_back(c);
  add(strip_plot(gemm, "distribution-recipe", "GEMM: error distribution per recipe", "recipe", kPlotParams.recipe));
  add(strip_plot(gemm, "distribution-format", "GEMM: error distribution per format", "format", kPlotParams.format));
  add(strip_plot(quantize, "quantize-recipe", "Quantize: error distribution per recipe", "recipe", kPlotParams.recipe));
  add(strip_plot(quantize, "quantize-format", "Quantize: error distribution per format", "format", kPlotParams.format));
  add(config_heatmap(cases, kPlotParams));
  add(line_plot(cases, {"attention-vs-seq", "Attention: relative Frobenius error vs sequence length", "sequence length",
                        "relative Frobenius error", "P format", seq_of, p_format_of, frobenius_of}));
  add(line_plot(cases, {"attention-vs-logit-scale", "Attention: relative Frobenius error vs logit scale",
                        "logit scale", "relative Frobenius error", "P format", logit_scale_of, p_format_of,
                        frobenius_of}));
  return plots;
}

}  // namespace fp8check::report
