// fp8check emulate: what a device's tensor cores compute on the user's own inputs, from the
// instruction models of kernels/emulated/mma/ (MMA-Sim's arithmetic, docs/accumulation.md).
//   emulate mma   one instruction per row, arrays as in tests/data/mma/README.md
//   emulate gemm  a GEMM through a kernel model (kernels/emulated/mma/kernel_model.hpp)
#include <algorithm>
#include <bit>
#include <boost/program_options.hpp>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"
#include "harness/io/npy.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"

namespace fp8check::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "fp8check emulate mma --instruction NAME --a A.npy --b B.npy --c C.npy [--scale-a SA.npy --scale-b SB.npy]\n"
    "                     --out D.npy\n"
    "fp8check emulate gemm --a A.npy --b B.npy --formats FA.FB --kernel KERNEL [--scale-a SA.npy --scale-b SB.npy]\n"
    "                      [--output fp32|bf16|fp16|e4m3fn] [--threads N] --out D.npy\n"
    "\n"
    "The bits a device's tensor cores produce, from MMA-Sim's published instruction models (docs/accumulation.md;\n"
    "no GPU ran to make them).\n"
    "mma: each row is one instruction for one output element. A and B: (count, k) codes of the instruction's\n"
    "  formats (uint8; an FP4 code in the low 4 bits of its byte; uint16 for bf16/fp16), B's row being the\n"
    "  column of B. C: (count,) c register bits (uint32 for f32, uint16 for f16). Block-scaled instructions:\n"
    "  SA, SB (count, scales per row) uint8 scale codes. D: (count,) d register bits, uint32 or uint16.\n"
    "gemm: A (M, K) and B (K, N) codes, row-major, of the formats FA.FB (e.g. e4m3fn.e4m3fn); K a multiple of\n"
    "  the instruction's k. Every output element issues the kernel's instruction along K (kernels: BASE[.fN][.pN],\n"
    "  BASE one of sm80-mma, sm89-mma, sm90-wgmma, sm100-tcgen05, sm100-mxf8, sm100-mxf4, sm100-nvf4; .pN promotes\n"
    "  the partial into an FP32 sum every N k, .fN sets the alignment's fraction bits). Block-scaled kernels take\n"
    "  SA (M, K/block) and SB (K/block, N) uint8 scale codes (e8m0; ue4m3 for nvf4); without them every scale\n"
    "  is 1. D: (M, N) of --output: fp32 as uint32 bit patterns (default), bf16/fp16 as uint16 codes, e4m3fn as\n"
    "  uint8 codes, each the FP32 result converted once (round to nearest even; e4m3fn saturating, as\n"
    "  cvt.rn.satfinite). Not yet here: scaling recipes (--recipe, scales applied at promotion), GEMM configs\n"
    "  (--config: tiles, split-K), alpha/beta/bias.\n"
    "D.npy is replaced atomically; on any error nothing is written. Exit codes: 0 done, 2 bad input, 3 internal.\n"
    "\n"
    "Options";

struct EmulateArgs {
  std::string what, instruction, a, b, c, scale_a, scale_b, formats, kernel, output = "fp32", out;
  int threads = 0;
  po::variables_map given;
  bool has(const char* option) const { return given.count(option) != 0; }
};

io::NpyDtype code_dtype(Format f) { return format_spec(f).bits > 8 ? io::NpyDtype::uint16 : io::NpyDtype::uint8; }
io::NpyDtype register_dtype(MmaRegister r) { return r == MmaRegister::f16 ? io::NpyDtype::uint16 : io::NpyDtype::uint32; }

