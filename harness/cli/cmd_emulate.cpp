// fp8check emulate: what a device's tensor cores compute on the user's own inputs, from the
// instruction models of kernels/emulated/mma/ (MMA-Sim's arithmetic, docs/accumulation.md).
//   emulate mma   one instruction per row, arrays as in tests/data/mma/README.md
//   emulate gemm  the GEMM emulation of a case (gemm_emulated: kernel models, fp32, exact)
#include <algorithm>
#include <bit>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/cli/command.hpp"
#include "harness/cli/parse_options.hpp"
#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/core/format_names.hpp"
#include "harness/io/npy.hpp"
#include "harness/io/output_path.hpp"
#include "harness/configs/gemm_config.hpp"
#include "harness/run/gemm_case.hpp"
#include "kernels/emulated/gemm_emulated.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"

namespace fp8check::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "fp8check emulate mma --instruction NAME --a A.npy --b B.npy --c C.npy [--scale-a SA.npy --scale-b SB.npy]\n"
    "                     --out D.npy\n"
    "fp8check emulate gemm --a A.npy --b B.npy --formats FA.FB --kernel KERNEL\n"
    "                      [--recipe R --scale-a SA.npy --scale-b SB.npy [--tensor-scale-a X --tensor-scale-b Y]]\n"
    "                      [--config C] [--output fp32|bf16|fp16|e4m3fn] [--threads N] --out D.npy\n"
    "\n"
    "The bits a device's tensor cores produce, from MMA-Sim's published instruction models (docs/accumulation.md;\n"
    "no GPU ran to make them).\n"
    "mma: each row is one instruction for one output element. A and B: (count, k) codes of the instruction's\n"
    "  formats (uint8; an FP4 code in the low 4 bits of its byte; uint16 for bf16/fp16), B's row being the\n"
    "  column of B. C: (count,) c register bits (uint32 for f32, uint16 for f16). Block-scaled instructions:\n"
    "  SA, SB (count, scales per row) uint8 scale codes. D: (count,) d register bits, uint32 or uint16.\n"
    "gemm: exactly the GEMM emulation of a GEMM case, on A (M, K) and B (K, N) codes, row-major, of the formats\n"
    "  FA.FB (e.g. e4m3fn.e4m3fn). KERNEL: a kernel model BASE[.fN][.pN], BASE one of sm80-mma, sm89-mma,\n"
    "  sm90-wgmma, sm100-tcgen05, sm100-mxf8, sm100-mxf4, sm100-nvf4 (.pN promotes the tensor-core partial into an\n"
    "  FP32 sum every N k, .fN sets the alignment's fraction bits; K a multiple of the instruction's k), or fp32 /\n"
    "  exact. Scales: none (all 1); --recipe R (as a suite's recipe axis: vec128.blk128x128, row.col, tensor,\n"
    "  mxfp8, nvfp4 ...) with float32 SA (M/block, K/block) and SB (K/block, N/block), applied as the emulation\n"
    "  does (K-blocked ones at promotion or in a block-scaled instruction, others in the epilogue), plus NVFP4's\n"
    "  tensor scales; or, for sm100-mxf8/-mxf4/-nvf4, their own uint8 scale codes SA (M, K/block), SB (K/block, N).\n"
    "  --config: tiles and split-K (default bm128.bn128.bk128.s4). D: (M, N) of --output: fp32 as uint32 bit\n"
    "  patterns (default), bf16/fp16 as uint16 codes, e4m3fn as uint8 codes, each the FP32 result converted once\n"
    "  (round to nearest even; e4m3fn saturating, as cvt.rn.satfinite).\n"
    "D.npy is replaced atomically; on any error nothing is written. Exit codes: 0 done, 2 bad input, 3 internal.\n"
    "\n"
    "Options";

