// fp8check quantize: quantizes a .npy matrix by a recipe with the reference quantizer
// (harness/quantize/), writes codes, scales and the dequantized tensor to HDF5, and
// prints the quantization error against the input. Schema: docs/recipes.md.
#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/compare/compensated_sum.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"
#include "harness/generate/philox_stream.hpp"
#include "harness/io/npy.hpp"
#include "harness/io/output_path.hpp"
#include "harness/quantize/quantize.hpp"
#include "harness/record/hdf5_file.hpp"

namespace fp8check::cli {
namespace {

namespace po = boost::program_options;
using record::DatasetOptions;

constexpr const char* kUsage =
    "fp8check quantize IN.npy OUT.h5 --recipe R [--format F] [--block RxC] [--convention NAME] [policy options]\n"
    "\n"
    "Quantizes a 1-D (one row) or 2-D float16/32/64 array with fp8check's reference quantizer (its\n"
    "exact arithmetic, or a library's with --convention) and writes /codes (uint8, one code per\n"
    "element, the input's shape), /scales/values (float32, in the declared storage order, plus\n"
    "/scales/codes for e8m0/e4m3 scales), /tensor_scale (NVFP4) and /dequantized (float64), with the\n"
    "recipe, policy and layout as attributes. Prints the error of the dequantized tensor against the\n"
    "input. OUT.h5 appears atomically; on any error nothing is written. Recipes, conventions, scale\n"
    "meanings and defaults: docs/recipes.md. Exit codes: 0 written, 2 bad input (one line on\n"
    "stderr), 3 internal error.\n"
    "\n"
    "Options";

struct Input {
  MatrixD x;
  std::vector<std::uint64_t> shape;  // as in the file (1-D or 2-D)
  std::string dtype;
};

Input read_input(const std::string& path) {
  const io::NpyArray a = io::read_npy(path);
  if (!io::npy_is_float(a.dtype))
    throw InputError(path + ": holds " + std::string(io::npy_dtype_name(a.dtype)) +
                     ": expected float16, float32 or float64 values");
  if (a.shape.empty() || a.shape.size() > 2)
    throw InputError(path + ": has shape " + a.shape_string() + ": expected a 1-D or 2-D array");
  const auto rows = static_cast<std::int64_t>(a.shape.size() == 2 ? a.shape[0] : 1);
  const auto cols = static_cast<std::int64_t>(a.shape.back());
  Input in{MatrixD(rows, cols), {a.shape.begin(), a.shape.end()}, std::string(io::npy_dtype_name(a.dtype))};
  for (std::int64_t i = 0; i < rows * cols; ++i) in.x.data()[i] = a.float_at(static_cast<std::size_t>(i));
  return in;
}

double parse_number(const std::string& text, const char* option) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw InputError(std::string(option) + " '" + text + "' is not a number: expected e.g. 448 or 2.5e2");
  return v;
}

std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw InputError("--seed '" + text + "' is not valid: expected an integer in 0..18446744073709551615");
  return v;
}

std::vector<double> parse_amax_history(const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    out.push_back(parse_number(item, "--amax-history entry"));
    if (!(out.back() >= 0))
      throw InputError("--amax-history entry '" + item + "' is not valid: expected amaxes >= 0, oldest first");
  }
  return out;
}

// The dequantized tensor's error against the input, over the elements finite on both
// sides. (harness/compare's statistics are not linked here yet: its parse_output_type
// collides with harness/problem's at link time.)
struct QuantizationError {
  double max_abs = 0, max_rel = 0, rmse = 0, sqnr_db = 0;  // sqnr: +inf for an exact result
  std::int64_t finite = 0, other = 0;
};

