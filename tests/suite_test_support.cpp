#include "suite_test_support.hpp"

#include <algorithm>
#include <fstream>

#include <unistd.h>

#include "harness/core/error.hpp"
#include "harness/suite/suite_loader.hpp"

namespace fp8check::testing {

namespace {

std::function<void(const std::string&)> one_of(std::vector<std::string> words) {
  return [words = std::move(words)](const std::string& value) {
    if (std::find(words.begin(), words.end(), value) != words.end()) return;
    std::string expected;
    for (const std::string& w : words) expected += (expected.empty() ? "" : ", ") + w;
    throw InputError("unknown value '" + value + "' (expected one of: " + expected + ")");
  };
}

}  // namespace

AxisSchemaRegistry fake_registry(std::function<std::vector<std::string>(const CaseSpec&)> expand_config) {
  const auto shapes = one_of({"m128.n7168.k128", "m256.n512.k128.g128m", "m64.n64.k64", "m(7).n=8"});
  AxisSpec config{"config", "auto", one_of({"auto", "t1", "t2", "t3"}), "cfg:", std::nullopt};
  if (expand_config) config.expansion = AxisExpansion{"all", std::move(expand_config)};
  AxisSchemaRegistry registry;
  registry.add({"gemm",
                {
                    {"formats", std::nullopt, one_of({"e4m3fn.e4m3fn", "e5m2.e4m3fn", "e5m2.e5m2"}), "", {}},
                    {"recipe", std::nullopt, one_of({"vec128.blk128x128", "tensor"}), "", {}},
                    {"shape", std::nullopt, shapes, "", {}},
                    {"distribution", "normal", one_of({"normal", "outliers", "uniform"}), "", {}},
                    {"accumulation", "fp32", one_of({"fp32", "sm90-wgmma"}), "", {}},
                    config,
                    {"backend", "emulated", one_of({"emulated", "cuda"}), "", {}},
                },
                {"max_over_bound", "mean_over_bound"}});
  registry.add({"quantize",
                {
                    {"format", std::nullopt, one_of({"e4m3fn", "e5m2"}), "", {}},
                    {"shape", std::nullopt, shapes, "", {}},
                    {"backend", "emulated", one_of({"emulated", "cuda"}), "", {}},
                },
                {"max_ulp"}});
  return registry;
}

std::vector<std::string> ids_of(const std::vector<CaseSpec>& cases) {
  std::vector<std::string> ids;
  for (const CaseSpec& c : cases) ids.push_back(c.id);
  return ids;
}

void SuiteFileTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = std::filesystem::temp_directory_path() /
         ("fp8check_suite_test_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

void SuiteFileTest::TearDown() { std::filesystem::remove_all(dir_); }

std::filesystem::path SuiteFileTest::write(const std::string& name, const std::string& text) const {
  const std::filesystem::path path = dir_ / (name + ".toml");
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

SuiteSpec SuiteFileTest::load(const std::string& name, const std::string& text) const {
  return load(name, text, registry_);
}

SuiteSpec SuiteFileTest::load(const std::string& name, const std::string& text,
                              const AxisSchemaRegistry& registry) const {
  return load_suite(write(name, text), registry);
}

std::string SuiteFileTest::expect_error(const std::string& text, unsigned line, unsigned column,
                                        std::initializer_list<std::string> parts, const std::string& name) const {
  const std::filesystem::path path = write(name, text);
  try {
    load_suite(path, registry_);
  } catch (const InputError& e) {
    const std::string message = e.what();
    const std::string prefix = path.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
    EXPECT_TRUE(message.starts_with(prefix)) << "expected prefix " << prefix << "\n got " << message;
    for (const std::string& part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << part << "\n in " << message;
    EXPECT_NE(message.find("(expected"), std::string::npos) << "says what is accepted: " << message;
    return message;
  }
  ADD_FAILURE() << "no InputError for:\n" << text;
  return {};
}

}  // namespace fp8check::testing
