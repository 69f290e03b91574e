// fp8check convert: element-wise conversion between .npy values and format codes
// (no scaling), with fp8check's exact encoder/decoder (harness/core/convert.hpp).
#include <Random123/philox.h>

#include <boost/program_options.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"
#include "harness/io/npy.hpp"
#include "harness/io/output_path.hpp"

namespace fp8check::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "fp8check convert IN.npy OUT.npy --to FORMAT [--rounding MODE] [--seed N] [--saturate|--no-saturate]\n"
    "                                [--inf-to-max|--keep-inf]\n"
    "fp8check convert IN.npy OUT.npy --from FORMAT\n"
    "\n"
    "--to: encodes each element of a float16/float32/float64 array (exactly, no scaling) to a code of\n"
    "FORMAT and writes the codes with the same shape: uint8 for the 4-, 6- and 8-bit formats (a 4- or\n"
    "6-bit code in the low bits of its byte), uint16 for bf16 and fp16.\n"
    "--from: decodes such codes (uint8, or uint16 for bf16/fp16) to float32 (exact for every format).\n"
    "\n"
    "Defaults for --to are CUDA's cvt.rn.satfinite for the 4-, 6- and 8-bit formats (rne, --saturate,\n"
    "--inf-to-max) and the plain IEEE conversion for bf16/fp16 (rne, --no-saturate, --keep-inf).\n"
    "Stochastic rounding rounds away from zero with probability equal to the dropped fraction; the\n"
    "random word of element i (C-order index) is word 0 of Philox4x32-10 (Random123) with counter\n"
    "{i mod 2^32, i div 2^32, 0, 0} and key {seed mod 2^32, seed div 2^32}, so a result depends only\n"
    "on (seed, index). --seed (default 0) is an error without --rounding stochastic.\n"
    "OUT.npy is replaced atomically: on any error it is left as it was. Semantics: docs/formats.md;\n"
    "exit codes: 0 converted, 2 bad input (nothing written), 3 internal error (docs/cli.md).\n"
    "\n"
    "Options";

struct Summary {
  std::size_t nan_in = 0, inf_in = 0;
  // Inputs beyond +-max (inf included), by result: +-max (saturation, or rounding
  // down to max) or inf/NaN (overflow).
  std::size_t beyond_to_max = 0, beyond_to_special = 0;
  std::size_t nan_out = 0, inf_out = 0;
};

// Random bits for stochastic rounding of element `index` (see kUsage).
std::uint32_t stochastic_bits(std::uint64_t seed, std::uint64_t index) {
  const r123::Philox4x32 philox;
  const r123::Philox4x32::ctr_type counter = {
      {static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32), 0u, 0u}};
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  return philox(counter, key)[0];
}

std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    throw InputError("--seed '" + text + "' is not valid: expected an integer in 0..18446744073709551615");
  return v;
}

double max_finite(Format f) { return decode(f, format_spec(f).max_magnitude_code()); }

io::NpyDtype code_dtype(Format f) { return format_spec(f).bits > 8 ? io::NpyDtype::uint16 : io::NpyDtype::uint8; }

std::string shortest(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);  // round-trips
  return buf;
}

std::string options_text(const EncodeOptions& opt, std::optional<std::uint64_t> seed) {
  std::string s(rounding_name(opt.rounding));
  if (seed) s += " (seed " + std::to_string(*seed) + ")";
  s += opt.saturate_finite ? ", saturate" : ", no-saturate";
  s += opt.clamp_inf ? ", inf-to-max" : ", keep-inf";
  return s;
}

io::NpyArray encode_array(const io::NpyArray& in, Format f, const EncodeOptions& opt, std::uint64_t seed,
                          Summary& sum) {
  const double max_normal = max_finite(f);
  io::NpyArray out = io::NpyArray::zeros(code_dtype(f), in.shape);
  const std::size_t n = in.element_count();
  for (std::size_t i = 0; i < n; ++i) {
    const double x = in.float_at(i);
    const std::uint32_t bits = opt.rounding == Rounding::stochastic ? stochastic_bits(seed, i) : 0u;
    const std::uint32_t code = encode(f, x, opt, bits);
    out.set_code(i, code);
    const bool nan_code = is_nan_code(f, code), inf_code = is_inf_code(f, code);
    sum.nan_in += std::isnan(x);
    sum.inf_in += std::isinf(x);
    sum.nan_out += nan_code;
    sum.inf_out += inf_code;
    if (!std::isnan(x) && std::fabs(x) > max_normal) {
      if (nan_code || inf_code) ++sum.beyond_to_special;
      else ++sum.beyond_to_max;
    }
  }
  return out;
}

io::NpyArray decode_array(const io::NpyArray& in, Format f, const std::string& file, Summary& sum) {
  const FormatSpec spec = format_spec(f);
  io::NpyArray out = io::NpyArray::zeros(io::NpyDtype::float32, in.shape);
  const std::size_t n = in.element_count();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t code = in.code_at(i);
    if (code >= spec.code_count())
      throw InputError(file + ": element " + std::to_string(i) + " is " + std::to_string(code) + ", not a " +
                       std::to_string(spec.bits) + "-bit " + spec.name + " code: expected 0.." +
                       std::to_string(spec.code_count() - 1) + " (codes in the low bits of each byte)");
    out.set_float(i, decode_f32(f, code));  // exact: every format here is a subset of float32
    sum.nan_out += is_nan_code(f, code);
    sum.inf_out += is_inf_code(f, code);
  }
  return out;
}

void require_dtype(const io::NpyArray& a, bool ok, const std::string& file, const std::string& expected) {
  if (!ok)
    throw InputError(file + ": holds " + std::string(io::npy_dtype_name(a.dtype)) + ": expected " + expected);
}

