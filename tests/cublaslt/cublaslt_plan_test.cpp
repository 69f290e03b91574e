// The cuBLASLt plan against the real library, without a GPU: for every GEMM case of every
// suite that cuBLASLt can run on its case's device, and for a grid of recipes, formats,
// outputs, epilogues, batches and fast-accumulation settings, the plan is built into real
// cuBLASLt descriptors (cublasLtMatmulDescCreate, cublasLtMatrixLayoutCreate and the
// preference calls work without a device) and every attribute is read back from cuBLASLt
// and compared with what the case's recipe names mean, written out in this test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "harness/configs/device_profile.hpp"
#include "harness/configs/kernel_family.hpp"
#include "harness/core/convert.hpp"
#include "harness/run/ops.hpp"
#include "harness/suite/case_filter.hpp"
#include "harness/suite/suite_loader.hpp"
#include "kernels/cuda/cublaslt/cublaslt_descriptors.hpp"
#include "kernels/cuda/cublaslt/cublaslt_operands.hpp"
#include "kernels/cuda/cublaslt/cublaslt_plan.hpp"
#include "tests/cublaslt/cublaslt_test_support.hpp"

namespace fp8check::cublaslt {
namespace {

using test::expected_mode;
using test::expected_scale_bytes;
using test::prepare;
using test::PreparedCase;

template <class T>
T get(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t attr, const char* name) {
  T v{};
  std::size_t written = 0;
  EXPECT_EQ(cublasLtMatmulDescGetAttribute(d, attr, &v, sizeof v, &written), CUBLAS_STATUS_SUCCESS) << name;
  EXPECT_EQ(written, sizeof v) << name;
  return v;
}

template <class T>
T get(cublasLtMatrixLayout_t l, cublasLtMatrixLayoutAttribute_t attr, const char* name) {
  T v{};
  std::size_t written = 0;
  EXPECT_EQ(cublasLtMatrixLayoutGetAttribute(l, attr, &v, sizeof v, &written), CUBLAS_STATUS_SUCCESS) << name;
  EXPECT_EQ(written, sizeof v) << name;
  return v;
}

cudaDataType type_named(const std::string& name) {
  static const std::map<std::string, cudaDataType> types{
      {"e4m3fn", CUDA_R_8F_E4M3}, {"e5m2", CUDA_R_8F_E5M2}, {"e2m1fn", CUDA_R_4F_E2M1},
      {"fp32", CUDA_R_32F},       {"bf16", CUDA_R_16BF},    {"fp16", CUDA_R_16F}};
  return types.at(name);
}

struct Expected {
  cudaDataType type;
  std::uint64_t rows, cols;
  std::int64_t ld;
  std::int32_t batches;
  std::int64_t stride;
};

void expect_layout(cublasLtMatrixLayout_t l, const Expected& e, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(get<std::uint32_t>(l, CUBLASLT_MATRIX_LAYOUT_TYPE, "TYPE"), static_cast<std::uint32_t>(e.type));
  EXPECT_EQ(get<std::int32_t>(l, CUBLASLT_MATRIX_LAYOUT_ORDER, "ORDER"), CUBLASLT_ORDER_COL);
  EXPECT_EQ(get<std::uint64_t>(l, CUBLASLT_MATRIX_LAYOUT_ROWS, "ROWS"), e.rows);
  EXPECT_EQ(get<std::uint64_t>(l, CUBLASLT_MATRIX_LAYOUT_COLS, "COLS"), e.cols);
  EXPECT_EQ(get<std::int64_t>(l, CUBLASLT_MATRIX_LAYOUT_LD, "LD"), e.ld);
  EXPECT_EQ(get<std::int32_t>(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, "BATCH_COUNT"), e.batches);
  EXPECT_EQ(get<std::int64_t>(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, "STRIDED_BATCH_OFFSET"), e.stride);
}

// The scale of element (i, kk) as cuBLASLt reads it from a tensor in `mode`, by the documented
// layouts written out here: SCALAR one float; OUTER_VEC float i; VEC128 float
// (kk / 128) * pad4(rows) + i; BLK128x128 float (i / 128) * pad4(ceil(K / 128)) + kk / 128;
// VEC32/VEC16 one code per block in 128x4 tiles of 512 bytes, K tiles first, (r, c) of a tile
// at (r % 32) * 16 + (r % 128 / 32) * 4 + c % 4.
double scale_in_tensor(cublasLtMatmulMatrixScale_t mode, const std::vector<std::uint8_t>& t, std::int64_t rows,
                       std::int64_t k, std::int64_t i, std::int64_t kk) {
  auto f = [&](std::int64_t index) {
    float v;
    std::memcpy(&v, t.data() + index * 4, 4);
    return static_cast<double>(v);
  };
  auto pad4 = [](std::int64_t v) { return (v + 3) / 4 * 4; };
  auto tiled = [&](std::int64_t block) {
    const std::int64_t c = kk / block, k_tiles = pad4((k + block - 1) / block) / 4;
    return (i / 128 * k_tiles + c / 4) * 512 + (i % 32) * 16 + (i % 128 / 32) * 4 + c % 4;
  };
  switch (mode) {
    case CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F: return f(0);
    case CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F: return f(i);
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F: return f(kk / 128 * pad4(rows) + i);
    case CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F: return f(i / 128 * pad4((k + 127) / 128) + kk / 128);
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0: return decode(Format::e8m0fnu, t[static_cast<std::size_t>(tiled(32))]);
    case CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3: return decode(Format::e4m3fn, t[static_cast<std::size_t>(tiled(16))]);
    default: return std::nan("");
  }
}

void expect_scales_read_back(cublasLtMatmulMatrixScale_t mode, const std::vector<std::uint8_t>& tensor,
                             const GemmOperand& op, std::int64_t rows, std::int64_t k, const char* what) {
  if (op.scales.data == nullptr) return;
  for (std::int64_t i : {std::int64_t{0}, rows / 3, rows / 2, rows - 1})
    for (std::int64_t kk : {std::int64_t{0}, k / 3, k / 2 + 1, k - 1})
      EXPECT_EQ(scale_in_tensor(mode, tensor, rows, k, i, kk), op.scale(0, i, kk))
          << what << " " << scale_mode_name(mode) << " at row " << i << ", k " << kk;
}

struct Coverage {
  int plans = 0;
  std::set<int> modes, outputs;
  bool bias = false, batched = false, fast_accum = false, beta = false;
};

// Fake device addresses: cuBLASLt stores pointers without dereferencing them.
const void* const kAScale = reinterpret_cast<const void*>(0x10000);
const void* const kBScale = reinterpret_cast<const void*>(0x20000);
const void* const kDScale = reinterpret_cast<const void*>(0x30000);
void* const kAmax = reinterpret_cast<void*>(0x40000);
const void* const kBias = reinterpret_cast<const void*>(0x50000);

void check_plan(const PreparedCase& p, const PlanOptions& options, Coverage& seen) {
  const GemmArguments& args = p.in.args;
  const GemmDesc& d = args.desc;
  const Plan plan = make_plan(args, options);
  Descriptors desc(plan);
  desc.bind({kAScale, kBScale, kDScale, kAmax, kBias});
  const cublasLtMatmulDesc_t m = desc.matmul();

  // The recipe's mode by name, where its blocks are blocks: with K <= 128 a 1x128 or
  // 128x128 grid is one scale per row or per tensor, which other modes express exactly;
  // every plan's scales are also checked value by value below.
  const std::string a_recipe = p.c.a_recipe.name(), b_recipe = p.c.b_recipe.name();
  const cublasLtMatmulMatrixScale_t lt_a_mode = plan.a_scale.mode, lt_b_mode = plan.b_scale.mode;
  if (d.k > 128) {
    EXPECT_EQ(lt_a_mode, expected_mode(b_recipe, a_recipe)) << b_recipe;  // cuBLASLt's A = fp8check's B
    EXPECT_EQ(lt_b_mode, expected_mode(a_recipe, b_recipe)) << a_recipe;
  }
  const bool e4m3_out = d.d_type == OutputType::e4m3fn;
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_COMPUTE_TYPE, "COMPUTE_TYPE"), CUBLAS_COMPUTE_32F);
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_SCALE_TYPE, "SCALE_TYPE"), CUDA_R_32F);
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_POINTER_MODE, "POINTER_MODE"), CUBLASLT_POINTER_MODE_HOST);
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_TRANSA, "TRANSA"), CUBLAS_OP_T);
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_TRANSB, "TRANSB"), CUBLAS_OP_N);
  EXPECT_EQ(get<std::int8_t>(m, CUBLASLT_MATMUL_DESC_FAST_ACCUM, "FAST_ACCUM"), options.fast_accum ? 1 : 0);
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, "A_SCALE_MODE"), lt_a_mode);
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, "B_SCALE_MODE"), lt_b_mode);
  EXPECT_EQ(get<const void*>(m, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, "A_SCALE_POINTER"), kAScale);
  EXPECT_EQ(get<const void*>(m, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, "B_SCALE_POINTER"), kBScale);
  EXPECT_EQ(get<const void*>(m, CUBLASLT_MATMUL_DESC_C_SCALE_POINTER, "C_SCALE_POINTER"), nullptr);
  EXPECT_EQ(get<const void*>(m, CUBLASLT_MATMUL_DESC_D_SCALE_POINTER, "D_SCALE_POINTER"), e4m3_out ? kDScale : nullptr);
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_D_SCALE_MODE, "D_SCALE_MODE"), CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F);
  EXPECT_EQ(get<void*>(m, CUBLASLT_MATMUL_DESC_AMAX_D_POINTER, "AMAX_D_POINTER"), e4m3_out ? kAmax : nullptr);
  EXPECT_EQ(get<std::uint32_t>(m, CUBLASLT_MATMUL_DESC_EPILOGUE, "EPILOGUE"),
            d.with_bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT);
  EXPECT_EQ(get<std::int32_t>(m, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, "BIAS_DATA_TYPE"),
            d.with_bias ? (d.d_type == OutputType::fp16 ? CUDA_R_16F : CUDA_R_16BF) : -1);
  EXPECT_EQ(get<const void*>(m, CUBLASLT_MATMUL_DESC_BIAS_POINTER, "BIAS_POINTER"), d.with_bias ? kBias : nullptr);

  const bool batched = d.kind == GemmKind::batched;
  const std::int32_t batches = batched ? static_cast<std::int32_t>(d.groups) : 1;
  const std::int64_t lda = d.lda ? d.lda : d.k, ldb = d.ldb ? d.ldb : d.k, ldd = d.ldd ? d.ldd : d.n;
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  expect_layout(desc.a(), {type_named(d.b_type.name()), u(d.k), u(d.n), ldb, batches, batched ? ldb * d.n : 0}, "A (fp8check's B)");
  expect_layout(desc.b(), {type_named(d.a_type.name()), u(d.k), u(d.m), lda, batches, batched ? lda * d.m : 0}, "B (fp8check's A)");
  const cudaDataType d_type = type_named(std::string(output_type_name(d.d_type)));
  expect_layout(desc.d(), {d_type, u(d.n), u(d.m), ldd, batches, batched ? d.m * ldd : 0}, "D");
  const std::int64_t ldc = d.beta != 0 ? d.n : ldd;
  expect_layout(desc.c(), {e4m3_out ? CUDA_R_16BF : d_type, u(d.n), u(d.m), ldc, batches, batched ? d.m * ldc : 0}, "C");
  std::uint64_t workspace = 0;
  std::size_t written = 0;
  EXPECT_EQ(cublasLtMatmulPreferenceGetAttribute(desc.preference(), CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                                                 sizeof workspace, &written),
            CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(workspace, std::uint64_t{32} << 20);

  // Scale tensors: the sizes the documented layouts give, and what the packer fills.
  EXPECT_EQ(plan.a_scale.bytes(), expected_scale_bytes(lt_a_mode, d.n, d.k));
  EXPECT_EQ(plan.b_scale.bytes(), expected_scale_bytes(lt_b_mode, d.m, d.k));
  const HostBuffers host = pack_operands(plan, args);
  EXPECT_EQ(static_cast<std::int64_t>(host.a_scale.size()), plan.a_scale.bytes());
  EXPECT_EQ(static_cast<std::int64_t>(host.b_scale.size()), plan.b_scale.bytes());
  expect_scales_read_back(lt_a_mode, host.a_scale, args.b, d.n, d.k, "A (fp8check's B)");
  expect_scales_read_back(lt_b_mode, host.b_scale, args.a, d.m, d.k, "B (fp8check's A)");
  EXPECT_EQ(host.a.size(), plan.a.bytes());
  EXPECT_EQ(host.b.size(), plan.b.bytes());
  EXPECT_EQ(host.c.size(), plan.c.bytes());
  EXPECT_EQ(plan.alpha, static_cast<float>(d.alpha) * (args.a.tensor_scale * args.b.tensor_scale));

  ++seen.plans;
  seen.modes.insert(lt_a_mode);
  seen.modes.insert(lt_b_mode);
  seen.outputs.insert(static_cast<int>(d.d_type));
  seen.bias |= d.with_bias;
  seen.beta |= d.beta != 0;
  seen.batched |= batched;
  seen.fast_accum |= options.fast_accum;
}