QuantizationError quantization_error(const MatrixD& out, const MatrixD& ref) {
  QuantizationError e;
  CompensatedSum sum_sq_error, sum_sq_ref;
  for (std::int64_t i = 0; i < ref.size(); ++i) {
    const double o = out.data()[i], r = ref.data()[i];
    if (!std::isfinite(o) || !std::isfinite(r)) {
      ++e.other;
      continue;
    }
    const double err = std::fabs(o - r);
    ++e.finite;
    e.max_abs = std::max(e.max_abs, err);
    if (r != 0) e.max_rel = std::max(e.max_rel, err / std::fabs(r));
    sum_sq_error.add(err * err);
    sum_sq_ref.add(r * r);
  }
  if (e.finite > 0) e.rmse = std::sqrt(sum_sq_error.value() / static_cast<double>(e.finite));
  e.sqnr_db = sum_sq_error.value() == 0 ? std::numeric_limits<double>::infinity()
                                        : 10 * std::log10(sum_sq_ref.value() / sum_sq_error.value());
  return e;
}

void write_scales(record::Hdf5Group& g, const ScaleTensor& s, const DatasetOptions& compressed) {
  const ScaleLayout& l = s.layout;
  const std::uint64_t outer = static_cast<std::uint64_t>(l.order == ScaleOrder::row_major ? l.grid_rows : l.grid_cols);
  const std::vector<std::uint64_t> storage = {outer, static_cast<std::uint64_t>(l.ld)};
  g.write_dataset<float>("values", s.values, storage, compressed);
  if (s.has_codes()) g.write_dataset<std::uint8_t>("codes", s.codes, storage, compressed);
  g.set_attribute("type", std::string(scale_type_name(s.type)));
  g.set_attribute("meaning", std::string(scale_meaning_name(s.meaning)));
  g.set_attribute("order", std::string(scale_order_name(l.order)));
  g.set_attribute("layout", describe(l));
  g.set_attribute("block_rows", l.block.rows);
  g.set_attribute("block_cols", l.block.cols);
  g.set_attribute("grid_rows", l.grid_rows);
  g.set_attribute("grid_cols", l.grid_cols);
  g.set_attribute("ld", l.ld);
}

// The command line, as typed (checked by settings_from).
struct Arguments {
  std::string in_path, out_path, recipe, format, block, order = "row-major", meaning = "dequant";
  std::string zero_block = "one", mx_rule = "ocp-floor", format_max, nvfp4_max, rounding = "rne";
  std::string nan = "propagate", history, seed, convention = "exact", amax_floor;
  int gzip = 0;
};

po::options_description options_for(Arguments& a) {
  po::options_description opts(kUsage);
  // clang-format off
  opts.add_options()
      ("help,h", "show this help")
      ("recipe", po::value(&a.recipe), ("recipe: " + recipe_name_list()).c_str())
      ("format", po::value(&a.format), "element type: a format (e4m3fn, e5m2, e4m3fnuz, e2m1fn, ...) or "
                                       "int8/int4; default: e4m3fn, or what the recipe's name says")
      ("block", po::value(&a.block), "block RxC for vec<N>/blk<R>x<C> (any) and int<8|4>_g<N> (1xN) recipes")
      ("scale-order", po::value(&a.order), "row-major (default), col-major, col-major-tma")
      ("scale-meaning", po::value(&a.meaning), "dequant (x ~= code * s; default) or quant (code = q(x * s))")
      ("pow2-scales", "round fp32/fp16 scales up to a power of two")
      ("zero-block-scale", po::value(&a.zero_block), "scale of all-zero blocks: one (default) or smallest")
      ("mx-rule", po::value(&a.mx_rule), "MX shared exponent: ocp-floor (default, the spec) or round-up")
      ("format-max", po::value(&a.format_max), "element maximum in amax / format_max (default: the type's)")
      ("nvfp4-scale-max", po::value(&a.nvfp4_max), "NVFP4 tensor scale = amax / (this * 6); default 448")
      ("convention", po::value(&a.convention), ("arithmetic of fp32 scales and elements: " + convention_name_list() +
                                                " (default exact: fp8check's one-rounding reference)").c_str())
      ("amax-floor", po::value(&a.amax_floor), "amax' = max(amax, X) before the scale (default: the convention's own)")
      ("rounding", po::value(&a.rounding), ("element rounding: " + rounding_name_list() + " (default rne)").c_str())
      ("seed", po::value(&a.seed), "--rounding stochastic: 64-bit seed (default 0), as fp8check convert")
      ("no-saturate", "elements beyond the format's max overflow (inf/NaN) instead of saturating")
      ("keep-inf", "inf elements stay inf (NaN where the format has no inf) instead of becoming +-max")
      ("nan", po::value(&a.nan), "NaN elements: propagate (default) or reject (error naming the first)")
      ("require-full-blocks", "a shape that is not whole blocks is an error (no partial edge blocks)")
      ("amax-history", po::value(&a.history), "delayed recipes: earlier steps' amaxes, oldest first (a,b,c)")
      ("gzip", po::value(&a.gzip), "gzip level 0-9 for the datasets (default 0: none)");
  // clang-format on
  return opts;
}

