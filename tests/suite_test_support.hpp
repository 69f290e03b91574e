// Fakes for the suite tests: a registry whose ops look like the real ones (the run module
// registers those) and suite files written to a per-test temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "harness/suite/axis_schema.hpp"
#include "harness/suite/suite_spec.hpp"

namespace fp8check::testing {

// Ops "gemm" (formats, recipe, shape, distribution = normal, accumulation = fp32,
// config = auto with id prefix "cfg:", backend = emulated; tolerance keys max_over_bound,
// mean_over_bound) and "quantize" (format, shape, backend = emulated; tolerance max_ulp).
// Validators accept listed words only and say which in their message. With `expand_config`,
// config = "all" is expanded by it.
AxisSchemaRegistry fake_registry(
    std::function<std::vector<std::string>(const CaseSpec&)> expand_config = nullptr);

// The ids of `cases`, in order.
std::vector<std::string> ids_of(const std::vector<CaseSpec>& cases);

// A fresh directory per test, removed afterwards; write() puts <dir>/<name>.toml.
class SuiteFileTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  std::filesystem::path write(const std::string& name, const std::string& text) const;
  SuiteSpec load(const std::string& name, const std::string& text) const;
  SuiteSpec load(const std::string& name, const std::string& text, const AxisSchemaRegistry& registry) const;
  // Loads <name>.toml and expects InputError whose message starts with "<path>:<line>:<col>: "
  // and contains every one of `parts`; returns the message.
  std::string expect_error(const std::string& text, unsigned line, unsigned column,
                           std::initializer_list<std::string> parts, const std::string& name = "x") const;

  std::filesystem::path dir_;
  AxisSchemaRegistry registry_ = fake_registry();
};

}  // namespace fp8check::testing
