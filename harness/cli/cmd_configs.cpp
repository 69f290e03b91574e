// fp8check configs: the GEMM configs a device can run for a problem, ranked, with
// why each fits; --explain adds every rejected config and its reason.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/configs/gemm_selector.hpp"
#include "harness/core/error.hpp"

namespace fp8check::cli {
namespace {

ScaleBlock parse_scale_block(const std::string& text) {
  if (text == "tensor") return {0, 0};
  if (text == "row" || text == "col") return {1, 0};
  const auto x = text.find('x');
  if (x == std::string::npos)
    throw InputError("bad scale block '" + text + "': expected tensor, row, col or MNxK such as 1x128, 128x128, 1x32");
  try {
    return {std::stoi(text.substr(0, x)), std::stoi(text.substr(x + 1))};
  } catch (const std::exception&) {
    throw InputError("bad scale block '" + text + "': expected MNxK such as 1x128");
  }
}

}  // namespace

// Groups of a grouped GEMM (experts) or batch count: far more than any model has.
constexpr std::int64_t kMaxGroups = std::int64_t{1} << 20;

int run_configs(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string op = "gemm", device = "sm_90", a_format = "e4m3fn", b_format = "e4m3fn", out = "bf16";
  std::string a_scale = "1x128", b_scale = "128x128", layout = "TN";
  std::int64_t m = 0, n = 0, k = 0, groups = 1;
  int top = 10;
  po::options_description opts(
      "fp8check configs --op gemm --m M --n N --k K [--groups G [--masked]] --device sm_90 [--explain]\n\n"
      "Ranks the GEMM configs the device can run for the problem (shared memory, registers,\n"
      "waves, padding) and says why each fits; --explain lists every rejected config with\n"
      "its reason. A problem the device cannot run is an error naming the constraint (exit 2).\n\nOptions");
  opts.add_options()("help,h", "show this help")("op", po::value(&op)->default_value(op), "operation (gemm)")(
      "m", po::value(&m)->required(), "rows of A and D (per group for --masked: the padded rows)")(
      "n", po::value(&n)->required(), "columns of B and D")("k", po::value(&k)->required(), "reduction length")(
      "groups", po::value(&groups)->default_value(1), "groups (grouped GEMM) or batch count")(
      "masked", "grouped-masked layout (DeepGEMM): --m is the padded rows per group, all valid")(
      "batched", "batched GEMM of --groups independent problems")(
      "device", po::value(&device)->default_value(device), "device profile (fp8check devices lists them)")(
      "a-format", po::value(&a_format)->default_value(a_format), "element type of A")(
      "b-format", po::value(&b_format)->default_value(b_format), "element type of B")(
      "out", po::value(&out)->default_value(out), "output type: fp32, bf16, fp16, e4m3fn")(
      "a-scale", po::value(&a_scale)->default_value(a_scale), "A scale block: tensor, row, or MNxK (1x128, 1x32)")(
      "b-scale", po::value(&b_scale)->default_value(b_scale), "B scale block: tensor, col, or MNxK (128x128)")(
      "layout", po::value(&layout)->default_value(layout), "TN, NN, NT or TT (BLAS convention)")(
      "top", po::value(&top)->default_value(top), "candidates to print (0 = all)")(
      "explain", "also print every rejected config and its reason");
  po::variables_map vm;
  if (!parse_options(args, opts, vm)) return kExitPass;
  if (op != "gemm") throw InputError("unknown --op '" + op + "': expected gemm (attention configs come with attention)");
  if (layout.size() != 2 || (layout[0] != 'T' && layout[0] != 'N') || (layout[1] != 'T' && layout[1] != 'N'))
    throw InputError("bad --layout '" + layout + "': expected TN, NN, NT or TT");

  // Bounded before anything is sized by them (a --masked problem has one row count per
  // group); the problem's bytes are then checked against memory by GemmDesc::validate.
  constexpr std::int64_t kMaxExtent = std::int64_t{1} << 40;
  require_range("--m", m, std::int64_t{1}, kMaxExtent);
  require_range("--n", n, std::int64_t{1}, kMaxExtent);
  require_range("--k", k, std::int64_t{1}, kMaxExtent);
  require_range("--groups", groups, std::int64_t{1}, kMaxGroups);
  require_range("--top", top, 0, std::numeric_limits<int>::max());
  GemmDesc p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.groups = groups;
  if (vm.count("masked") && vm.count("batched"))
    throw InputError("--masked and --batched: expected one layout of the --groups problems, not both");
  if (vm.count("masked")) {
    p.kind = GemmKind::grouped_masked;
    p.group_rows.assign(static_cast<std::size_t>(groups), m);
  } else if (vm.count("batched")) {
    p.kind = GemmKind::batched;
  } else if (groups != 1) {
    throw InputError("--groups " + std::to_string(groups) + " needs --masked or --batched");
  }
  p.a_type = parse_element_type(a_format);
  p.b_type = parse_element_type(b_format);
  p.d_type = parse_output_type(out);
  p.a_scale = parse_scale_block(a_scale);
  p.b_scale = parse_scale_block(b_scale);
  p.a_k_major = layout[0] == 'T';
  p.b_k_major = layout[1] == 'N';
  const DeviceProfile& d = find_device_profile(device);
  p.validate();  // before anything is printed: a problem too large for memory is an input error

  std::cout << p << " on " << d.name << " (" << d.examples << ")\n";
  const GemmSelection sel = select_gemm_configs(p, d);
  std::printf("MMA path %s: %zu candidate(s), %zu rejected\n\n", sel.mma_path.c_str(), sel.candidates.size(),
              sel.rejected.size());
  std::printf("%4s  %-28s %s\n", "rank", "config", "why it fits");
  for (std::size_t i = 0; i < sel.candidates.size() && (top == 0 || i < static_cast<std::size_t>(top)); ++i)
    std::printf("%4zu  %-28s %s\n", i + 1, sel.candidates[i].config.id().c_str(), sel.candidates[i].why.c_str());
  if (vm.count("explain")) {
    std::map<std::string, int> by_reason;  // reasons start with their kind: "stages: ...", "shared memory: ..."
    std::printf("\nrejected:\n");
    for (const RejectedConfig& r : sel.rejected) {
      std::printf("  %-28s %s\n", r.config.id().c_str(), r.reason.c_str());
      ++by_reason[r.reason.substr(0, r.reason.find(':'))];
    }
    std::printf("\nrejections by kind:\n");
    for (const auto& [why, count] : by_reason) std::printf("  %6d  %s\n", count, why.c_str());
  }
  return kExitPass;
}

}  // namespace fp8check::cli
