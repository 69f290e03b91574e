// harness/exchange: the exchange files' HDF5 layer; the operand values docs/exchange-format.md
// defines (decode(code) * scale[row / block_rows, k / block_cols] * tensor scale) equal the
// pipeline's dequantized operands on every GEMM of the smoke suite; and the whole export ->
// external kernel -> verify path carries bits unchanged: outputs.h5 written from the
// emulated backend's outputs on the exported cases, judged through run_suite with the
// backend `external`, give the digests and statistics `run` gives the emulated backend on
// the same inputs (keyed by the same ids), and pass every check.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "harness/exchange/cases_file.hpp"
#include "harness/exchange/exchange_format.hpp"
#include "harness/exchange/export_cases.hpp"
#include "harness/exchange/external_backend.hpp"
#include "harness/record/results_file.hpp"
#include "harness/run/attention_inputs.hpp"
#include "harness/run/backend_registry.hpp"
#include "harness/run/gemm_prepare.hpp"
#include "harness/run/ops.hpp"
#include "harness/run/quantize_case.hpp"
#include "harness/run/suite_run.hpp"
#include "harness/suite/case_id.hpp"
#include "harness/suite/suite_loader.hpp"

namespace fp8check::exchange {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = FP8CHECK_SOURCE_DIR;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("fp8check_exchange_test." + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

TEST(H5Tree, ReadersCheckTypeAndShapeBeforeReading) {
  TempDir dir;
  const fs::path file = dir.path / "t.h5";
  {
    H5File f = H5File::create(file);
    const std::vector<float> values{1, 2, 3, 4, 5, 6};
    H5Node d = f.root().create_group("g").write<float>("d", values, {1, 2, 3});
    d.set("block", std::vector<std::int64_t>{1, 128});
    d.set("kind", "fp32");
    d.set("scale", 0.5);
    f.commit();
  }
  const H5File f = H5File::open(file);
  const H5Node g = f.root().open("g", "a group");
  const H5Node d = g.open("d", "a dataset");
  EXPECT_EQ(d.shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(d.read<float>({1, 2, 3})[5], 6.0f);
  EXPECT_EQ(d.integers("block"), (std::vector<std::int64_t>{1, 128}));
  EXPECT_EQ(d.text("kind"), "fp32");
  EXPECT_EQ(d.number("scale"), 0.5);
  EXPECT_EQ(g.members(), std::vector<std::string>{"d"});
  try {
    d.read<float>({2, 3});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("/g/d has shape (1, 2, 3): expected (2, 3)"), std::string::npos) << e.what();
  }
  try {
    d.read<double>({1, 2, 3});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("holds 32-bit float values: expected float64"), std::string::npos) << e.what();
  }
  EXPECT_THROW(d.integer("kind"), InputError);
  EXPECT_THROW(d.text("missing"), InputError);
  EXPECT_THROW(g.open("nothing", "x"), InputError);
  EXPECT_FALSE(fs::exists(dir.path / "never.h5"));
  { H5File uncommitted = H5File::create(dir.path / "never.h5"); }
  EXPECT_FALSE(fs::exists(dir.path / "never.h5"));  // atomic: nothing without commit
}

TEST(ExchangeFormat, EntryNamesAndShapes) {
  EXPECT_EQ(entry_name(7), "000007");
  EXPECT_EQ(parse_entry_name("000123"), 123u);
  EXPECT_FALSE(parse_entry_name("123"));
  EXPECT_FALSE(parse_entry_name("00012x"));
  GemmDesc d;
  d.m = 64, d.n = 32, d.k = 128;
  EXPECT_EQ(gemm_output_shape(d), (Shape{64, 32}));
  d.kind = GemmKind::grouped_masked, d.groups = 3, d.group_rows = {1, 2, 3};
  EXPECT_EQ(gemm_a_shape(d), (Shape{3, 64, 128}));
  EXPECT_EQ(gemm_output_shape(d), (Shape{3, 64, 32}));
}

// outputs.h5 as a kernel that reproduces the emulated backend bit for bit would write it.
void write_emulated_outputs(const fs::path& path, const ExportedCases& exported) {
  H5File f = H5File::create(path);
  f.root().set(kKindAttribute, "outputs");
  f.root().set("version", kVersion);
  f.root().set("suite", exported.suite);
  f.root().set("cases_digest", exported.digest);
  H5Node outputs = f.root().create_group(kOutputsGroup);
  const DeviceProfile& device = find_device_profile(exported.device);
  for (std::size_t i = 0; i < exported.cases.size(); ++i) {
    const CaseInput& c = exported.cases[i];
    const std::string name = entry_name(i);
    if (c.op == "gemm") {
      const GemmCase g = GemmCase::from_params(c.params);
      const PreparedGemm p = prepare_gemm_case(g, choose_gemm_config(g, device).config, c.id, exported.seed);
      GemmOutput out;
      out.prepare_for(p.in.args.problem);
      make_backend("emulated", {g.model.id()})->run_gemm(p.in.args, out);
      std::vector<bool> written(out.bits.size() / static_cast<std::size_t>(out.cols), false);
      for (const RowBlock& b : written_row_blocks(g.desc))
        for (std::int64_t r = b.first; r < b.last; ++r) written[static_cast<std::size_t>(r)] = true;
      std::vector<float> values;
      for (std::size_t e = 0; e < out.bits.size(); ++e)
        values.push_back(written[e / static_cast<std::size_t>(out.cols)]
                             ? static_cast<float>(output_value(out.type, out.bits[e]))
                             : std::numeric_limits<float>::quiet_NaN());
      ASSERT_NE(g.desc.d_type, OutputType::e4m3fn) << "smoke has no e4m3fn output";
      outputs.write<float>(name, values, gemm_output_shape(g.desc)).set("id", c.id);
    } else if (c.op == "attention") {
      const AttentionCase a = AttentionCase::from_params(c.params);
      const AttentionInputs in = prepare_attention_inputs(a, c.id, exported.seed);
      const AttentionArguments args{a.desc, in.q_operand, in.k_operand, in.v_operand,
                                    choose_attention_config(a, device).config};
      AttentionOutput out;
      make_backend("emulated")->run_attention(args, out);
      std::vector<float> values;
      for (std::uint32_t b : out.bits) values.push_back(static_cast<float>(output_value(out.type, b)));
      const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
      outputs.write<float>(name, values, {u(out.batch), u(out.heads), u(out.rows), u(out.cols)}).set("id", c.id);
    } else {
      const QuantizeCase q = QuantizeCase::from_params(c.params);
      const PreparedQuantize prepared = prepare_quantize_case(q, c.id, exported.seed);
      const MatrixD& x = prepared.x;
      const QuantizedMatrix m = quantize(x, q.recipe, prepared.options);
      H5Node entry = outputs.create_group(name);
      const std::vector<std::uint8_t> codes(m.codes.codes.begin(), m.codes.codes.end());
      entry.write<std::uint8_t>("codes", codes, {static_cast<std::uint64_t>(x.rows()), static_cast<std::uint64_t>(x.cols())});
      const ScaleLayout& l = m.scales.layout;
      const std::vector<std::uint64_t> grid{static_cast<std::uint64_t>(l.grid_rows), static_cast<std::uint64_t>(l.grid_cols)};
      std::vector<float> scales;
      std::vector<std::uint8_t> scale_codes;  // E8M0 (MX) scales are written as their codes
      for (std::int64_t gi = 0; gi < l.grid_rows; ++gi)
        for (std::int64_t gj = 0; gj < l.grid_cols; ++gj) {
          if (m.scales.has_codes()) scale_codes.push_back(m.scales.code(gi, gj));
          else scales.push_back(m.scales.value(gi, gj));
        }
      if (m.scales.has_codes()) entry.write<std::uint8_t>("scales", scale_codes, grid);
      else entry.write<float>("scales", scales, grid);
      entry.set("id", c.id);
    }
  }
  f.commit();
}

// The value of element (matrix, row, k) of operand `name` ("a", "b") as the document defines it.
struct DocumentedOperand {
  std::vector<double> elements, scales, tensor;
  Shape shape, scale_shape;
  std::int64_t block_rows = 0, block_cols = 0;

