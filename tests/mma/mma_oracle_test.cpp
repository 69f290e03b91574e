// The instruction models and kernel models against tests/data/mma (a copy of
// ../shared/oracle/mma: MMA-Sim's answers, see its README.md and QUIRKS.md):
// - every descriptor named in index.json has the parameters the file states;
// - every vector: the model's d equals the file's bit for bit, and so does the literal twin
//   (mma_twin.hpp) with the vectors' two rules (QUIRKS.md); the vectors where MMA-Sim's
//   published code would differ are counted per class and printed (nowhere else may it);
// - every chain of chains.json through mma_chain_gemm, bit for bit, on 1 and 3 threads, and
//   through the emulated GEMM (unit scales, fp32 output): fast path on every SIMD path and
//   the literal reference.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/core/format_names.hpp"
#include "harness/io/npy.hpp"
#include "kernels/emulated/gemm_emulated.hpp"
#include "kernels/emulated/gemm_emulated_reference.hpp"
#include "kernels/emulated/mma/chain_gemm.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"
#include "tests/mma/mma_twin.hpp"

namespace fp8check {
namespace {

namespace fs = std::filesystem;

const fs::path kData = FP8CHECK_MMA_DATA_DIR;

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  EXPECT_TRUE(in.good()) << "cannot read " << p;
  return nlohmann::json::parse(in);
}

template <typename T>
std::vector<T> codes(const io::NpyArray& a) {
  std::vector<T> out(a.element_count());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(a.code_at(i));
  return out;
}

// index.json spells fp16 "f16" and FP4 "e2m1".
Format index_format(const std::string& name) {
  if (name == "f16") return Format::fp16;
  if (name == "e2m1") return Format::e2m1fn;
  return parse_format(name);
}

TEST(MmaOracle, DescriptorsMatchIndex) {
  const nlohmann::json index = read_json(kData / "index.json");
  ASSERT_GE(index.size(), 13u);
  for (const auto& [name, v] : index.items()) {
    SCOPED_TRACE(name);
    const MmaInstruction& i = find_mma_instruction(name);
    EXPECT_EQ(i.a, index_format(v["a"]));
    EXPECT_EQ(i.b, index_format(v["b"]));
    EXPECT_EQ(i.k, v["k"].get<int>());
    EXPECT_EQ(i.split_k_halves, v.value("split_k_halves", false));
    EXPECT_EQ(i.fraction_bits, v["accum_fraction_bits"].get<int>());
    EXPECT_EQ(i.c_name(), v["c"].get<std::string>());
    EXPECT_EQ(i.d_name(), v["d"].get<std::string>());
    const std::string scale = v.value("scale", "none");
    EXPECT_EQ(i.scale, scale == "e8m0" ? MmaScaleKind::e8m0 : scale == "ue4m3" ? MmaScaleKind::ue4m3 : MmaScaleKind::none);
    EXPECT_EQ(i.scales_per_row(), v.value("scales_per_row", 0));
    EXPECT_NO_THROW(i.validate());
  }
}

TEST(MmaOracle, EveryVector) {
  const nlohmann::json index = read_json(kData / "index.json");
  std::map<std::string, int> classes;
  int vectors = 0;
  for (const auto& [name, v] : index.items()) {
    SCOPED_TRACE(name);
    const MmaInstruction& ins = find_mma_instruction(name);
    const auto a = codes<std::uint16_t>(io::read_npy(kData / (name + ".a.npy")));
    const auto b = codes<std::uint16_t>(io::read_npy(kData / (name + ".b.npy")));
    const auto c = codes<std::uint32_t>(io::read_npy(kData / (name + ".c.npy")));
    const auto d = codes<std::uint32_t>(io::read_npy(kData / (name + ".d.npy")));
    std::vector<std::uint8_t> sa, sb;
    if (ins.scale != MmaScaleKind::none) {
      sa = codes<std::uint8_t>(io::read_npy(kData / (name + ".scale_a.npy")));
      sb = codes<std::uint8_t>(io::read_npy(kData / (name + ".scale_b.npy")));
    }
    const std::size_t count = v["count"].get<std::size_t>(), k = static_cast<std::size_t>(ins.k);
    const std::size_t spr = static_cast<std::size_t>(ins.scales_per_row());
    ASSERT_EQ(a.size(), count * k);
    ASSERT_EQ(b.size(), count * k);
    ASSERT_EQ(c.size(), count);
    ASSERT_EQ(d.size(), count);
    ASSERT_EQ(sa.size(), count * spr);
    ASSERT_EQ(sb.size(), count * spr);
    for (std::size_t r = 0; r < count; ++r) {
      const std::uint16_t* ar = a.data() + r * k;
      const std::uint16_t* br = b.data() + r * k;
      const std::uint8_t* sar = spr ? sa.data() + r * spr : nullptr;
      const std::uint8_t* sbr = spr ? sb.data() + r * spr : nullptr;
      const std::uint32_t model = mma_execute(ins, ar, 1, br, 1, c[r], sar, 1, sbr, 1);
      twin::TwinTrace trace;
      const std::uint32_t literal = twin::execute(ins, ar, br, c[r], sar, sbr, twin::kOracleRules, &trace);
      const std::uint32_t mmasim_code = twin::execute(ins, ar, br, c[r], sar, sbr, twin::kMmaSimCode);
      ASSERT_EQ(model, d[r]) << "row " << r;
      ASSERT_EQ(literal, d[r]) << "row " << r << ": the vector is not MMA-Sim plus the documented rules";
      ++vectors;
      if (mmasim_code == d[r]) continue;
      if (trace.inf_operand_became_nan) ++classes["an inf element of a or b gives NaN (MMA-Sim's code: inf)"];
      else if (trace.rounded_at_2_pow_53) ++classes["|sum| >= 2^53 rounded to nearest (MMA-Sim's code: truncated)"];
      else ADD_FAILURE() << "row " << r << " differs from MMA-Sim's code outside the documented classes";
    }
  }
  EXPECT_EQ(vectors, 6500);
  int differing = 0;
  for (const auto& [what, n] : classes) {
    std::printf("[ oracle class ] %s: %d vectors\n", what.c_str(), n);
    differing += n;
  }
  std::printf("[ oracle       ] %d of %d vectors equal fp8check's model bit for bit; %d of them differ from "
              "MMA-Sim's published code (the classes above)\n", vectors, vectors, differing);
  EXPECT_LT(differing, vectors / 50) << "the quirks should be rare";
}

struct ChainScheme {
  const char* tag;
  const char* kernel;
};

TEST(MmaOracle, EveryChain) {
  const nlohmann::json chains = read_json(kData / "chains.json");
  ASSERT_GE(chains.size(), 4u);
  const ChainScheme schemes[] = {{"sm90_wgmma", "sm90-wgmma"},
                                 {"sm90_wgmma_promote128", "sm90-wgmma.p128"},
                                 {"sm89_mma", "sm89-mma"}};
  for (const auto& [name, v] : chains.items()) {
    ChainGemmOperands p;
    p.m = v["M"], p.n = v["N"], p.k = v["K"];
    const auto a = codes<std::uint16_t>(io::read_npy(kData / (name + ".a.npy")));
    const auto b = codes<std::uint16_t>(io::read_npy(kData / (name + ".b.npy")));
    p.a = a, p.b = b;
    for (const ChainScheme& s : schemes) {
      SCOPED_TRACE(name + " " + s.kernel);
      const auto expected = codes<std::uint32_t>(io::read_npy(kData / (name + "." + s.tag + ".d.npy")));
      const KernelModel model = parse_kernel_model(s.kernel);
      EXPECT_EQ(mma_chain_gemm(model, p, 1), expected);
      EXPECT_EQ(mma_chain_gemm(model, p, 3), expected);
    }
  }
}

TEST(MmaOracle, EveryChainThroughTheEmulatedGemm) {
  const nlohmann::json chains = read_json(kData / "chains.json");
  const ChainScheme schemes[] = {{"sm90_wgmma", "sm90-wgmma"},
                                 {"sm90_wgmma_promote128", "sm90-wgmma.p128"},
                                 {"sm89_mma", "sm89-mma"}};
  for (const auto& [name, v] : chains.items()) {
    const std::int64_t m = v["M"], n = v["N"], k = v["K"];
    const auto a = codes<std::uint8_t>(io::read_npy(kData / (name + ".a.npy")));
    const auto b = codes<std::uint8_t>(io::read_npy(kData / (name + ".b.npy")));
    // A (M x K, row-major) is K-major; B (K x N, row-major) is N-major.
    const GemmOperand va = GemmOperand::of_codes(a.data(), Format::e4m3fn, m, k, true);
    const GemmOperand vb = GemmOperand::of_codes(b.data(), Format::e4m3fn, n, k, false);
    GemmProblem p;
    p.m = m, p.n = n, p.k = k, p.output = OutputType::fp32;
    for (const ChainScheme& s : schemes) {
      SCOPED_TRACE(name + " " + s.kernel);
      const auto expected = codes<std::uint32_t>(io::read_npy(kData / (name + "." + s.tag + ".d.npy")));
      const AccumulationModel model = parse_accumulation_model(s.kernel);
      for (const char* config : {"bm128.bn128.bk128.s4", "bm64.bn64.bk32.s2"}) {
        GemmOutput out;
        for (SimdPath path : {SimdPath::scalar, SimdPath::avx2}) {
          if (path == SimdPath::avx2 && !cpu_has_avx2()) continue;
          detail::gemm_emulated_on(path, p, va, vb, parse_gemm_config(config), model, out, 3, GemmFault::none);
          EXPECT_EQ(out.bits, expected) << simd_path_name(path);
        }
        gemm_emulated_reference(p, va, vb, parse_gemm_config(config), model, out);
        EXPECT_EQ(out.bits, expected) << "reference";
      }
    }
  }
}

}  // namespace
}  // namespace fp8check