// Reads `path` and checks its dtype and shape; `what` names the array in messages.
io::NpyArray load(const std::string& path, const char* what, io::NpyDtype dtype, const std::vector<std::size_t>& shape,
                  const std::string& why) {
  io::NpyArray a = io::read_npy(path);
  if (a.dtype != dtype)
    throw InputError(path + " (" + what + "): holds " + std::string(io::npy_dtype_name(a.dtype)) + ": expected " +
                     std::string(io::npy_dtype_name(dtype)) + " " + why);
  if (a.shape != shape) {
    io::NpyArray expected{dtype, shape, {}};
    throw InputError(path + " (" + what + "): shape " + a.shape_string() + ": expected " + expected.shape_string() +
                     " " + why);
  }
  return a;
}

// Codes of `f` (or scale codes), each checked against the format's width.
template <typename Code>
std::vector<Code> codes(const io::NpyArray& a, Format f, const std::string& path) {
  const std::uint32_t count = format_spec(f).code_count();
  std::vector<Code> out(a.element_count());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint32_t code = a.code_at(i);
    if (code >= count)
      throw InputError(path + ": element " + std::to_string(i) + " is " + std::to_string(code) + ", not a " +
                       format_spec(f).name + " code: expected 0.." + std::to_string(count - 1) +
                       " (a narrower code in the low bits)");
    out[i] = static_cast<Code>(code);
  }
  return out;
}

std::vector<std::size_t> dims(std::int64_t rows, std::int64_t cols) {
  return {static_cast<std::size_t>(rows), static_cast<std::size_t>(cols)};
}

void refuse(const EmulateArgs& args, std::initializer_list<const char*> options, const char* mode) {
  for (const char* o : options)
    if (args.has(o)) throw InputError(std::string("--") + o + " does not apply to emulate " + mode);
}

void require(const EmulateArgs& args, std::initializer_list<const char*> options, const char* mode) {
  for (const char* o : options)
    if (!args.has(o)) throw InputError(std::string("emulate ") + mode + " needs --" + o + " (see fp8check emulate --help)");
}

int run_mma(const EmulateArgs& args) {
  refuse(args, {"formats", "kernel", "output", "threads"}, "mma");
  require(args, {"instruction", "a", "b", "c", "out"}, "mma");
  const MmaInstruction& ins = find_mma_instruction(args.instruction);
  const io::NpyArray a0 = io::read_npy(args.a);
  if (a0.shape.size() != 2) throw InputError(args.a + " (A): shape " + a0.shape_string() + ": expected (count, k)");
  const std::size_t count = a0.shape[0], k = static_cast<std::size_t>(ins.k);
  const std::string operands = std::string("codes of ") + ins.name + " (count, k = " + std::to_string(k) + ")";
  const auto a = codes<std::uint16_t>(load(args.a, "A", code_dtype(ins.a), {count, k}, operands), ins.a, args.a);
  const auto b = codes<std::uint16_t>(load(args.b, "B", code_dtype(ins.b), {count, k}, operands), ins.b, args.b);
  const io::NpyArray c = load(args.c, "C", register_dtype(ins.c), {count}, ins.c_name() + " c register bits (count,)");
  const std::size_t spr = static_cast<std::size_t>(ins.scales_per_row());
  std::vector<std::uint8_t> sa, sb;
  if (spr == 0) {
    if (args.has("scale-a") || args.has("scale-b"))
      throw InputError(std::string(ins.name) + " has no block scales: drop --scale-a/--scale-b");
  } else {
    require(args, {"scale-a", "scale-b"}, "mma of a block-scaled instruction");
    const std::string why = std::string("scale codes of ") + ins.name + " (count, " + std::to_string(spr) + ")";
    sa = codes<std::uint8_t>(load(args.scale_a, "scale A", io::NpyDtype::uint8, {count, spr}, why), ins.scale_format(), args.scale_a);
    sb = codes<std::uint8_t>(load(args.scale_b, "scale B", io::NpyDtype::uint8, {count, spr}, why), ins.scale_format(), args.scale_b);
  }
  io::NpyArray d = io::NpyArray::zeros(register_dtype(ins.c), {count});
  for (std::size_t r = 0; r < count; ++r)
    d.set_code(r, mma_execute(ins, a.data() + r * k, 1, b.data() + r * k, 1, c.code_at(r), spr ? sa.data() + r * spr : nullptr,
                              1, spr ? sb.data() + r * spr : nullptr, 1));
  io::write_npy(args.out, d);
  std::printf("emulated %zu instructions of %s -> %s (%s)\n", count, ins.name, args.out.c_str(), ins.d_name().c_str());
  return kExitPass;
}

