// fp8check formats: the facts table of every number format, derived from the codecs.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/core/format_facts.hpp"
#include "harness/core/format_names.hpp"

namespace fp8check::cli {

int run_formats(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("fp8check formats [--format NAME]\n\nPrints, per format: bits, exponent and "
                               "mantissa bits, bias, max normal (= the saturation value), min normal, min "
                               "subnormal, epsilon, the round-to-nearest overflow threshold, and the inf/NaN "
                               "codes. Sources: docs/formats.md.\n\nOptions");
  std::string only;
  opts.add_options()("help,h", "show this help")("format", po::value(&only), "print only this format");
  po::variables_map vm;
  if (!parse_options(args, opts, vm)) return kExitPass;
  std::printf("%-12s %4s %3s %3s %4s %13s %13s %13s %9s %13s  %-17s %-13s %s\n", "format", "bits", "E", "M",
              "bias", "max_normal", "min_normal", "min_subnorm", "epsilon", "ovf_thr_rne", "nan_codes",
              "inf_codes", "nan_emitted");
  for (Format f : kAllFormats) {
    if (!only.empty() && parse_format(only) != f) continue;
    const FormatFacts x = format_facts(f);
    std::printf("%-12s %4d %3d %3d %4d %13.6g %13.6g %13.6g %9.6g %13.6g  %-17s %-13s %s\n", x.spec.name,
                x.spec.bits, x.spec.exp_bits, x.spec.man_bits, x.spec.bias, x.max_normal, x.min_normal,
                x.min_subnormal, x.epsilon, x.overflow_threshold, format_codes(x.nan_codes, x.spec.bits).c_str(),
                format_codes(x.inf_codes, x.spec.bits).c_str(),
                format_codes({x.nan_emitted}, x.spec.bits).c_str());
  }
  std::printf("\nsaturation (satfinite) clamps to +-max_normal; e8m0fnu is unsigned, has no zero and no "
              "subnormals; e2m1fn/e2m3fn/e3m2fn/e4m3b15 have no inf and no NaN (a NaN input encodes as "
              "+max, as CUDA does).\n");
  return kExitPass;
}

}  // namespace fp8check::cli