// Everything the command line asks for, checked before the input is read.
struct Settings {
  Recipe recipe;
  QuantizeOptions options;  // history and random bits are attached once the input is known
  std::vector<double> amax_history;
  std::uint64_t seed = 0;
};

Settings settings_from(const Arguments& a, const po::variables_map& vm) {
  if (a.in_path.empty() || a.out_path.empty())
    throw InputError("expected IN.npy OUT.h5 (see fp8check quantize --help)");
  if (a.recipe.empty()) throw InputError("expected --recipe R, one of " + recipe_name_list());
  if (a.gzip < 0 || a.gzip > 9) throw InputError("--gzip " + std::to_string(a.gzip) + " is not valid: expected 0..9");
  Settings s;
  s.recipe = parse_recipe(a.recipe, vm.count("format") ? std::optional(parse_element_type(a.format)) : std::nullopt,
                          vm.count("block") ? std::optional(parse_block_shape(a.block)) : std::nullopt);
  ScalePolicy& policy = s.options.scale;
  policy.meaning = parse_scale_meaning(a.meaning);
  policy.pow2 = vm.count("pow2-scales") ? Pow2Scale::round_up : Pow2Scale::none;
  policy.zero_block = parse_zero_block_scale(a.zero_block);
  policy.mx_rule = parse_mx_scale_rule(a.mx_rule);
  if (vm.count("format-max")) policy.format_max = parse_number(a.format_max, "--format-max");
  if (vm.count("nvfp4-scale-max")) policy.nvfp4_scale_max = parse_number(a.nvfp4_max, "--nvfp4-scale-max");
  policy.convention = parse_quant_convention(a.convention);
  if (vm.count("amax-floor")) policy.convention.amax_floor = parse_number(a.amax_floor, "--amax-floor");
  check_convention(s.recipe, policy);
  policy.element_encode.rounding = parse_rounding(a.rounding);
  policy.element_encode.saturate_finite = vm.count("no-saturate") == 0;
  policy.element_encode.clamp_inf = vm.count("keep-inf") == 0;
  s.options.order = parse_scale_order(a.order);
  s.options.nan = parse_nan_policy(a.nan);
  s.options.require_full_blocks = vm.count("require-full-blocks") != 0;
  if (vm.count("seed")) {
    if (policy.element_encode.rounding != Rounding::stochastic)
      throw InputError("--seed is used only with --rounding stochastic");
    s.seed = parse_seed(a.seed);
  }
  if (vm.count("amax-history")) {
    if (s.recipe.scheme != ScalingScheme::delayed)
      throw InputError("--amax-history applies to delayed recipes only (the recipe is " + s.recipe.name() + ")");
    s.amax_history = parse_amax_history(a.history);
  }
  return s;
}

struct Outcome {
  QuantizedMatrix q;
  MatrixD dequantized;
  QuantizationError error;
};

