// Suites expand as docs/suites.md says: cartesian products in schema order with the last
// axis fastest, defaults by precedence, excludes, overrides, ids, expandable axes, digests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/suite/sha256.hpp"
#include "harness/suite/suite_loader.hpp"
#include "suite_test_support.hpp"

namespace fp8check::testing {
namespace {

// The example of the task brief and docs/suites.md.
const char* const kSmoke = R"([suite]
name = "smoke"
description = "fast checks of every op"
seed = 20261121
device = "sm_90"

[defaults]
backend = "emulated"

[[cases]]
op = "gemm"
formats = ["e4m3fn.e4m3fn", "e5m2.e4m3fn"]
recipe = "vec128.blk128x128"
shape = ["m128.n7168.k128", "m256.n512.k128.g128m"]
distribution = ["normal", "outliers"]
accumulation = "fp32"
config = ["auto"]
exclude = [ { formats = "e5m2.e4m3fn", shape = "m256.n512.k128.g128m" } ]
[cases.tolerance]
max_over_bound = 1.0
[[cases.override]]
when = { accumulation = "sm90-wgmma" }
tolerance = { max_over_bound = 2.0 }
)";

using SuiteLoad = SuiteFileTest;

TEST_F(SuiteLoad, ExampleExpandsInSchemaOrderLastAxisFastest) {
  const SuiteSpec s = load("smoke", kSmoke);
  EXPECT_EQ(s.name, "smoke");
  EXPECT_EQ(s.description, "fast checks of every op");
  EXPECT_EQ(s.seed, 20261121u);
  EXPECT_EQ(s.device, "sm_90");
  EXPECT_EQ(s.file, (dir_ / "smoke.toml").string());
  // 2 formats x 2 shapes x 2 distributions = 8, minus the excluded pair's 2 distributions.
  const std::string tail = "/fp32/cfg:auto/emulated";
  const std::vector<std::string> expected = {
      "gemm/e4m3fn.e4m3fn/vec128.blk128x128/m128.n7168.k128/normal" + tail,
      "gemm/e4m3fn.e4m3fn/vec128.blk128x128/m128.n7168.k128/outliers" + tail,
      "gemm/e4m3fn.e4m3fn/vec128.blk128x128/m256.n512.k128.g128m/normal" + tail,
      "gemm/e4m3fn.e4m3fn/vec128.blk128x128/m256.n512.k128.g128m/outliers" + tail,
      "gemm/e5m2.e4m3fn/vec128.blk128x128/m128.n7168.k128/normal" + tail,
      "gemm/e5m2.e4m3fn/vec128.blk128x128/m128.n7168.k128/outliers" + tail,
  };
  EXPECT_EQ(ids_of(s.cases), expected);
  for (const CaseSpec& c : s.cases) {
    EXPECT_EQ(c.op, "gemm");
    EXPECT_EQ(c.source, (dir_ / "smoke.toml").string() + ":10");
    EXPECT_EQ(c.block_index, 0u);
    ASSERT_EQ(c.params.size(), 7u);
    const char* axes[] = {"formats", "recipe", "shape", "distribution", "accumulation", "config", "backend"};
    for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(c.params[i].first, axes[i]);
    // The override's `when` names fp32's alternative: it matches nothing here.
    EXPECT_EQ(c.tolerance, (std::map<std::string, double>{{"max_over_bound", 1.0}}));
  }
  EXPECT_EQ(s.cases[0].param("config"), "auto");
  EXPECT_THROW(s.cases[0].param("colour"), InternalError);
}

TEST_F(SuiteLoad, DocumentationExampleLoadsAsDocumented) {
  const auto doc_path = std::filesystem::path(FP8CHECK_SOURCE_DIR) / "docs" / "suites.md";
  std::ifstream in(doc_path);
  ASSERT_TRUE(in) << doc_path;
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t begin = doc.find("```toml\n# suites/smoke.toml\n");
  ASSERT_NE(begin, std::string::npos);
  const std::size_t body = doc.find('\n', begin) + 1;
  const SuiteSpec s = load("smoke", doc.substr(body, doc.find("```", body) - body));
  // 8 gemm combinations minus 2 excluded, then 2 quantize cases.
  ASSERT_EQ(s.cases.size(), 8u);
  EXPECT_EQ(s.cases[0].id, "gemm/e4m3fn.e4m3fn/vec128.blk128x128/m128.n7168.k128/normal/fp32/cfg:auto/emulated");
  EXPECT_NE(doc.find(s.cases[0].id), std::string::npos) << "the page shows the first id";
  EXPECT_EQ(s.cases[7].id, "quantize/e5m2/m128.n7168.k128/emulated");
}

TEST_F(SuiteLoad, ValuesKeepTheirWrittenOrderAndBlocksTheirFileOrder) {
  const SuiteSpec s = load("order", R"([suite]
name = "order"
[[cases]]
op = "quantize"
shape = ["m64.n64.k64", "m128.n7168.k128"]
format = ["e5m2", "e4m3fn"]
[[cases]]
op = "gemm"
formats = "e5m2.e5m2"
recipe = "tensor"
shape = "m64.n64.k64"
distribution = ["uniform", "normal"]
)");
  const std::vector<std::string> expected = {
      "quantize/e5m2/m64.n64.k64/emulated",   "quantize/e5m2/m128.n7168.k128/emulated",
      "quantize/e4m3fn/m64.n64.k64/emulated", "quantize/e4m3fn/m128.n7168.k128/emulated",
      "gemm/e5m2.e5m2/tensor/m64.n64.k64/uniform/fp32/cfg:auto/emulated",
      "gemm/e5m2.e5m2/tensor/m64.n64.k64/normal/fp32/cfg:auto/emulated",
  };
  EXPECT_EQ(ids_of(s.cases), expected);
  EXPECT_EQ(s.cases[3].block_index, 0u);
  EXPECT_EQ(s.cases[4].block_index, 1u);
  EXPECT_EQ(s.cases[4].source, (dir_ / "order.toml").string() + ":7");
  EXPECT_EQ(s.seed, 0u);  // optional header keys
  EXPECT_EQ(s.device, "");
}

TEST_F(SuiteLoad, BlockValuesBeatDefaultsWhichBeatSchemaDefaults) {
  const SuiteSpec s = load("defaults", R"([suite]
name = "defaults"
[defaults]
backend = "cuda"
distribution = ["uniform", "outliers"]
[[cases]]
op = "gemm"
formats = "e4m3fn.e4m3fn"
recipe = "tensor"
shape = "m64.n64.k64"
backend = "emulated"
[[cases]]
op = "quantize"
format = "e4m3fn"
shape = "m64.n64.k64"
)");
  const std::vector<std::string> expected = {
      "gemm/e4m3fn.e4m3fn/tensor/m64.n64.k64/uniform/fp32/cfg:auto/emulated",   // block backend
      "gemm/e4m3fn.e4m3fn/tensor/m64.n64.k64/outliers/fp32/cfg:auto/emulated",  // defaults list
      "quantize/e4m3fn/m64.n64.k64/cuda",  // [defaults] backend; distribution is not a quantize axis
  };
  EXPECT_EQ(ids_of(s.cases), expected);
  EXPECT_EQ(s.cases[0].param("accumulation"), "fp32");  // schema default
}

TEST_F(SuiteLoad, ExcludeDropsCasesMatchingAllKeysOfAnEntryAndAnyListedValue) {
  const SuiteSpec s = load("ex", R"([suite]
name = "ex"
[[cases]]
op = "gemm"
formats = ["e4m3fn.e4m3fn", "e5m2.e4m3fn", "e5m2.e5m2"]
recipe = "tensor"
shape = ["m64.n64.k64", "m128.n7168.k128"]
exclude = [ { formats = ["e5m2.e4m3fn", "e5m2.e5m2"], shape = "m128.n7168.k128" },
            { formats = "e4m3fn.e4m3fn", shape = "m64.n64.k64" } ]
)");
  const std::string tail = "/normal/fp32/cfg:auto/emulated";
  const std::vector<std::string> expected = {
      "gemm/e4m3fn.e4m3fn/tensor/m128.n7168.k128" + tail,
      "gemm/e5m2.e4m3fn/tensor/m64.n64.k64" + tail,
      "gemm/e5m2.e5m2/tensor/m64.n64.k64" + tail,
  };
  EXPECT_EQ(ids_of(s.cases), expected);
}

TEST_F(SuiteLoad, OverridesApplyToMatchingCasesInFileOrderOverTheBlockTolerance) {
  const SuiteSpec s = load("ov", R"([suite]
name = "ov"
[[cases]]
op = "gemm"
formats = "e4m3fn.e4m3fn"
recipe = "tensor"
shape = "m64.n64.k64"
accumulation = ["fp32", "sm90-wgmma"]
distribution = ["normal", "outliers"]
tolerance = { max_over_bound = 1, mean_over_bound = 0.25 }
[[cases.override]]
when = { accumulation = "sm90-wgmma" }
tolerance = { max_over_bound = 2.0 }
[[cases.override]]
when = { accumulation = "sm90-wgmma", distribution = "outliers" }
tolerance = { max_over_bound = 4.0 }
)");
  ASSERT_EQ(s.cases.size(), 4u);
  using Tol = std::map<std::string, double>;
  for (const CaseSpec& c : s.cases) {
    const bool tc = c.param("accumulation") == "sm90-wgmma";
    const bool outliers = c.param("distribution") == "outliers";
    const double max = tc ? (outliers ? 4.0 : 2.0) : 1.0;
    EXPECT_EQ(c.tolerance, (Tol{{"max_over_bound", max}, {"mean_over_bound", 0.25}})) << c.id;
  }
}

TEST_F(SuiteLoad, IdsAllowTheWholeCharsetAndUsePrefixes) {
  const SuiteSpec s = load("chars", R"([suite]
name = "chars"
[[cases]]
op = "gemm"
formats = "e4m3fn.e4m3fn"
recipe = "tensor"
shape = "m(7).n=8"
config = "t2"
)");
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].id, "gemm/e4m3fn.e4m3fn/tensor/m(7).n=8/normal/fp32/cfg:t2/emulated");
}

