#include "harness/suite/suite_loader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "harness/core/error.hpp"
#include "harness/suite/detail/suite_document.hpp"
#include "harness/suite/detail/suite_expansion.hpp"
#include "harness/suite/sha256.hpp"

namespace fp8check {

namespace {

std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw InputError("cannot read suite file '" + file.string() + "': " + std::strerror(errno) +
                     " (expected a readable TOML file such as suites/smoke.toml)");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError("error reading suite file '" + file.string() + "' (expected a readable TOML file)");
  return bytes;
}

}  // namespace

SuiteSpec load_suite(const std::filesystem::path& file, const AxisSchemaRegistry& registry) {
  SuiteSpec suite;
  suite.file = file.string();
  // The digest and the parser see the same bytes: the recorded hash is of what was run.
  const std::string bytes = read_bytes(file);
  suite.sha256 = sha256_hex(bytes);

  const detail::SuiteDocument doc = detail::read_suite_document(bytes, suite.file);
  // The name is the suite's identity in reports and goldens; tying it to the file name
  // means a copied file cannot silently reuse another suite's goldens.
  const std::string stem = file.stem().string();
  if (doc.name != stem)
    fail_at(doc.name_at,
            "suite name '" + doc.name + "' does not match the file name (expected name = \"" + stem + "\")");
  suite.name = doc.name;
  suite.description = doc.description;
  suite.seed = doc.seed;
  suite.device = doc.device;
  suite.cases = detail::expand_suite(doc, registry);
  return suite;
}

}  // namespace fp8check
