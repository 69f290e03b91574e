#include "synthetic_results.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

namespace fp8check::testing {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A key-like "0x" + 16 hex digits per id (FNV-1a 64), so every case has its own.
std::string seed_key_for(const std::string& id) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : id) h = (h ^ c) * 0x100000001b3ull;
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%016llx", static_cast<unsigned long long>(h));
  return buffer;
}

Check bound_check(double observed, double limit) {
  return {"kernel max_relative_error / a-priori bound", observed, limit, observed <= limit,
          "K * u_acc + output rounding (docs/tolerance.md)"};
}

CaseResult attention_case(const std::string& p_format, int seq, int logit_scale) {
  CaseResult c;
  c.op = "attention";
  c.params = {{"p_format", p_format}, {"seq", std::to_string(seq)}, {"logit_scale", std::to_string(logit_scale)},
              {"backend", "emulated"}};
  c.id = "attention/" + p_format + "/s" + std::to_string(seq) + "/ls" + std::to_string(logit_scale) + "/emulated";
  c.seed_key = seed_key_for(c.id);
  c.backend = "emulated";
  c.config = "-";
  const double base = (p_format == "bf16" ? 2e-3 : 2e-2) * (1 + std::log2(seq / 512.0) / 4) * (logit_scale > 1 ? 1.5 : 1);
  c.kernel_error = synthetic_statistics(base * 4, base);
  c.total_error = synthetic_statistics(base * 5, base * 1.25);
  c.checks = {{"relative Frobenius vs bf16-P baseline x 2", base, 0.2, true, "FlashAttention-3 test rule"}};
  c.seconds = 0.05;
  c.stage_seconds = {{"inputs", 0.01}, {"reference", 0.02}, {"kernel", 0.015}};
  return c;
}

CaseResult with_verdict(CaseResult c, Verdict v, std::string reason) {
  c.verdict = v;
  c.reason = std::move(reason);
  return c;
}

}  // namespace

const char* const kHostileReason =
    "unexpected NaN in 3 elements; first at (0, 5): out=nan <ref=\"1.5\"> & 'x' | *y* \x01 \xE2\x89\xA4 bound";

ErrorStatistics synthetic_statistics(double max_relative, double relative_frobenius) {
  ErrorStatistics s;
  s.output_type = Format::bf16;
  s.relative_floor = 0x1p-126;
  s.element_count = 4096;
  s.finite_count = 4096;
  s.max_abs_error = max_relative * 2;
  s.max_relative_error = max_relative;
  s.mean_abs_error = relative_frobenius / 2;
  s.rms_error = relative_frobenius;
  s.relative_frobenius = relative_frobenius;
  s.calc_diff = relative_frobenius * relative_frobenius / 2;
  s.cosine_similarity = 1 - s.calc_diff;
  s.sqnr_db = -20 * std::log10(relative_frobenius);
  s.max_ulp = 3;
  s.ulp_histogram[0] = 4000;
  s.ulp_histogram[1] = 96;
  return s;
}

CaseResult synthetic_gemm_case(const std::string& formats, const std::string& recipe, const std::string& shape,
                               const std::string& accumulation, const std::string& config) {
  CaseResult c;
  c.op = "gemm";
  c.params = {{"formats", formats},         {"recipe", recipe}, {"shape", shape}, {"distribution", "normal"},
              {"accumulation", accumulation}, {"config", config}, {"backend", "emulated"}};
  c.id = "gemm/" + formats + "/" + recipe + "/" + shape + "/normal/" + accumulation + "/cfg:" + config + "/emulated";
  c.seed_key = seed_key_for(c.id);
  c.backend = "emulated";
  c.config = config == "auto" ? "bm128.bn128.bk128.s4" : config;
  c.seconds = 0.125;
  c.output = OutputRecord{"bf16", 128, 128, "0123456789abcdef", false, {0, 5}, {1.5, -2.25}};
  return c;
}

double synthetic_k_error(const std::string& accumulation, double k) {
  const double base = accumulation == "fp32" ? 1e-6 : accumulation == "sm90-wgmma.p128" ? 2e-5 : 1.2e-3;
  return base * k / 256;
}