// The FP8 cases an sm_90 GPU must run (ci/gpu runs them with --fail-on-skip): dense, TN,
// e4m3/e5m2 operands (not both e5m2), per-tensor, per-row/column or 1x128/128x128 scales.
bool must_run_on_sm90(const GemmCase& c) {
  auto fp8 = [](ElementType t) { return t == ElementType::of(Format::e4m3fn) || t == ElementType::of(Format::e5m2); };
  const std::set<std::string> recipes{"tensor", "row", "col", "vec128", "blk128x128"};
  const GemmDesc& d = c.desc;
  return d.kind == GemmKind::dense && d.a_k_major && d.b_k_major && c.ld_pad == 0 && fp8(d.a_type) && fp8(d.b_type) &&
         !(d.a_type.format == Format::e5m2 && d.b_type.format == Format::e5m2) &&
         recipes.contains(c.a_recipe.name()) && recipes.contains(c.b_recipe.name()) &&
         (c.epilogue == "plain" || c.epilogue == "alpha2") && d.n % 16 == 0 && d.k % 16 == 0;
}

// ci/gpu's filter of the gpu suite's cases an sm_90 GPU must run (--fail-on-skip).
CaseFilter must_run_filter() {
  std::ifstream in(std::filesystem::path(FP8CHECK_SOURCE_DIR) / "ci" / "gpu-must-run.filter");
  std::string text;
  std::getline(in, text);
  EXPECT_FALSE(text.empty()) << "ci/gpu-must-run.filter";
  return CaseFilter::parse(text);
}