  DocumentedOperand(const H5Node& g, const H5Node& formats, const std::string& name) {
    const H5Node codes = g.open(name, "codes");
    shape = codes.shape();
    if (codes.holds<std::int8_t>()) {
      for (std::int8_t v : codes.read<std::int8_t>(shape)) elements.push_back(v);
    } else {
      const H5Node t = formats.open(codes.text("format"), "table");
      const std::vector<double> table = t.read<double>(t.shape());
      for (std::uint8_t c : codes.read<std::uint8_t>(shape)) elements.push_back(table.at(c));
    }
    const H5Node s = g.open(name + "_scale", "scales");
    scale_shape = s.shape();
    block_rows = s.integers("block").at(0);
    block_cols = s.integers("block").at(1);
    if (s.holds<float>()) {
      for (float v : s.read<float>(scale_shape)) scales.push_back(v);
    } else {
      const H5Node t = formats.open(s.text("format"), "table");
      const std::vector<double> table = t.read<double>(t.shape());
      for (std::uint8_t c : s.read<std::uint8_t>(scale_shape)) scales.push_back(table.at(c));
    }
    if (g.contains(name + "_tensor_scale")) {
      const H5Node t = g.open(name + "_tensor_scale", "tensor scale");
      for (float v : t.read<float>(t.shape())) tensor.push_back(v);
    }
  }
  // A: `row` counts rows across groups (the scale grid covers A flattened); B: row of matrix `m`.
  double value(bool a, std::int64_t m, std::int64_t row, std::int64_t k) const {
    const auto cols = static_cast<std::int64_t>(shape.back());
    const auto rows = static_cast<std::int64_t>(shape[shape.size() - 2]);
    const auto grid_rows = static_cast<std::int64_t>(scale_shape[scale_shape.size() - 2]);
    const auto grid_cols = static_cast<std::int64_t>(scale_shape.back());
    const std::int64_t flat_row = a ? row : m * rows + row;
    const double e = elements[static_cast<std::size_t>(flat_row * cols + k)];
    const std::int64_t grid = a ? 0 : m * grid_rows * grid_cols;
    const double s = scales[static_cast<std::size_t>(grid + (row / block_rows) * grid_cols + k / block_cols)];
    const double t = tensor.empty() ? 1.0 : tensor[a ? 0 : static_cast<std::size_t>(m)];
    return e * (s * t);
  }
};

std::vector<CaseInput> smoke_cases(const AxisSchemaRegistry& schemas, const SuiteSpec& spec, const std::string& backend) {
  std::vector<CaseInput> cases;
  for (const CaseSpec& c : spec.cases) {
    CaseInput in{c.id, c.op, c.params, c.tolerance, c.seed_bug};
    for (auto& [axis, value] : in.params)
      if (axis == "backend") value = backend;
    in.id = make_case_id(*schemas.find(c.op), in.params);
    cases.push_back(std::move(in));
  }
  return cases;
}

TEST(ExportVerify, TheSmokeSuiteRoundTripsBitForBit) {
  TempDir dir;
  const DeviceProfile& device = find_device_profile("sm_90");
  const AxisSchemaRegistry schemas = builtin_op_schemas(device);
  const SuiteSpec spec = load_suite(kSource / "suites" / "smoke.toml", schemas);
  ExportRequest request;
  request.suite_name = spec.name;
  request.suite_file = spec.file;
  request.suite_sha256 = spec.sha256;
  request.seed = spec.seed;
  request.device = &device;
  request.cases = smoke_cases(schemas, spec, kExternalBackend);
  const ExportSummary summary = export_cases(dir.path / "cases.h5", request);
  EXPECT_EQ(summary.ready, spec.cases.size());

  const ExportedCases exported = read_cases_file(dir.path / "cases.h5");
  ASSERT_EQ(exported.cases.size(), spec.cases.size());
  EXPECT_EQ(exported.seed, spec.seed);
  for (std::size_t i = 0; i < exported.cases.size(); ++i) {
    EXPECT_EQ(exported.cases[i].id, request.cases[i].id);
    EXPECT_EQ(exported.cases[i].params, request.cases[i].params);
  }

  {  // Every GEMM operand element, by the documented formula, is the pipeline's dequantized value.
    const H5File f = H5File::open(dir.path / "cases.h5");
    const H5Node formats = f.root().open(kFormatsGroup, "formats");
    const H5Node cases = f.root().open(kCasesGroup, "cases");
    std::int64_t checked = 0;
    for (std::size_t i = 0; i < exported.cases.size(); ++i) {
      const CaseInput& c = exported.cases[i];
      if (c.op != "gemm") continue;
      const H5Node g = cases.open(entry_name(i), "case");
      const DocumentedOperand a(g, formats, "a"), b(g, formats, "b");
      const GemmCase gc = GemmCase::from_params(c.params);
      const PreparedGemm p = prepare_gemm_case(gc, choose_gemm_config(gc, device).config, c.id, exported.seed);
      for (const RowBlock& blk : written_row_blocks(gc.desc))
        for (std::int64_t r = blk.first; r < blk.last; ++r)
          for (std::int64_t k = 0; k < gc.desc.k; ++k, ++checked)
            ASSERT_EQ(a.value(true, 0, r, k), p.in.a_dequantized(r, k)) << c.id << " A(" << r << ", " << k << ")";
      for (std::size_t m = 0; m < p.in.b_dequantized.size(); ++m)
        for (std::int64_t n = 0; n < gc.desc.n; ++n)
          for (std::int64_t k = 0; k < gc.desc.k; ++k, ++checked)
            ASSERT_EQ(b.value(false, static_cast<std::int64_t>(m), n, k), p.in.b_dequantized[m](n, k))
                << c.id << " B" << m << "(" << n << ", " << k << ")";
    }
    EXPECT_GT(checked, 1000000);
  }

  write_emulated_outputs(dir.path / "outputs.h5", exported);
  register_external_backend(std::make_shared<const OutputsFile>(dir.path / "outputs.h5", exported), true);
  SuiteRun run;
  run.spec = &spec;
  run.device = &device;
  run.cases = exported.cases;
  run.seed = exported.seed;
  run.jobs = 2;
  const RunOutcome verified = run_suite(run);
  EXPECT_EQ(verified.status.exit_code, 0) << verified.status.line;

  // `run` with the emulated backend on the same inputs: the same ids, the backend swapped.
  for (CaseInput& c : run.cases)
    for (auto& [axis, value] : c.params)
      if (axis == "backend") value = "emulated";
  const RunOutcome emulated = run_suite(run);
  ASSERT_EQ(verified.results.size(), emulated.results.size());
  for (std::size_t i = 0; i < verified.results.size(); ++i) {
    const CaseResult& r = verified.results[i];
    const CaseResult& e = emulated.results[i];
    EXPECT_EQ(r.verdict, Verdict::pass) << r.id << ": " << r.reason;
    EXPECT_EQ(r.backend, "external");
    EXPECT_TRUE(r.deterministic);
    EXPECT_EQ(r.seed_key, e.seed_key) << r.id;
    ASSERT_TRUE(r.output && e.output) << r.id;
    EXPECT_EQ(r.output->digest, e.output->digest) << r.id;
    ASSERT_EQ(r.kernel_error.has_value(), e.kernel_error.has_value()) << r.id;
    if (r.kernel_error) {
      EXPECT_EQ(r.kernel_error->max_abs_error, e.kernel_error->max_abs_error) << r.id;
      EXPECT_EQ(r.kernel_error->rms_error, e.kernel_error->rms_error) << r.id;
    }
    EXPECT_EQ(r.metrics.at(r.op == "quantize" ? "over_bound" : "kernel_over_bound"),
              e.metrics.at(r.op == "quantize" ? "over_bound" : "kernel_over_bound")) << r.id;
  }
}

}  // namespace
}  // namespace fp8check::exchange
