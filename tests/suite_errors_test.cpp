// Every mistake in a suite file is an InputError that names the file, line and column and
// says what is accepted (expect_error checks "<path>:<line>:<col>: " and "(expected").
#include <gtest/gtest.h>

#include <string>

#include "harness/core/error.hpp"
#include "harness/suite/suite_loader.hpp"
#include "suite_test_support.hpp"

namespace fp8check::testing {
namespace {

using SuiteErrors = SuiteFileTest;

// A valid gemm block after a [suite] header: the line numbers below count from here.
std::string suite(const std::string& block_lines, const std::string& extra = "") {
  return "[suite]\nname = \"x\"\n" + extra + "[[cases]]\nop = \"gemm\"\nformats = \"e4m3fn.e4m3fn\"\n"
         "recipe = \"tensor\"\n" + block_lines;
}
const std::string kShape = "shape = \"m64.n64.k64\"\n";

TEST_F(SuiteErrors, TomlSyntaxErrorKeepsTheParsersLocation) {
  expect_error("[suite]\nname = \"x\"\nseed = = 3\n", 3, 8, {"TOML syntax error", "toml.io"});
}

TEST_F(SuiteErrors, HeaderMistakes) {
  expect_error("[[cases]]\nop = \"gemm\"\n", 1, 1, {"missing [suite]", "name = \"x\""});
  expect_error("[suite]\ndescription = \"d\"\n[[cases]]\nop = \"gemm\"\n", 1, 1, {"[suite] has no name", "stem"});
  expect_error(suite(kShape), 2, 8, {"suite name 'x' does not match the file name", "name = \"y\""}, "y");
  expect_error("[suite]\nname = \"x\"\nseed = -1\n", 3, 8, {"seed", "non-negative integer"});
  expect_error("[suite]\nname = \"x\"\nsede = 1\n", 3, 1, {"unknown [suite] key 'sede'", "name, description, seed"});
  expect_error("[suite]\nname = \"x\"\n[case]\nop = \"gemm\"\n", 3, 2, {"unknown top-level key 'case'", "[[cases]]"});
  expect_error("[suite]\nname = \"x\"\n", 1, 1, {"no cases", "[[cases]]"});
}

TEST_F(SuiteErrors, UnknownOpKeyOrAxisListsWhatExists) {
  expect_error("[suite]\nname = \"x\"\n[[cases]]\nop = \"gem\"\n", 4, 6, {"unknown op 'gem'", "gemm, quantize"});
  expect_error("[suite]\nname = \"x\"\n[[cases]]\nformats = \"e4m3fn.e4m3fn\"\n", 3, 1, {"no op"});
  expect_error(suite(kShape + "colour = \"red\"\n"), 8, 1,
               {"unknown key 'colour'", "formats, recipe, shape, distribution, accumulation, config, backend"});
  expect_error(suite(kShape, "[defaults]\ncolour = \"red\"\n"), 4, 1,
               {"[defaults] key 'colour' is not an axis of any op", "formats, recipe"});
}

TEST_F(SuiteErrors, ValuesTheValidatorRejectsCarryItsExpectation) {
  expect_error(suite("shape = [\"m64.n64.k64\", \"m65\"]\n"), 7, 25,
               {"axis 'shape' value 'm65'", "expected one of: m128.n7168.k128"});
  // A [defaults] value is checked against each op that uses it, where it is written.
  expect_error(suite(kShape, "[defaults]\nbackend = \"cpu\"\n"), 4, 11, {"'backend' value 'cpu'", "emulated, cuda"});
  expect_error(suite("shape = \"m64 n64\"\n"), 7, 9,
               {"contains ' ' (a space)", "letters, digits and . _ : + = , ( ) -"});
  expect_error(suite("shape = \"m64/n64\"\n"), 7, 9, {"contains '/'", "letters, digits"});
  expect_error(suite("shape = \"\"\n"), 7, 9, {"is empty", "letters, digits"});
}

TEST_F(SuiteErrors, AxisListsMustBeNonEmptyStringsWithoutRepeats) {
  expect_error(suite("shape = []\n"), 7, 9, {"'shape' is an empty list", "non-empty list of strings"});
  expect_error(suite("shape = 64\n"), 7, 9, {"not a string", "a string or a non-empty list of strings"});
  expect_error(suite("shape = [\"m64.n64.k64\", 3]\n"), 7, 25, {"not a string"});
  expect_error(suite("shape = [\"m64.n64.k64\", \"m64.n64.k64\"]\n"), 7, 25,
               {"lists 'm64.n64.k64' twice, first at", ":7:10", "each value once"});
}

TEST_F(SuiteErrors, RequiredAxisWithoutValueOrDefault) {
  expect_error(suite(""), 3, 1, {"has no 'shape'", "shape = \"...\" in the block or in [defaults]"});
}

TEST_F(SuiteErrors, BlockWhoseCasesAreAllExcluded) {
  expect_error(suite("shape = [\"m64.n64.k64\", \"m128.n7168.k128\"]\n"
                     "exclude = [ { shape = \"m64.n64.k64\" }, { formats = \"e4m3fn.e4m3fn\" } ]\n"),
               3, 1, {"expands to no cases", "all 2 combinations", "narrow or remove an exclude"});
}

TEST_F(SuiteErrors, DuplicateIdsNameBothBlocks) {
  const std::string text = suite("shape = [\"m64.n64.k64\", \"m128.n7168.k128\"]\n") +
                           "[[cases]]\nop = \"gemm\"\nformats = \"e4m3fn.e4m3fn\"\nrecipe = \"tensor\"\n"
                           "shape = \"m128.n7168.k128\"\n";
  const std::string message = expect_error(text, 8, 1, {"gemm/e4m3fn.e4m3fn/tensor/m128.n7168.k128/normal", "twice"});
  EXPECT_NE(message.find("x.toml:3:1 "), std::string::npos) << "names the first block too: " << message;
}

TEST_F(SuiteErrors, ExcludeAndOverrideKeysMustBeAxesOfTheBlock) {
  expect_error(suite(kShape + "exclude = [ { format = \"e5m2\" } ]\n"), 8, 15,
               {"exclude key 'format' is not an axis of op gemm", "expected one of: formats, recipe"});
  expect_error(suite(kShape + "[[cases.override]]\nwhen = { acc = \"fp32\" }\ntolerance = { max_over_bound = 2 }\n"), 9,
               10, {"override when key 'acc' is not an axis of op gemm", "accumulation"});
  expect_error(suite(kShape + "exclude = [ { formats = \"e4m3\" } ]\n"), 8, 25, {"value 'e4m3'", "e5m2.e4m3fn"});
  expect_error(suite(kShape + "exclude = [ {} ]\n"), 8, 13, {"exclude is not a non-empty table"});
  expect_error(suite(kShape + "exclude = { shape = \"m64.n64.k64\" }\n"), 8, 11, {"exclude is not a list"});
}

TEST_F(SuiteErrors, ToleranceMistakes) {
  expect_error(suite(kShape + "tolerance = { max_over_bound = \"big\" }\n"), 8, 32,
               {"tolerance max_over_bound is not a number"});
  expect_error(suite(kShape + "tolerance = { max_over_bound = nan }\n"), 8, 32,
               {"tolerance max_over_bound is nan (expected a finite number >= 0)"});
  // Caught at load, where the line is known, not case by case at run time.
  expect_error(suite(kShape + "tolerance = { max_over_bound = -inf }\n"), 8, 32,
               {"tolerance max_over_bound is -inf (expected a finite number >= 0)"});
  expect_error(suite(kShape + "tolerance = { max_over_bound = inf }\n"), 8, 32, {"is inf"});
  expect_error(suite(kShape + "tolerance = { rtol = -0.5 }\n"), 8, 22, {"tolerance rtol is -0.5"});
  expect_error(suite(kShape + "[[cases.override]]\nwhen = { accumulation = \"fp32\" }\n"
                              "tolerance = { max_over_bound = -1 }\n"),
               10, 32, {"tolerance max_over_bound is -1"});
  expect_error(suite(kShape + "tolerance = { max_ulp = 2 }\n"), 8, 25,
               {"tolerance key 'max_ulp' is not one of op gemm's", "max_over_bound, mean_over_bound"});
  expect_error(suite(kShape + "[[cases.override]]\nwhen = { accumulation = \"fp32\" }\n"), 8, 1,
               {"override sets nothing", "tolerance = {"});
  expect_error(suite(kShape + "[[cases.override]]\ntolerance = { max_over_bound = 2 }\n"), 8, 1, {"has no when"});
  expect_error(suite(kShape + "[[cases.override]]\nwhen = { accumulation = \"fp32\" }\nthen = 1\n"), 10, 1,
               {"unknown override key 'then'", "when, tolerance"});
}

std::vector<std::string> configs_or_none(const CaseSpec& c) {
  if (c.param("shape") == "m128.n7168.k128") throw InputError("too big (expected m64)");
  if (c.param("shape") == "m256.n512.k128.g128m") return {};
  return {"t9"};  // not a value the config validator accepts
}

TEST_F(SuiteErrors, ExpansionFailuresPointAtTheSpecialValue) {
  registry_ = fake_registry(configs_or_none);
  const std::string block = "config = [\"t1\", \"all\"]\n";
  expect_error(suite("shape = \"m128.n7168.k128\"\n" + block), 8, 17,
               {"axis 'config' value 'all' of case gemm/", "cfg:all", "too big (expected m64)"});
  expect_error(suite("shape = \"m256.n512.k128.g128m\"\n" + block), 8, 17, {"expands to no values"});
  expect_error(suite(kShape + block), 8, 17, {"value 't9'", "expected one of: auto, t1, t2, t3"});
  expect_error(suite(kShape + block + "exclude = [ { config = \"all\" } ]\n"), 9, 24,
               {"never matches", "concrete value"});
}

TEST_F(SuiteErrors, UnreadableFileSaysWhatItExpected) {
  try {
    load_suite(dir_ / "missing.toml", registry_);
    FAIL() << "a missing file must be an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read suite file"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing.toml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fp8check::testing