TEST_F(SuiteLoad, DigestIsOfTheFileBytes) {
  // FIPS 180-4 example "abc" (NIST CSRC, SHA256.pdf).
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

  const SuiteSpec s = load("smoke", kSmoke);
  EXPECT_EQ(s.sha256, sha256_hex(kSmoke));
  // A comment changes the file, not the cases: the digest tells the two files apart.
  const SuiteSpec commented = load("smoke", std::string(kSmoke) + "# reviewed\n");
  EXPECT_EQ(ids_of(commented.cases), ids_of(s.cases));
  EXPECT_NE(commented.sha256, s.sha256);
  EXPECT_EQ(commented.sha256, sha256_hex(std::string(kSmoke) + "# reviewed\n"));
}

// config = "all" expands from the rest of the case: here t1 for small shapes, t3 and t1
// otherwise. The callback rejects m256 shapes, as a selector rejects unsupported problems.
std::vector<std::string> fake_configs(const CaseSpec& c) {
  if (c.param("shape").starts_with("m256")) throw InputError("unsupported shape (expected m64 or m128)");
  if (c.param("shape") == "m64.n64.k64") return {"t1"};
  return {"t3", "t1"};
}

TEST_F(SuiteLoad, ExpandableAxisIsReplacedInPlaceAfterTheRestOfTheCaseIsKnown) {
  std::vector<std::string> seen;
  const AxisSchemaRegistry registry = fake_registry([&](const CaseSpec& c) {
    seen.push_back(c.id);
    return fake_configs(c);
  });
  const SuiteSpec s = load("exp", R"([suite]
name = "exp"
[[cases]]
op = "gemm"
formats = "e4m3fn.e4m3fn"
recipe = "tensor"
shape = ["m64.n64.k64", "m128.n7168.k128", "m256.n512.k128.g128m"]
config = ["all", "t2"]
exclude = [ { shape = "m256.n512.k128.g128m" }, { shape = "m128.n7168.k128", config = "t1" } ]
)", registry);
  const std::string head = "gemm/e4m3fn.e4m3fn/tensor/", mid = "/normal/fp32/cfg:";
  const std::vector<std::string> expected = {
      head + "m64.n64.k64" + mid + "t1/emulated",     head + "m64.n64.k64" + mid + "t2/emulated",
      head + "m128.n7168.k128" + mid + "t3/emulated", head + "m128.n7168.k128" + mid + "t2/emulated",
  };
  EXPECT_EQ(ids_of(s.cases), expected);
  // Called once per unexcluded case holding "all", which it sees in the id; never for m256.
  const std::vector<std::string> calls = {head + "m64.n64.k64" + mid + "all/emulated",
                                          head + "m128.n7168.k128" + mid + "all/emulated"};
  EXPECT_EQ(seen, calls);
}

