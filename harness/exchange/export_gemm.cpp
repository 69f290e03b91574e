// A GEMM case in cases.h5: A (M x K) and B (N x K, the TN layout cuBLASLt and DeepGEMM
// take) as codes with their scale grids, the FP64 originals, C and bias when the epilogue
// has them, the group layout, and the output type and scale (docs/exchange-format.md).
#include <string>

#include "harness/core/error.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/exchange/export_ops.hpp"
#include "harness/run/gemm_prepare.hpp"

namespace fp8check::exchange {
namespace {


std::uint64_t u(std::int64_t v) { return static_cast<std::uint64_t>(v); }

}  // namespace

std::string export_gemm(H5Node& group, const CaseInput& input, const ExportContext& ctx) {
  const GemmCase c = GemmCase::from_params(input.params);
  if (c.fault != GemmFault::none) throw InputError(injected_fault_reason(gemm_fault_name(c.fault)));
  const ConfigChoice<GemmConfig> choice = choose_gemm_config(c, *ctx.device);
  if (!choice.skip.empty()) return choice.skip;
  if (!choice.error.empty()) throw InputError(choice.error);
  const PreparedGemm p = prepare_gemm_case(c, choice.config, input.id, ctx.seed);
  const GemmInputs& in = p.in;
  const GemmDesc& d = c.desc;
  const GemmProblem& problem = in.args.problem;

  group.set("kind", std::string(gemm_kind_name(d.kind)));
  group.set("m", d.kind == GemmKind::grouped_contiguous ? d.stored_rows() : d.m);
  group.set("n", d.n);
  group.set("k", d.k);
  group.set("groups", d.groups);
  group.set("a_format", d.a_type.name());
  group.set("b_format", d.b_type.name());
  group.set("a_recipe", c.a_recipe.name());
  group.set("b_recipe", c.b_recipe.name());
  group.set("output_type", std::string(output_type_name(d.d_type)));
  group.set("output_scale", static_cast<double>(problem.d_scale));
  group.set("alpha", static_cast<double>(problem.alpha));
  group.set("beta", static_cast<double>(problem.beta));
  group.set("layout", d.layout());  // declared, for information: the exchange stores A M x K and B N x K
  group.set("config", choice.config.id());
  group.set("accumulation", c.model.id());

  // A: stored rows x K ((groups, m, K) for batched and masked); B: one N x K per group.
  const Shape a_shape = gemm_a_shape(d);
  const bool stacked_b = d.kind != GemmKind::dense;
  const Shape b_shape = stacked_b ? Shape{u(d.groups), u(d.n), u(d.k)} : Shape{u(d.n), u(d.k)};
  const CodeMatrix* a_codes[] = {&in.qa.codes};
  std::vector<const CodeMatrix*> b_codes;
  std::vector<const QuantizedMatrix*> b_quantized;
  std::vector<const MatrixD*> b_values;
  for (std::size_t g = 0; g < in.qb.size(); ++g) {
    b_codes.push_back(&in.qb[g].codes);
    b_quantized.push_back(&in.qb[g]);
    b_values.push_back(&in.b[g]);
  }
  write_codes(group, "a", flat_codes(a_codes), d.a_type, a_shape, ctx);
  write_codes(group, "b", flat_codes(b_codes), d.b_type, b_shape, ctx);
  const QuantizedMatrix* a_quantized[] = {&in.qa};
  write_scales(group, "a_scale", a_quantized, {}, ctx);
  write_scales(group, "b_scale", b_quantized, stacked_b ? Shape{u(d.groups)} : Shape{}, ctx);
  // NVFP4's second level: one fp32 tensor scale per quantized matrix.
  if (in.qa.tensor_scale) {
    const float a_tensor[] = {*in.qa.tensor_scale};
    group.write<float>("a_tensor_scale", a_tensor, {1});
  }
  if (in.qb.front().tensor_scale) {
    std::vector<float> b_tensor;
    for (const QuantizedMatrix& q : in.qb) b_tensor.push_back(*q.tensor_scale);
    group.write<float>("b_tensor_scale", b_tensor, {b_tensor.size()});
  }
  const MatrixD* a_values[] = {&in.a};
  group.write<double>("a_fp64", flat_values(a_values), a_shape);
  group.write<double>("b_fp64", flat_values(b_values), b_shape);
  if (problem.beta != 0) group.write<float>("c", in.c_values, gemm_output_shape(d));
  if (problem.bias != nullptr) group.write<float>("bias", in.bias_values, {u(d.n)});
  if (d.kind == GemmKind::grouped_contiguous)
    group.write<std::int64_t>("group_offsets", problem.group_row_offsets, {problem.group_row_offsets.size()});
  if (d.kind == GemmKind::grouped_masked) group.write<std::int64_t>("masked_m", problem.masked_m, {u(d.groups)});
  return "";
}

}  // namespace fp8check::exchange