TEST(CublasLtPlan, EveryRunnableCaseOfEverySuiteReadsBackFromCublasLt) {
  const DeviceProfile& sm90 = find_device_profile("sm_90");
  const CaseFilter must_run = must_run_filter();
  int must_run_cases = 0;
  std::map<std::string, int> runnable;
  for (const char* name : {"smoke", "seeds", "nightly", "accuracy", "selftest", "gpu"}) {
    const SuiteSpec spec = load_suite(std::filesystem::path(FP8CHECK_SOURCE_DIR) / "suites" / (std::string(name) + ".toml"),
                                      builtin_op_schemas(sm90));
    for (const CaseSpec& cs : spec.cases) {
      if (cs.op != "gemm") continue;
      CaseParams params = cs.params;
      for (auto& [axis, value] : params)
        if (axis == "backend") value = "cublaslt";
      const GemmCase c = GemmCase::from_params(params);
      const DeviceProfile& device = find_device_profile(c.device == "suite" ? spec.device : c.device);
      if (device.unconstrained) continue;  // the emulation's own profile: no GPU to plan for
      // Refused before any input exists (operand types, grouped kinds, layouts): no inputs needed.
      const GemmDesc& d = c.desc;
      if (!why_family_unsupported(KernelFamily::cublaslt, device, d.a_type).empty() ||
          !why_family_unsupported(KernelFamily::cublaslt, device, d.b_type).empty() || d.a_type.is_integer() ||
          d.kind == GemmKind::grouped_contiguous || d.kind == GemmKind::grouped_masked || !d.a_k_major || !d.b_k_major) {
        EXPECT_FALSE(must_run_on_sm90(c) && device.name == "sm_90") << cs.id;
        EXPECT_FALSE(std::string(name) == "gpu" && must_run.matches(cs.id)) << cs.id << " is in ci/gpu-must-run.filter";
        continue;
      }
      const PreparedCase p = prepare(params, cs.id, spec.seed);
      const PlanOptions options{c.fast_accum, c.algorithm};
      const std::string why = why_cublaslt_cannot(p.in.args, device.capability, options);
      EXPECT_EQ(why.find('\n'), std::string::npos) << cs.id;
      if (device.name == "sm_90" && must_run_on_sm90(c)) EXPECT_EQ(why, "") << cs.id;
      if (std::string(name) == "gpu" && must_run.matches(cs.id)) {
        EXPECT_EQ(why, "") << cs.id << " is in ci/gpu-must-run.filter";
        ++must_run_cases;
      }
      if (!why.empty()) continue;
      SCOPED_TRACE(cs.id);
      Coverage seen;
      check_plan(p, options, seen);
      ++runnable[name];
    }
  }
  for (const char* name : {"smoke", "nightly", "accuracy", "seeds", "gpu"}) EXPECT_GT(runnable[name], 0) << name;
  EXPECT_EQ(must_run_cases, 57);  // the filter still selects the gpu suite's FP8 dense cases
  std::printf("cuBLASLt-runnable GEMM cases: smoke %d, seeds %d, nightly %d, accuracy %d, selftest %d, gpu %d\n",
              runnable["smoke"], runnable["seeds"], runnable["nightly"], runnable["accuracy"], runnable["selftest"],
              runnable["gpu"]);
}