TEST_F(SuiteLoad, ExpandableDefaultIsExpandedToo) {
  AxisSchemaRegistry registry;
  registry.add({"op1",
                {{"x", std::nullopt, nullptr, "", {}},
                 {"mode", "all", nullptr, "m:",
                  AxisExpansion{"all", [](const CaseSpec& c) {
                                  return std::vector<std::string>{c.param("x") + "a", "b"};
                                }}}},
                {}});
  const SuiteSpec s = load("d", "[suite]\nname = \"d\"\n[[cases]]\nop = \"op1\"\nx = [\"p\", \"q\"]\n", registry);
  EXPECT_EQ(ids_of(s.cases), (std::vector<std::string>{"op1/p/m:pa", "op1/p/m:b", "op1/q/m:qa", "op1/q/m:b"}));
}

// An axis added after goldens existed (id_omits_default): cases at its default keep the id
// they had without it; other values appear with the axis's prefix.
TEST_F(SuiteLoad, AxisLeftOutOfIdsAtItsDefaultKeepsOldIds) {
  AxisSpec late{"late", "none", nullptr, "late:", {}};
  late.id_omits_default = true;
  AxisSchemaRegistry before, after;
  before.add({"op1", {{"x", std::nullopt, nullptr, "", {}}, {"y", "1", nullptr, "", {}}}, {}});
  after.add({"op1", {{"x", std::nullopt, nullptr, "", {}}, late, {"y", "1", nullptr, "", {}}}, {}});
  const std::string old_text = "[suite]\nname = \"d\"\n[[cases]]\nop = \"op1\"\nx = [\"p\", \"q\"]\n";
  EXPECT_EQ(ids_of(load("d", old_text, after).cases), ids_of(load("d", old_text, before).cases));
  const SuiteSpec s = load("d", old_text + "[[cases]]\nop = \"op1\"\nx = \"p\"\nlate = [\"none\", \"a\"]\ny = \"2\"\n", after);
  EXPECT_EQ(ids_of(s.cases), (std::vector<std::string>{"op1/p/1", "op1/q/1", "op1/p/2", "op1/p/late:a/2"}));
  EXPECT_EQ(s.cases[3].param("late"), "a");
  EXPECT_EQ(s.cases[2].param("late"), "none");  // left out of the id, still in the params
}