// The HDF5 file (schema fp8check.quantize/1, docs/recipes.md), atomically.
void write_file(const Arguments& a, const Settings& s, const Input& in, const Outcome& o) {
  const DatasetOptions compressed{.gzip_level = a.gzip, .chunk = {}};
  record::Hdf5File file = record::Hdf5File::create(a.out_path);
  record::Hdf5Group& root = file.root();
  root.set_attribute("schema", "fp8check.quantize/1");
  root.set_attribute("input", a.in_path);
  root.set_attribute("input_dtype", in.dtype);
  root.set_attribute("recipe", s.recipe.name());
  root.set_attribute("recipe_description", s.recipe.description());
  root.set_attribute("element", s.recipe.element.name());
  root.set_attribute("scale_policy", describe(s.options.scale));
  root.set_attribute("convention", std::string(convention_name(s.options.scale.convention.id)));
  root.set_attribute("amax_floor", amax_floor_of(s.options.scale.convention));
  root.set_attribute("nan_policy", std::string(nan_policy_name(s.options.nan)));
  root.set_attribute("require_full_blocks", static_cast<std::int64_t>(s.options.require_full_blocks));
  if (s.recipe.scheme == ScalingScheme::delayed) root.set_attribute("amax_history", a.history);
  root.set_attribute("max_abs_error", o.error.max_abs);
  root.set_attribute("max_relative_error", o.error.max_rel);
  root.set_attribute("rmse", o.error.rmse);
  root.set_attribute("sqnr_db", o.error.sqnr_db);
  root.write_dataset<std::uint8_t>("codes", o.q.codes.codes, in.shape, compressed);  // ld == cols: no padding
  root.write_dataset<double>("dequantized", {o.dequantized.data(), static_cast<std::size_t>(o.dequantized.size())},
                             in.shape, compressed);
  if (o.q.tensor_scale) root.write_dataset<float>("tensor_scale", std::vector<float>{*o.q.tensor_scale}, {1});
  record::Hdf5Group scales = root.create_group("scales");
  write_scales(scales, o.q.scales, compressed);
  file.commit();
}

void print_summary(const Arguments& a, const Settings& s, const Input& in, const Outcome& o) {
  std::printf("quantized %s (%lldx%lld %s) with %s -> %s\n", a.in_path.c_str(), static_cast<long long>(in.x.rows()),
              static_cast<long long>(in.x.cols()), in.dtype.c_str(), s.recipe.description().c_str(),
              a.out_path.c_str());
  std::printf("scales: %s, %s; %s\n", describe(o.q.scales.layout).c_str(),
              std::string(scale_type_name(o.q.scales.type)).c_str(), describe(s.options.scale).c_str());
  if (s.recipe.scheme == ScalingScheme::delayed)
    std::printf("amax of this input: %.17g (append it to --amax-history for the next step)\n", tensor_amax(in.x));
  const QuantizationError& e = o.error;
  std::printf("error vs input: max abs %.6g, max rel %.6g, RMSE %.6g, SQNR %.2f dB (%lld finite elements, %lld not)\n",
              e.max_abs, e.max_rel, e.rmse, e.sqnr_db, static_cast<long long>(e.finite),
              static_cast<long long>(e.other));
}

}  // namespace

int run_quantize(const std::vector<std::string>& args) {
  Arguments a;
  const po::options_description opts = options_for(a);
  po::options_description positional_opts;
  positional_opts.add_options()("input", po::value(&a.in_path))("output", po::value(&a.out_path));
  po::positional_options_description positional;
  positional.add("input", 1).add("output", 1);
  po::variables_map vm;
  if (!parse_options(args, opts, positional_opts, positional, vm)) return kExitPass;

  // Everything is checked, and quantized, before anything is written.
  Settings s = settings_from(a, vm);
  io::check_not_an_input(a.out_path, a.in_path, "the input IN.npy");
  const Input in = read_input(a.in_path);
  AmaxHistory history(s.recipe.delayed);
  for (double amax : s.amax_history) history.record(amax);
  if (s.recipe.scheme == ScalingScheme::delayed) s.options.history = &history;
  std::vector<std::uint32_t> random_bits;
  if (s.options.scale.element_encode.rounding == Rounding::stochastic) {
    const PhiloxStream stream(s.seed);  // the words fp8check convert uses
    random_bits.resize(static_cast<std::size_t>(in.x.size()));
    for (std::size_t i = 0; i < random_bits.size(); ++i) random_bits[i] = stream.bits32(i);
    s.options.random_bits = random_bits;
  }
  Outcome o{quantize(in.x, s.recipe, s.options), {}, {}};
  o.dequantized = dequantize(o.q);
  o.error = quantization_error(o.dequantized, in.x);
  write_file(a, s, in, o);
  print_summary(a, s, in, o);
  return kExitPass;
}

}  // namespace fp8check::cli
