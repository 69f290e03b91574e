#include "harness/run/gemm_case.hpp"

#include <charconv>
#include <tuple>

#include "harness/configs/gemm_config.hpp"
#include "harness/core/error.hpp"
#include "harness/run/param_text.hpp"

namespace fp8check {
namespace {

std::pair<ElementType, ElementType> parse_formats(const std::string& v) {
  const auto parts = split_fields(v, '.');
  if (parts.size() != 2) throw InputError("formats '" + v + "': expected A.B, e.g. e4m3fn.e4m3fn or e5m2.e4m3fn");
  return {parse_element_type(parts[0]), parse_element_type(parts[1])};
}

// B is quantized in its stored N x K orientation: per-row and per-column swap.
std::string transposed_recipe_name(const std::string& name) {
  if (name == "row") return "col";
  if (name == "col") return "row";
  return name;
}

std::pair<std::string, std::string> recipe_names(const std::string& v) {
  const auto parts = split_fields(v, '.');
  if (parts.size() == 1) return {parts[0], parts[0]};  // the same recipe for both (e.g. tensor, mxfp8)
  if (parts.size() == 2) return {parts[0], parts[1]};
  throw InputError("recipe '" + v + "': expected one recipe for both operands or A.B, e.g. vec128.blk128x128");
}

ScaleBlock scale_block_of(const Recipe& r) {
  // BlockShape over (MN, K); 0 = the whole extent, which is also how GemmDesc says it.
  return {static_cast<int>(r.block.rows), static_cast<int>(r.block.cols)};
}

struct Shape {
  GemmKind kind = GemmKind::dense;
  std::int64_t m = 0, n = 0, k = 0, groups = 1, valid = -1;
};

Shape parse_shape(const std::string& v) {
  Shape s;
  const std::string what = "shape '" + v + "'";
  std::vector<std::string> seen;
  for (const std::string& part : split_fields(v, '.')) {
    if (part.empty()) throw InputError(what + ": empty field");
    const char c = part[0];
    const std::string rest = part.substr(1);
    require_once(seen, c == 'b' || c == 'g' ? "groups (b or g)" : std::string(1, c), what);
    if (c == 'm') s.m = parse_count(rest, what, 0);
    else if (c == 'n') s.n = parse_count(rest, what, 0);
    else if (c == 'k') s.k = parse_count(rest, what, 0);
    else if (c == 'b') s.kind = GemmKind::batched, s.groups = parse_count(rest, what, 0);
    else if (c == 'v') s.valid = parse_count(rest, what, 0);
    else if (c == 'g' && !rest.empty() && rest.back() == 'm')
      s.kind = GemmKind::grouped_masked, s.groups = parse_count(rest.substr(0, rest.size() - 1), what, 0);
    else if (c == 'g') s.kind = GemmKind::grouped_contiguous, s.groups = parse_count(rest, what, 0);
    else throw InputError(what + ": unknown field '" + part + "' (expected mM.nN.kK[.bB|.gG|.gGm[.vV]])");
  }
  if (s.m < 1 || s.n < 1 || s.k < 1) throw InputError(what + ": m, n and k must all be given and >= 1");
  if (s.groups < 1) throw InputError(what + ": the group/batch count must be >= 1");
  if (s.valid >= 0 && s.kind != GemmKind::grouped_masked) throw InputError(what + ": .v is only for masked groups (.gGm)");
  if (s.valid > s.m) throw InputError(what + ": valid rows " + std::to_string(s.valid) + " > padded m " + std::to_string(s.m));
  if (s.kind == GemmKind::grouped_contiguous && s.m % s.groups != 0)
    throw InputError(what + ": m must split evenly into the " + std::to_string(s.groups) + " contiguous groups");
  return s;
}

std::pair<std::string, int> parse_layout(const std::string& v) {
  const auto plus = v.find('+');
  const std::string base = v.substr(0, plus);
  if (base != "TN" && base != "NN" && base != "NT" && base != "TT")
    throw InputError("layout '" + v + "': expected TN, NN, NT or TT, optionally +padP (e.g. TN+pad16)");
  int pad = 0;
  if (plus != std::string::npos) {
    const std::string extra = v.substr(plus + 1);
    if (!extra.starts_with("pad")) throw InputError("layout '" + v + "': expected +padP after the layout");
    pad = static_cast<int>(parse_count(extra.substr(3), "layout '" + v + "'", 0));
  }
  return {base, pad};
}

void validate_formats(const std::string& v) { parse_formats(v); }
void validate_recipe(const std::string& v) {
  const auto [a, b] = recipe_names(v);
  parse_recipe(a);
  parse_recipe(transposed_recipe_name(b));
}

}  // namespace

std::pair<Recipe, Recipe> parse_gemm_recipes(const std::string& v, std::optional<ElementType> a_type,
                                             std::optional<ElementType> b_type) {
  const auto [a_name, b_name] = recipe_names(v);
  return {parse_recipe(a_name, a_type), parse_recipe(transposed_recipe_name(b_name), b_type)};
}

namespace {
void validate_shape(const std::string& v) { parse_shape(v); }
void validate_layout(const std::string& v) { parse_layout(v); }
void validate_epilogue(const std::string& v) {
  if (v != "plain" && v != "bias" && v != "beta" && v != "alpha2")
    throw InputError("epilogue '" + v + "': expected plain, bias, beta (beta = 0.5 with a C input) or alpha2");
}
void validate_config(const std::string& v) {
  if (v != "auto" && v != "orders") parse_gemm_config(v);
}
void validate_family(const std::string& v) {
  if (v != "auto") parse_kernel_family(v);
}
bool parse_fast_accum(const std::string& v) {
  if (v == "off") return false;
  if (v == "on") return true;
  throw InputError("fast_accum '" + v + "': expected off or on");
}
int parse_algorithm(const std::string& v) {
  const std::int64_t i = parse_count(v, "algorithm (an index into the heuristic's results, 0 = its first)", 0);
  if (i > 255) throw InputError("algorithm " + v + ": a heuristic returns far fewer algorithms; expected 0 .. 255");
  return static_cast<int>(i);
}

const CaseAxis kGemmAxes[] = {
    {"formats", "e4m3fn.e4m3fn", validate_formats, "element types of A and B: e4m3fn.e4m3fn, e5m2.e4m3fn, int8.int8 ..."},
    {"recipe", "vec128.blk128x128", validate_recipe,
     "A's and B's scaling recipes, or one for both (tensor, mxfp8); B's is named as a K x N weight (col = per output channel)"},
    {"shape", nullptr, validate_shape,
     "m128.n7168.k128; + .b4 batched, .g4 grouped contiguous (equal rows), .g128m grouped masked, .v100 valid rows per masked group"},
    {"layout", "TN", validate_layout, "BLAS layout TN, NN, NT or TT; +pad16 adds 16 to every leading dimension"},
    {"output", "bf16", [](const std::string& v) { parse_output_type(v); }, "fp32, bf16, fp16 or e4m3fn"},
    {"distribution", "normal", [](const std::string& v) { parse_distribution(v); },
     "inputs of A (and of B, except llm_activation: B is normal); docs/inputs.md"},
    {"accumulation", "fp32", [](const std::string& v) { if (v != "device") parse_accumulation_model(v); },
     "the kernel's accumulation model (docs/accumulation.md): fp32, exact, a kernel model (sm90-wgmma.p128, "
     "sm89-mma, sm100-tcgen05 ...) or device (the device profile's default)"},
    {"epilogue", "plain", validate_epilogue, "plain, bias, beta (0.5 with a C input) or alpha2"},
    {"fault", "none", [](const std::string& v) { parse_gemm_fault(v); },
     "an injected kernel bug of the emulated backend (kernels/emulated/gemm_fault.hpp)"},
    {"config", "auto", validate_config,
     "auto (the selector's first choice), orders (one config per accumulation order) or a config id (bm128.bn128.bk128.s4)",
     "cfg:"},
    {"device", "suite", validate_device_name, "the device profile configs are chosen for: suite (the run's) or a name (sm_86)",
     "dev:"},
    {"backend", "emulated", validate_backend_name, "the backend that runs the kernel (emulated, cuda, cublaslt, a plug-in)"},
    // Added after goldens existed: left out of case ids at their defaults.
    {"family", "auto", validate_family,
     "the kernel family whose capability table gates operand types on the device (docs/configs.md): auto (the "
     "backend's: emulated -> tensor-core, cublaslt -> cublaslt, cuda -> fp8check-software), tensor-core, triton, "
     "cublaslt, fp8check-software",
     "family:", true},
    {"fast_accum", "off", [](const std::string& v) { parse_fast_accum(v); },
     "on: FP8 fast accumulation, no promotion along K (cuBLASLt FAST_ACCUM; docs/gpu-validation.md); off: the "
     "library's promoted path",
     "fast_accum:", true},
    {"algorithm", "0", [](const std::string& v) { parse_algorithm(v); },
     "which of the library's heuristic results runs (cuBLASLt: an index into cublasLtMatmulAlgoGetHeuristic's "
     "answer); 0 = its first choice, the only one other backends have",
     "algo:", true},
};

}  // namespace

std::span<const CaseAxis> gemm_axes() { return kGemmAxes; }

AccumulationModel case_accumulation(const GemmCase& c, const DeviceProfile& run_device) {
  if (!c.accumulation_from_device) return c.model;
  const DeviceProfile& device = c.device == "suite" ? run_device : find_device_profile(c.device);
  const auto fp8 = [](const ElementType& t) {
    return t.kind == ElementType::Kind::floating && (t.format == Format::e4m3fn || t.format == Format::e5m2);
  };
  if (device.block_scaled_kernel_models && c.a_recipe.scheme == c.b_recipe.scheme) {
    const bool fp4 = c.desc.a_type.format == Format::e2m1fn && c.desc.b_type.format == Format::e2m1fn;
    if (c.a_recipe.scheme == ScalingScheme::nvfp4 && fp4) return parse_accumulation_model("sm100-nvf4");
    if (c.a_recipe.scheme == ScalingScheme::mx && fp4) return parse_accumulation_model("sm100-mxf4");
    if (c.a_recipe.scheme == ScalingScheme::mx && fp8(c.desc.a_type) && c.desc.a_type == c.desc.b_type)
      return parse_accumulation_model("sm100-mxf8");
  }
  if (fp8(c.desc.a_type) && fp8(c.desc.b_type)) return parse_accumulation_model(device.kernel_model);
  return {};
}

GemmCase GemmCase::from_params(const CaseParams& params) {
  GemmCase c;
  const AxisValues v(kGemmAxes, params, "gemm");
  const std::string &formats = v["formats"], &recipe = v["recipe"], &shape = v["shape"], &layout = v["layout"];
  c.config = v["config"];
  c.device = v["device"];
  c.backend = v["backend"];
  c.epilogue = v["epilogue"];
  const auto [a_type, b_type] = parse_formats(formats);
  std::tie(c.a_recipe, c.b_recipe) = parse_gemm_recipes(recipe, a_type, b_type);
  const Shape s = parse_shape(shape);
  const auto [blas, pad] = parse_layout(layout);

  GemmDesc& d = c.desc;
  d.kind = s.kind;
  d.m = s.m;
  d.n = s.n;
  d.k = s.k;
  d.groups = s.groups;
  if (s.kind == GemmKind::grouped_contiguous) d.group_rows.assign(static_cast<std::size_t>(s.groups), s.m / s.groups);
  if (s.kind == GemmKind::grouped_masked) d.group_rows.assign(static_cast<std::size_t>(s.groups), s.valid >= 0 ? s.valid : s.m);
  c.masked_valid_rows = s.valid;
  d.a_type = c.a_recipe.element;
  d.b_type = c.b_recipe.element;
  d.d_type = parse_output_type(v["output"]);
  d.a_k_major = blas[0] == 'T';
  d.b_k_major = blas[1] == 'N';
  d.a_scale = scale_block_of(c.a_recipe);
  d.b_scale = scale_block_of(c.b_recipe);
  c.ld_pad = pad;
  if (pad) {
    d.lda = (d.a_k_major ? d.k : (d.kind == GemmKind::batched ? d.m : d.stored_rows())) + pad;
    d.ldb = (d.b_k_major ? d.k : d.n) + pad;
    d.ldd = d.n + pad;
  }
  if (c.epilogue == "alpha2") d.alpha = 2.0;
  if (c.epilogue == "beta") d.beta = 0.5;
  d.with_bias = c.epilogue == "bias";
  d.validate();

  c.a_distribution = parse_distribution(v["distribution"]);
  c.b_distribution = c.a_distribution.kind == DistributionKind::llm_activation ? Distribution::normal() : c.a_distribution;
  if (c.a_distribution.kind == DistributionKind::llm_activation) c.a_distribution.columns = static_cast<std::uint64_t>(d.k);
  c.accumulation_from_device = v["accumulation"] == "device";
  if (!c.accumulation_from_device) c.model = parse_accumulation_model(v["accumulation"]);
  c.fault = parse_gemm_fault(v["fault"]);
  c.family = v["family"];
  validate_family(c.family);
  c.fast_accum = parse_fast_accum(v["fast_accum"]);
  c.algorithm = parse_algorithm(v["algorithm"]);
  return c;
}

KernelFamily GemmCase::kernel_family() const {
  return family == "auto" ? kernel_family_of_backend(backend) : parse_kernel_family(family);
}

}  // namespace fp8check