// The FP32 results in the --output type.
io::NpyArray convert_output(const std::vector<std::uint32_t>& bits, const std::string& output, std::vector<std::size_t> shape) {
  if (output == "fp32") {
    io::NpyArray d = io::NpyArray::zeros(io::NpyDtype::uint32, std::move(shape));
    for (std::size_t i = 0; i < bits.size(); ++i) d.set_code(i, bits[i]);
    return d;
  }
  Format f = Format::e4m3fn;
  if (output == "bf16") f = Format::bf16;
  else if (output == "fp16") f = Format::fp16;
  else if (output != "e4m3fn") throw InputError("--output '" + output + "': expected fp32, bf16, fp16 or e4m3fn");
  io::NpyArray d = io::NpyArray::zeros(code_dtype(f), std::move(shape));
  for (std::size_t i = 0; i < bits.size(); ++i) d.set_code(i, encode(f, std::bit_cast<float>(bits[i])));
  return d;
}

int run_gemm(const EmulateArgs& args) {
  refuse(args, {"instruction", "c"}, "gemm");
  require(args, {"a", "b", "formats", "kernel", "out"}, "gemm");
  const std::size_t dot = args.formats.find('.');
  if (dot == std::string::npos)
    throw InputError("--formats '" + args.formats + "': expected FA.FB, e.g. e4m3fn.e4m3fn");
  const Format fa = parse_format(args.formats.substr(0, dot)), fb = parse_format(args.formats.substr(dot + 1));
  const KernelModel model = parse_kernel_model(args.kernel);
  const MmaInstruction ins = model.instruction(fa, fb);
  if (args.output != "fp32" && args.output != "bf16" && args.output != "fp16" && args.output != "e4m3fn")
    throw InputError("--output '" + args.output + "': expected fp32, bf16, fp16 or e4m3fn");
  const io::NpyArray a0 = io::read_npy(args.a), b0 = io::read_npy(args.b);
  if (a0.shape.size() != 2) throw InputError(args.a + " (A): shape " + a0.shape_string() + ": expected (M, K)");
  if (b0.shape.size() != 2) throw InputError(args.b + " (B): shape " + b0.shape_string() + ": expected (K, N)");
  ChainGemmOperands p;
  p.m = static_cast<std::int64_t>(a0.shape[0]), p.k = static_cast<std::int64_t>(a0.shape[1]);
  p.n = static_cast<std::int64_t>(b0.shape[1]), p.a_format = fa, p.b_format = fb;
  if (b0.shape[0] != a0.shape[1])
    throw InputError(args.b + " (B): shape " + b0.shape_string() + ": expected (K, N) with K = " + std::to_string(p.k) + " as A's columns");
  if (p.m == 0 || p.n == 0 || p.k == 0) throw InputError("M, N and K must be positive");
  if (p.k % ins.k != 0)
    throw InputError("K " + std::to_string(p.k) + " is not a multiple of " + ins.name + "'s k " + std::to_string(ins.k) +
                     " (kernel " + model.id() + "): pad K with zero codes");
  const auto a = codes<std::uint16_t>(load(args.a, "A", code_dtype(fa), dims(p.m, p.k), std::string(format_spec(fa).name) + " codes (M, K)"), fa, args.a);
  const auto b = codes<std::uint16_t>(load(args.b, "B", code_dtype(fb), dims(p.k, p.n), std::string(format_spec(fb).name) + " codes (K, N)"), fb, args.b);
  p.a = a, p.b = b;
  std::vector<std::uint8_t> sa, sb;
  if (!model.block_scaled()) {
    if (args.has("scale-a") || args.has("scale-b"))
      throw InputError("kernel " + model.id() + " takes no block scales (sm100-mxf8, sm100-mxf4 and sm100-nvf4 do); "
                       "recipe scales applied at promotion are not implemented in emulate yet");
  } else {
    if (args.has("scale-a") != args.has("scale-b")) throw InputError("give both --scale-a and --scale-b, or neither (scales 1)");
    const std::int64_t groups = p.k / ins.scale_block;
    const std::uint8_t one = ins.scale == MmaScaleKind::ue4m3 ? 0x38 : 127;
    if (args.has("scale-a")) {
      const std::string why = std::string(format_spec(ins.scale_format()).name) + " scale codes per " + std::to_string(ins.scale_block) + " k";
      sa = codes<std::uint8_t>(load(args.scale_a, "scale A", io::NpyDtype::uint8, dims(p.m, groups), why + " (M, K/block)"), ins.scale_format(), args.scale_a);
      sb = codes<std::uint8_t>(load(args.scale_b, "scale B", io::NpyDtype::uint8, dims(groups, p.n), why + " (K/block, N)"), ins.scale_format(), args.scale_b);
    } else {
      sa.assign(static_cast<std::size_t>(p.m * groups), one);
      sb.assign(static_cast<std::size_t>(groups * p.n), one);
    }
    p.scale_a = sa, p.scale_b = sb;
  }
  const int threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::vector<std::uint32_t> d = mma_chain_gemm(model, p, threads);
  io::write_npy(args.out, convert_output(d, args.output, dims(p.m, p.n)));
  std::printf("emulated %lldx%lldx%lld %s.%s GEMM with %s (%s) -> %s (%s)\n", static_cast<long long>(p.m),
              static_cast<long long>(p.n), static_cast<long long>(p.k), format_spec(fa).name, format_spec(fb).name,
              model.id().c_str(), ins.name, args.out.c_str(), args.output.c_str());
  return kExitPass;
}

}  // namespace