struct ConvertArgs {
  std::string in_path, out_path, to, from, rounding, seed;
  po::variables_map given;
  bool has(const char* option) const { return given.count(option) != 0; }
};

// The format's defaults, overridden by the flags given.
EncodeOptions encode_options(const ConvertArgs& a, Format f) {
  if (a.has("saturate") && a.has("no-saturate")) throw InputError("expected one of --saturate or --no-saturate");
  if (a.has("inf-to-max") && a.has("keep-inf")) throw InputError("expected one of --inf-to-max or --keep-inf");
  EncodeOptions opt = default_encode_options(f);
  if (a.has("rounding")) opt.rounding = parse_rounding(a.rounding);
  if (a.has("saturate") || a.has("no-saturate")) opt.saturate_finite = a.has("saturate");
  if (a.has("inf-to-max") || a.has("keep-inf")) opt.clamp_inf = a.has("inf-to-max");
  // A seed that changes nothing means the user expected stochastic rounding: say so.
  if (a.has("seed") && opt.rounding != Rounding::stochastic)
    throw InputError("--seed is used only with --rounding stochastic (the rounding is " +
                     std::string(rounding_name(opt.rounding)) + ")");
  return opt;
}

// Converts and writes; returns the summary.
std::string run_encode(const ConvertArgs& a, Format f) {
  const EncodeOptions opt = encode_options(a, f);
  const std::uint64_t seed = a.has("seed") ? parse_seed(a.seed) : 0;
  const io::NpyArray in = io::read_npy(a.in_path);
  require_dtype(in, io::npy_is_float(in.dtype), a.in_path,
                "float16, float32 or float64 values for --to (decode codes with --from FORMAT)");
  Summary sum;
  const io::NpyArray out = encode_array(in, f, opt, seed, sum);
  io::write_npy(a.out_path, out);
  const auto n = [](std::size_t v) { return std::to_string(v); };
  return n(in.element_count()) + " " + std::string(io::npy_dtype_name(in.dtype)) + " -> " + format_spec(f).name +
         " codes (" + std::string(io::npy_dtype_name(out.dtype)) + "), " +
         options_text(opt, opt.rounding == Rounding::stochastic ? std::optional(seed) : std::nullopt) + ": " +
         n(sum.nan_in) + " NaN, " + n(sum.inf_in) + " inf, " + n(sum.beyond_to_max + sum.beyond_to_special) +
         " beyond +-" + shortest(max_finite(f)) + " (" + n(sum.beyond_to_max) + " -> +-max, " +
         n(sum.beyond_to_special) + " -> inf/NaN); codes out: " + n(sum.nan_out) + " NaN, " + n(sum.inf_out) + " inf";
}

std::string run_decode(const ConvertArgs& a, Format f) {
  for (const char* o : {"rounding", "seed", "saturate", "no-saturate", "inf-to-max", "keep-inf"})
    if (a.has(o)) throw InputError(std::string("--") + o + " applies only to --to (decoding is exact)");
  const io::NpyArray in = io::read_npy(a.in_path);
  const io::NpyDtype expected = code_dtype(f);
  require_dtype(in, in.dtype == expected, a.in_path,
                std::string(io::npy_dtype_name(expected)) + " " + format_spec(f).name +
                    " codes for --from (encode values with --to FORMAT)");
  Summary sum;
  io::write_npy(a.out_path, decode_array(in, f, a.in_path, sum));
  return std::to_string(in.element_count()) + " " + format_spec(f).name + " codes -> float32: " +
         std::to_string(sum.nan_out) + " NaN, " + std::to_string(sum.inf_out) + " inf";
}

}  // namespace

int run_convert(const std::vector<std::string>& args) {
  ConvertArgs a;
  po::options_description opts(kUsage);
  opts.add_options()("help,h", "show this help")
      ("to", po::value(&a.to), "encode float values to codes of this format (see fp8check formats)")
      ("from", po::value(&a.from), "decode codes of this format to float32")
      ("rounding", po::value(&a.rounding), ("--to: " + rounding_name_list() + " (default rne)").c_str())
      ("seed", po::value(&a.seed), "--to with --rounding stochastic: 64-bit seed (default 0)")
      ("saturate", "--to: finite values beyond +-max become +-max")
      ("no-saturate", "--to: finite values beyond +-max overflow, to what --keep-inf makes of inf")
      ("inf-to-max", "--to: +-inf becomes +-max")
      ("keep-inf", "--to: +-inf stays inf (NaN where the format has no inf; +-max where every code is finite)");
  po::options_description positional_opts;
  positional_opts.add_options()("input", po::value(&a.in_path))("output", po::value(&a.out_path));
  po::positional_options_description positional;
  positional.add("input", 1).add("output", 1);
  if (!parse_options(args, opts, positional_opts, positional, a.given)) return kExitPass;
  if (a.in_path.empty() || a.out_path.empty())
    throw InputError("expected IN.npy OUT.npy (see fp8check convert --help)");
  if (a.has("to") == a.has("from")) throw InputError("expected exactly one of --to FORMAT or --from FORMAT");
  io::check_output_path(a.out_path);  // before reading: a FIFO or device is never replaced
  io::check_not_an_input(a.out_path, a.in_path, "the input IN.npy");
  const std::string summary = a.has("to") ? run_encode(a, parse_format(a.to)) : run_decode(a, parse_format(a.from));
  std::printf("converted %s -> %s\n", summary.c_str(), a.out_path.c_str());
  return kExitPass;
}

}  // namespace fp8check::cli
