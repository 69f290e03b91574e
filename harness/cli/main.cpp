// fp8check: dispatches to one subcommand; maps exceptions to exit codes.
#include <boost/program_options/errors.hpp>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "harness/cli/command.hpp"
#include "harness/core/error.hpp"
#if FP8CHECK_HAVE_CUDA
#include "kernels/cuda/cublaslt/cublaslt_backend.hpp"
#endif

namespace fp8check::cli {
namespace {

constexpr Command kCommands[] = {
    {"run", "run a suite: cases -> verdicts, results (HDF5) and reports", run_run},
    {"list", "list the case ids of a suite (after filter and shard)", run_list},
    {"report", "write the reports (HTML, Markdown, JSON, JUnit) of results files", run_report},
    {"formats", "print the facts table of every number format", run_formats},
    {"convert", "convert a .npy array to codes of a format (--to) or codes to float32 (--from)", run_convert},
    {"configs", "rank the GEMM configs a device can run for a problem, and explain rejections", run_configs},
    {"devices", "list the device profiles, and the GPU found (if any)", run_devices},
    {"quantize", "quantize a .npy matrix by a recipe (codes, scales, dequantized) into HDF5", run_quantize},
    {"compare", "compare a results file with a golden: exit 1 if bits or statistics changed", run_compare},
    {"golden", "golden update RESULTS --golden G [--write]: show (and approve) changes to a golden", run_golden},
    {"merge", "join the results files of a sharded run into one", run_merge},
    {"emulate", "emulate mma|gemm: the bits of tensor-core instructions and GEMMs on your .npy inputs", run_emulate},
    {"export", "write a suite's cases (inputs, codes, scales) to HDF5 for a kernel outside fp8check", run_export},
    {"verify", "judge a kernel outside fp8check: verify cases.h5 outputs.h5 (as run judges)", run_verify},
    {"selftest", "prove the harness catches every injectable kernel fault (and passes clean twins)", run_selftest},
};

void print_usage(std::FILE* out) {
  std::fprintf(out, "usage: fp8check <command> [options]   (fp8check <command> --help for details)\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\nexit codes: 0 all pass, 1 failure or regression, 2 usage or input error, 3 internal error\n");
}

}  // namespace

int main(int argc, char** argv) {
#if FP8CHECK_HAVE_CUDA
  cublaslt::register_cublaslt_backend();  // the registry names it in every build; this one has it
#endif
  std::string known;
  for (const Command& c : kCommands) known += (known.empty() ? "" : ", ") + std::string(c.name);
  if (argc < 2) {
    std::fprintf(stderr, "fp8check: error: expected a command, one of %s (fp8check --help)\n", known.c_str());
    return kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return kExitPass;
  }
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
      return c.run(args);
    } catch (const InputError& e) {
      std::fprintf(stderr, "fp8check %s: error: %s\n", c.name, one_line(e.what()).c_str());
      return kExitUsage;
    } catch (const boost::program_options::error& e) {
      std::fprintf(stderr, "fp8check %s: error: %s (see fp8check %s --help)\n", c.name, one_line(e.what()).c_str(),
                   c.name);
      return kExitUsage;
    } catch (const Error& e) {
      std::fprintf(stderr, "fp8check %s: internal error at %s: %s\n", c.name,
                   describe_location(e.where()).c_str(), one_line(e.what()).c_str());
      return kExitInternal;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fp8check %s: internal error: %s\n", c.name, one_line(e.what()).c_str());
      return kExitInternal;
    }
  }
  std::fprintf(stderr, "fp8check: error: unknown command '%s' (expected one of %s; fp8check --help)\n",
               one_line(argv[1]).c_str(), known.c_str());
  return kExitUsage;
}

}  // namespace fp8check::cli

int main(int argc, char** argv) { return fp8check::cli::main(argc, argv); }