int run_emulate(const std::vector<std::string>& args) {
  EmulateArgs a;
  po::options_description opts(kUsage);
  opts.add_options()("help,h", "show this help")
      ("instruction", po::value(&a.instruction), ("mma: one of " + mma_instruction_name_list()).c_str())
      ("a", po::value(&a.a), "A codes (.npy)")
      ("b", po::value(&a.b), "B codes (.npy)")
      ("c", po::value(&a.c), "mma: c register bits (.npy)")
      ("scale-a", po::value(&a.scale_a), "block scale codes of A (.npy)")
      ("scale-b", po::value(&a.scale_b), "block scale codes of B (.npy)")
      ("formats", po::value(&a.formats), "gemm: FA.FB, the formats of A and B (e.g. e4m3fn.e4m3fn)")
      ("kernel", po::value(&a.kernel), "gemm: kernel model, e.g. sm90-wgmma.p128")
      ("output", po::value(&a.output), "gemm: fp32 (default), bf16, fp16 or e4m3fn")
      ("threads", po::value(&a.threads), "gemm: threads (default: the number of cores); the bits do not depend on it")
      ("out", po::value(&a.out), "D (.npy), written atomically");
  po::options_description hidden;
  hidden.add_options()("what", po::value(&a.what));
  po::positional_options_description positional;
  positional.add("what", 1);
  if (!parse_options(args, opts, hidden, positional, a.given)) return kExitPass;
  if (a.what == "mma") return run_mma(a);
  if (a.what == "gemm") return run_gemm(a);
  throw InputError(a.what.empty() ? "expected emulate mma or emulate gemm (see fp8check emulate --help)"
                                  : "unknown emulate target '" + a.what + "': expected mma or gemm");
}

}  // namespace fp8check::cli