TEST(AxisSchemaRegistry, RejectsSchemasThatCannotGiveValidIds) {
  auto one = [](AxisSpec axis) {
    AxisSchemaRegistry r;
    r.add({"op", {std::move(axis)}, {}});
  };
  EXPECT_NO_THROW(one({"x", "v", nullptr, "p:", {}}));
  EXPECT_THROW(one({"exclude", std::nullopt, nullptr, "", {}}), InternalError);  // a block key
  EXPECT_THROW(one({"x", "a b", nullptr, "", {}}), InternalError);               // default outside the charset
  EXPECT_THROW(one({"x", "v", nullptr, "p/", {}}), InternalError);               // prefix with '/'
  EXPECT_THROW(one({"x", "v", [](const std::string&) { throw InputError("no (expected yes)"); }, "", {}}),
               InternalError);  // default its validator rejects
  EXPECT_THROW(one({"x", std::nullopt, nullptr, "", AxisExpansion{"all", nullptr}}), InternalError);
  AxisSpec unprefixed{"x", "v", nullptr, "", {}}, no_default{"x", std::nullopt, nullptr, "p:", {}};
  unprefixed.id_omits_default = no_default.id_omits_default = true;
  EXPECT_THROW(one(unprefixed), InternalError);  // left out at its default: needs a prefix
  EXPECT_THROW(one(no_default), InternalError);  // ... and a default
  AxisSchemaRegistry r;
  r.add({"op", {{"x", std::nullopt, nullptr, "", {}}}, {}});
  EXPECT_THROW(r.add({"op", {{"y", std::nullopt, nullptr, "", {}}}, {}}), InternalError);  // op twice
  EXPECT_THROW(r.add({"op2", {{"y", "1", nullptr, "", {}}, {"y", "2", nullptr, "", {}}}, {}}), InternalError);
  EXPECT_THROW(r.add({"op3", {}, {}}), InternalError);  // no axes
  EXPECT_EQ(r.op_names(), "op");
}

}  // namespace
}  // namespace fp8check::testing