// A grid of its own: every scale mode, output type, bias and C, batches, fast accumulation.
TEST(CublasLtPlan, GridOfModesOutputsAndEpiloguesReadsBackFromCublasLt) {
  Coverage seen;
  int refused = 0;
  for (const char* formats : {"e4m3fn.e4m3fn", "e5m2.e4m3fn", "e4m3fn.e5m2", "e2m1fn.e2m1fn"})
    for (const char* recipe : {"tensor", "row.col", "tensor.col", "vec128.blk128x128", "blk128x128.vec128", "vec128",
                               "mxfp8", "mxfp4", "nvfp4"})
      for (const char* output : {"bf16", "fp16", "fp32", "e4m3fn"})
        for (const char* epilogue : {"plain", "bias", "beta", "alpha2"})
          for (const char* shape : {"m128.n256.k512", "m64.n128.k256.b3"}) {
            const CaseParams params{{"formats", formats}, {"recipe", recipe}, {"output", output},
                                    {"epilogue", epilogue}, {"shape", shape}, {"backend", "cublaslt"}};
            std::optional<PreparedCase> p;
            try {
              p.emplace(prepare(params, "grid", 7));
            } catch (const InputError&) {
              continue;  // a recipe that does not take these formats (mxfp8 with e2m1 ...)
            }
            // C and bias exact in the types cuBLASLt reads them in (else can_implement refuses).
            const Format c_format = std::string(output) == "fp16" ? Format::fp16 : Format::bf16;
            if (std::string(shape).find(".b") != std::string::npos)  // batches: one B scale (SCALAR_32F)
              for (float& s : p->in.b_scales) s = p->in.b_scales.front();
            if (std::string(output) != "fp32")
              for (float& v : p->in.c_values) v = static_cast<float>(decode(c_format, encode(c_format, v)));
            for (float& v : p->in.bias_values) v = static_cast<float>(decode(c_format, encode(c_format, v)));
            for (ComputeCapability cc : {ComputeCapability{8, 9}, ComputeCapability{9, 0}, ComputeCapability{10, 0}})
              for (bool fast : {false, true}) {
                const PlanOptions options{fast, 0};
                const std::string why = why_cublaslt_cannot(p->in.args, cc, options);
                if (!why.empty()) {
                  ++refused;
                  continue;
                }
                SCOPED_TRACE(std::string(formats) + " " + recipe + " " + output + " " + epilogue + " " + shape + " " +
                             capability_name(cc));
                check_plan(*p, options, seen);
              }
          }
  for (cublasLtMatmulMatrixScale_t mode :
       {CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F, CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F,
        CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F, CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F,
        CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0, CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3})
    EXPECT_TRUE(seen.modes.contains(mode)) << scale_mode_name(mode) << " was never planned";
  EXPECT_EQ(seen.outputs.size(), 4u);
  EXPECT_TRUE(seen.bias);
  EXPECT_TRUE(seen.beta);
  EXPECT_TRUE(seen.batched);
  EXPECT_TRUE(seen.fast_accum);
  EXPECT_GT(refused, 0);
  std::printf("grid: %d plans read back, %d refused by the rules\n", seen.plans, refused);
}

// What this machine can and cannot do without a GPU (the brief of issue 12, checked).
TEST(CublasLtPlan, WithoutAGpuDescriptorsWorkAndTheHandleDoesNot) {
  cublasLtHandle_t handle = nullptr;
  const cublasStatus_t status = cublasLtCreate(&handle);
  if (status == CUBLAS_STATUS_SUCCESS) {
    cublasLtDestroy(handle);
    GTEST_SKIP() << "this machine has a GPU: cublasLtCreate succeeded";
  }
  EXPECT_EQ(status, CUBLAS_STATUS_NOT_INITIALIZED) << status_text(status);
  cublasLtMatmulDesc_t desc = nullptr;
  EXPECT_EQ(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), CUBLAS_STATUS_SUCCESS);
  // The library checks an attribute's size, not its value: FAST_ACCUM is an int8_t.
  const std::int32_t wide = 1;
  EXPECT_EQ(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &wide, sizeof wide),
            CUBLAS_STATUS_INVALID_VALUE);
  cublasLtMatmulDescDestroy(desc);
}

}  // namespace
}  // namespace fp8check::cublaslt