struct EmulateArgs {
  std::string what, instruction, a, b, c, scale_a, scale_b, formats, kernel, output = "fp32", out, recipe, config,
      tensor_scale_a, tensor_scale_b;
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
  refuse(args, {"formats", "kernel", "output", "threads", "recipe", "config", "tensor-scale-a", "tensor-scale-b"}, "mma");
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

OutputType parse_output(const std::string& output) {
  if (output == "fp32") return OutputType::fp32;
  if (output == "bf16") return OutputType::bf16;
  if (output == "fp16") return OutputType::fp16;
  if (output == "e4m3fn") return OutputType::e4m3fn;
  throw InputError("--output '" + output + "': expected fp32, bf16, fp16 or e4m3fn");
}

// D in the --output type: fp32 as uint32 bit patterns, bf16/fp16 as uint16, e4m3fn as uint8.
io::NpyArray output_array(const GemmOutput& out) {
  const io::NpyDtype dtype = out.type == OutputType::fp32 ? io::NpyDtype::uint32
                             : out.type == OutputType::e4m3fn ? io::NpyDtype::uint8
                                                              : io::NpyDtype::uint16;
  io::NpyArray d = io::NpyArray::zeros(dtype, dims(out.rows, out.cols));
  for (std::size_t i = 0; i < out.bits.size(); ++i) d.set_code(i, out.bits[i]);
  return d;
}

// An operand's elements as the emulated GEMM reads them: codes of formats up to 8 bits,
// float values (exact) of bf16/fp16.
struct Elements {
  std::vector<std::uint8_t> codes;
  std::vector<float> values;
  GemmOperand view(Format f, std::int64_t mn, std::int64_t k, bool k_major) const {
    if (values.empty()) return GemmOperand::of_codes(codes.data(), f, mn, k, k_major);
    GemmOperand op = GemmOperand::of_values(values.data(), mn, k, k_major);
    op.code_format = f;
    return op;
  }
};

Elements elements(const std::vector<std::uint16_t>& codes, Format f) {
  Elements e;
  if (format_spec(f).bits <= 8) e.codes.assign(codes.begin(), codes.end());
  else for (std::uint16_t c : codes) e.values.push_back(static_cast<float>(decode(f, c)));
  return e;
}

// A recipe's block over (MN, K) as the operand view's ScaleBlock (0: the whole extent).
ScaleBlock view_block(const Recipe& r, std::int64_t mn, std::int64_t k) {
  return {r.block.rows == 0 || r.block.rows >= mn ? 0 : static_cast<int>(r.block.rows),
          r.block.cols == 0 || r.block.cols >= k ? 0 : static_cast<int>(r.block.cols)};
}
std::int64_t blocks(int block, std::int64_t extent) { return block == 0 ? 1 : (extent + block - 1) / block; }

float parse_float(const std::string& text, const char* option) {
  std::size_t used = 0;
  float v = 0;
  try {
    v = std::stof(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(v > 0) || !std::isfinite(v))
    throw InputError(std::string("--") + option + " '" + text + "': expected a positive finite number");
  return v;
}

int run_gemm(const EmulateArgs& args) {
  refuse(args, {"instruction", "c"}, "gemm");
  require(args, {"a", "b", "formats", "kernel", "out"}, "gemm");
  const std::size_t dot = args.formats.find('.');
  if (dot == std::string::npos)
    throw InputError("--formats '" + args.formats + "': expected FA.FB, e.g. e4m3fn.e4m3fn");
  const Format fa = parse_format(args.formats.substr(0, dot)), fb = parse_format(args.formats.substr(dot + 1));
  const AccumulationModel model = parse_accumulation_model(args.kernel);
  std::optional<MmaInstruction> ins;
  if (model.is_kernel_model()) ins = model.kernel.instruction(fa, fb);
  GemmProblem problem;
  problem.output = parse_output(args.output);
  const GemmConfig config = args.has("config") ? parse_gemm_config(args.config) : GemmConfig{};
  const io::NpyArray a0 = io::read_npy(args.a), b0 = io::read_npy(args.b);
  if (a0.shape.size() != 2) throw InputError(args.a + " (A): shape " + a0.shape_string() + ": expected (M, K)");
  if (b0.shape.size() != 2) throw InputError(args.b + " (B): shape " + b0.shape_string() + ": expected (K, N)");
  const auto m = static_cast<std::int64_t>(a0.shape[0]), k = static_cast<std::int64_t>(a0.shape[1]);
  const auto n = static_cast<std::int64_t>(b0.shape[1]);
  if (b0.shape[0] != a0.shape[1])
    throw InputError(args.b + " (B): shape " + b0.shape_string() + ": expected (K, N) with K = " + std::to_string(k) + " as A's columns");
  if (m == 0 || n == 0 || k == 0) throw InputError("M, N and K must be positive");
  if (ins && k % ins->k != 0)
    throw InputError("K " + std::to_string(k) + " is not a multiple of " + ins->name + "'s k " + std::to_string(ins->k) +
                     " (kernel " + model.id() + "): pad K with zero codes");
  const Elements a = elements(codes<std::uint16_t>(load(args.a, "A", code_dtype(fa), dims(m, k), std::string(format_spec(fa).name) + " codes (M, K)"), fa, args.a), fa);
  const Elements b = elements(codes<std::uint16_t>(load(args.b, "B", code_dtype(fb), dims(k, n), std::string(format_spec(fb).name) + " codes (K, N)"), fb, args.b), fb);
  GemmOperand va = a.view(fa, m, k, true), vb = b.view(fb, n, k, false);  // B (K, N) row-major: N-major
  problem.m = m, problem.n = n, problem.k = k;

  // Scales: a recipe's (float32, applied as the GEMM emulation applies them: K-blocked ones
  // at promotion or in a block-scaled instruction, others in the epilogue), or the scale
  // codes of a block-scaled kernel's own instruction.
  const bool scaled = args.has("scale-a") || args.has("scale-b");
  if (scaled && args.has("scale-a") != args.has("scale-b")) throw InputError("give both --scale-a and --scale-b, or neither (scales 1)");
  if ((args.has("tensor-scale-a") || args.has("tensor-scale-b")) && !args.has("recipe"))
    throw InputError("--tensor-scale-a/-b go with --recipe (NVFP4's second-level scale)");
  std::vector<float> sa, sb;
  if (args.has("recipe")) {
    if (!scaled) throw InputError("--recipe " + args.recipe + " needs --scale-a and --scale-b (float32 block scales)");
    const auto [ra, rb] = parse_gemm_recipes(args.recipe, ElementType::of(fa), ElementType::of(fb));
    const ScaleBlock ba = view_block(ra, m, k), bb = view_block(rb, n, k);
    const auto grid = [](std::int64_t rows, std::int64_t cols) { return dims(rows, cols); };
    const std::string why_a = "float32 scales of recipe " + ra.name() + " over A (M / block rows, K / block cols)";
    const std::string why_b = "float32 scales of recipe " + rb.name() + " over B (K / block, N / block)";
    const io::NpyArray scale_a = load(args.scale_a, "scale A", io::NpyDtype::float32, grid(blocks(ba.mn, m), blocks(ba.k, k)), why_a);
    const io::NpyArray scale_b = load(args.scale_b, "scale B", io::NpyDtype::float32, grid(blocks(bb.k, k), blocks(bb.mn, n)), why_b);
    for (std::size_t i = 0; i < scale_a.element_count(); ++i) sa.push_back(static_cast<float>(scale_a.float_at(i)));
    for (std::size_t i = 0; i < scale_b.element_count(); ++i) sb.push_back(static_cast<float>(scale_b.float_at(i)));
    va.scales = BlockScales::k_contiguous(sa.data(), ba, blocks(ba.k, k));
    vb.scales = BlockScales::mn_contiguous(sb.data(), bb, blocks(bb.mn, n));
    if (args.has("tensor-scale-a")) va.tensor_scale = parse_float(args.tensor_scale_a, "tensor-scale-a");
    if (args.has("tensor-scale-b")) vb.tensor_scale = parse_float(args.tensor_scale_b, "tensor-scale-b");
  } else if (scaled) {
    if (!ins || ins->scale == MmaScaleKind::none)
      throw InputError("kernel " + model.id() + " takes no block scales (sm100-mxf8, sm100-mxf4 and sm100-nvf4 do); "
                       "recipe scales need --recipe R");
    const std::int64_t groups = k / ins->scale_block;
    const Format sf = ins->scale_format();
    const std::string why = std::string(format_spec(sf).name) + " scale codes per " + std::to_string(ins->scale_block) + " k";
    const auto value = [&](std::uint8_t code) {  // a ue4m3 scale's sign bit is ignored
      return static_cast<float>(decode(sf, ins->scale == MmaScaleKind::ue4m3 ? code & 0x7Fu : code));
    };
    for (std::uint8_t c : codes<std::uint8_t>(load(args.scale_a, "scale A", io::NpyDtype::uint8, dims(m, groups), why + " (M, K/block)"), sf, args.scale_a))
      sa.push_back(value(c));
    for (std::uint8_t c : codes<std::uint8_t>(load(args.scale_b, "scale B", io::NpyDtype::uint8, dims(groups, n), why + " (K/block, N)"), sf, args.scale_b))
      sb.push_back(value(c));
    va.scales = BlockScales::k_contiguous(sa.data(), {1, ins->scale_block}, groups);
    vb.scales = BlockScales::mn_contiguous(sb.data(), {1, ins->scale_block}, n);
  }
  const int threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  GemmOutput out;
  gemm_emulated(problem, va, vb, config, model, out, threads);
  io::write_npy(args.out, output_array(out));
  std::printf("emulated %lldx%lldx%lld %s.%s GEMM with %s%s (config %s) -> %s (%s)\n", static_cast<long long>(m),
              static_cast<long long>(n), static_cast<long long>(k), format_spec(fa).name, format_spec(fb).name,
              model.id().c_str(), ins ? (std::string(" (") + ins->name + ")").c_str() : "", config.id().c_str(),
              args.out.c_str(), args.output.c_str());
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
      ("kernel", po::value(&a.kernel), "gemm: kernel model (e.g. sm90-wgmma.p128), or fp32 / exact")
      ("recipe", po::value(&a.recipe), "gemm: the scaling recipe of --scale-a/-b, e.g. vec128.blk128x128, tensor, mxfp8")
      ("tensor-scale-a", po::value(&a.tensor_scale_a), "gemm with --recipe: A's FP32 tensor scale (NVFP4), default 1")
      ("tensor-scale-b", po::value(&a.tensor_scale_b), "gemm with --recipe: B's FP32 tensor scale (NVFP4), default 1")
      ("config", po::value(&a.config), "gemm: GEMM config (tiles, split-K), e.g. bm128.bn128.bk128.s4.sk2")
      ("output", po::value(&a.output), "gemm: fp32 (default), bf16, fp16 or e4m3fn")
      ("threads", po::value(&a.threads), "gemm: threads (default: the number of cores); the bits do not depend on it")
      ("out", po::value(&a.out), "D (.npy), written atomically");
  po::options_description hidden;
  hidden.add_options()("what", po::value(&a.what));
  po::positional_options_description positional;
  positional.add("what", 1);
  if (!parse_options(args, opts, hidden, positional, a.given)) return kExitPass;
  if (a.given.count("threads")) require_range("--threads", a.threads, 1, 4096);
  for (const auto& [input, role] : {std::pair{a.a, "the --a input"}, {a.b, "the --b input"}, {a.c, "the --c input"},
                                    {a.scale_a, "the --scale-a input"}, {a.scale_b, "the --scale-b input"}})
    if (!a.out.empty() && !input.empty()) io::check_not_an_input(a.out, input, role);
  if (a.what == "mma") return run_mma(a);
  if (a.what == "gemm") return run_gemm(a);
  throw InputError(a.what.empty() ? "expected emulate mma or emulate gemm (see fp8check emulate --help)"
                                  : "unknown emulate target '" + a.what + "': expected mma or gemm");
}

}  // namespace fp8check::cli