RunMetadata synthetic_metadata() {
  RunMetadata m;
  m.fp8check_version = "0.1.0";
  m.git_sha = "0123abc";
  m.compiler = "GNU 12.2.0";
  m.compile_flags = "-O3 -ffp-contract=off";
  m.cuda_version = "none";
  m.device = "sm_90 (profile)";
  m.host = "ci-runner";
  m.started_at = "2026-01-02T03:04:05Z";
  m.suite_name = "report-sample";
  m.suite_file = "suites/report-sample.toml";
  m.suite_sha256 = std::string(64, 'a');
  m.filter = "*";
  m.seed = 20261121;
  m.command_line = "fp8check run suites/report-sample.toml";
  m.blas = "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Prescott MAX_THREADS=64";
  m.blas_core = "Prescott";
  m.blas_threads = "2";
  m.blas_warning = "OpenBLAS runs its Prescott kernels (SSE) on a CPU with AVX-512: a fallback core";
  return m;
}

std::vector<CaseResult> synthetic_results() {
  std::vector<CaseResult> cases;
  // Error vs K over three accumulation models; sm90-wgmma at K = 4096 exceeds its bound.
  for (const std::string acc : {"fp32", "sm90-wgmma.p128", "sm90-wgmma"})
    for (const int k : {256, 1024, 4096}) {
      CaseResult c = synthetic_gemm_case("e4m3fn.e4m3fn", "vec128.blk128x128", "m128.n7168.k" + std::to_string(k),
                                         acc, "auto");
      const double e = synthetic_k_error(acc, k);
      c.kernel_error = synthetic_statistics(e, e / 4);
      c.total_error = synthetic_statistics(e + 0.05, 0.02 + e / 10);
      c.metrics["kernel_max_error_over_max_reference"] = e / 2;
      c.metrics["total_max_error_over_max_reference"] = e / 2 + 0.02;
      c.checks = {bound_check(e, 0.015)};
      if (!c.checks[0].passed)
        c = with_verdict(c, Verdict::fail, "kernel max_relative_error 0.0192 > bound 0.015 (x1.28): 14-bit accumulator "
                                           "without promotion");
      cases.push_back(c);
    }
  // Config sweep: 3 configs x 2 shapes; one cell changed against its golden.
  const std::string configs[] = {"bm128.bn128.bk128.s4", "bm64.bn256.bk128.s3", "bm128.bn256.bk64.s2"};
  const std::string shapes[] = {"m256.n512.k128", "m4096.n7168.k4096"};
  for (int r = 0; r < 3; ++r)
    for (int s = 0; s < 2; ++s) {
      CaseResult c = synthetic_gemm_case(s ? "e4m3fn.e4m3fn" : "e5m2.e4m3fn", "row.col", shapes[s], "fp32", configs[r]);
      const double ratio = 0.1 * (r + 1) * (s + 1);
      c.kernel_error = synthetic_statistics(ratio * 1e-4, ratio * 2e-5);
      c.total_error = synthetic_statistics(0.06 + ratio * 1e-4, 0.021);
      c.checks = {bound_check(ratio * 1e-4, 1e-4)};
      if (r == 2 && s == 1)
        c = with_verdict(c, Verdict::regression, "output digest changed against the golden: 12 of 1024 sampled "
                                                 "elements differ, max 2 ulp");
      cases.push_back(c);
    }
  // Quantize: two recipes, plotted apart from the GEMM recipes.
  for (const std::string recipe : {"vec128", "blk128x128"}) {
    CaseResult q;
    q.op = "quantize";
    q.params = {{"format", "e4m3fn"}, {"recipe", recipe}, {"shape", "r256.c512"}, {"backend", "emulated"}};
    q.id = "quantize/e4m3fn/" + recipe + "/r256.c512/emulated";
    q.seed_key = seed_key_for(q.id);
    q.backend = "emulated";
    q.config = "-";
    q.total_error = synthetic_statistics(recipe == "vec128" ? 0.06 : 0.07, 0.02);
    cases.push_back(q);
  }
  // Attention: P format x sequence length x logit scale.
  for (const std::string p : {"e4m3fn", "bf16"})
    for (const int seq : {512, 2048, 8192})
      for (const int scale : {1, 16}) cases.push_back(attention_case(p, seq, scale));
  // Skipped, error, improved, exact, NaN/inf statistics.
  for (const std::string shape : {"m64.n64.k64", "m128.n128.k128"}) {
    CaseResult c = synthetic_gemm_case("e4m3fn.e4m3fn", "tensor", shape, "fp32", "auto");
    c.id += "/cuda", c.backend = "cuda", c.params.back().second = "cuda";
    cases.push_back(with_verdict(c, Verdict::skipped, "e4m3fn needs native FP8, sm_89+; device is sm_86"));
  }
  CaseResult no_golden = synthetic_gemm_case("e5m2.e5m2", "tensor", "m64.n64.k64", "exact", "auto");
  cases.push_back(with_verdict(no_golden, Verdict::skipped, "no golden for this case (run fp8check golden update)"));
  CaseResult bad = synthetic_gemm_case("e4m3fn.e4m3fn", "tensor", "m64.n64.k64", "fp32", "bm512.bn128.bk128.s4");
  cases.push_back(with_verdict(bad, Verdict::error,
                               "invalid config 'bm512.bn128.bk128.s4': block_m 512 is above 256 (accepted: 64, 128, 256)"));
  CaseResult improved = synthetic_gemm_case("e4m3fn.e4m3fn", "tensor", "m128.n128.k128", "sm90-wgmma.p128", "auto");
  improved.kernel_error = synthetic_statistics(3e-5, 1e-5);
  improved.checks = {bound_check(3e-5, 1e-4)};
  cases.push_back(with_verdict(improved, Verdict::improved, "max_abs_error shrank against the golden: 4e-5 -> 3e-5"));
  CaseResult exact = synthetic_gemm_case("e4m3fn.e4m3fn", "tensor", "m128.n128.k128", "exact", "auto");
  exact.kernel_error = synthetic_statistics(0, 0);
  exact.kernel_error->sqnr_db = kInf;
  exact.checks = {bound_check(0, 1e-6)};
  cases.push_back(exact);
  CaseResult specials = synthetic_gemm_case("e5m2.e5m2", "tensor", "m128.n128.k256", "fp32", "auto");
  specials.kernel_error = synthetic_statistics(kInf, kNaN);
  specials.kernel_error->sqnr_db = -kInf;
  specials.kernel_error->unexpected_specials.nan = 3;
  specials.kernel_error->special_mismatch_count = 3;
  specials.checks = {{"unexpected NaN", 3, 0, false, "an unexpected NaN or inf never passes"}};
  specials.metrics = {{"bound", kNaN}, {"amax_d", kInf}};
  cases.push_back(with_verdict(specials, Verdict::fail, kHostileReason));
  // Seeded bugs: one named by a seed_bug param, one by its id.
  CaseResult seeded = synthetic_gemm_case("e4m3fn.e4m3fn", "vec128.blk128x128", "m128.n128.k512", "fp32", "auto");
  seeded.params.emplace_back("seed_bug", "scale_b not applied");
  seeded.id += "/bug:scale_b";
  seeded.kernel_error = synthetic_statistics(0.93, 0.71);
  seeded.checks = {bound_check(0.93, 1.1e-3)};
  cases.push_back(with_verdict(seeded, Verdict::fail, "kernel max_relative_error 0.93 > bound 0.0011 (x845)"));
  CaseResult amax;
  amax.id = "seeds/quantize/amax_off_by_one";
  amax.op = "quantize";
  amax.params = {{"format", "e4m3fn"}, {"shape", "m64.n64.k64"}, {"backend", "emulated"}};
  amax.seed_key = seed_key_for(amax.id);
  amax.backend = "emulated";
  amax.config = "-";
  amax.metrics = {{"code_mismatches", 17}};
  amax.verdict = Verdict::fail;
  cases.push_back(amax);
  return cases;
}

}  // namespace fp8check::testing
