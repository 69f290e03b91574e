// Reads a suite file's TOML into a SuiteDocument: structure and types only; the axis
// schemas are applied later (resolve_block.cpp). toml++ keeps the source region of every
// key and value (toml::source_region), which gives each message its line and column.
#include "harness/suite/detail/suite_document.hpp"

#include <charconv>
#include <cmath>
#include <filesystem>

#include <toml++/toml.h>

namespace fp8check::detail {

namespace {

// A tolerance value as written ("-inf", "-0.5"): the shortest text that reads back.
std::string number_text(double x) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, x);
  return std::string(text, result.ptr);
}

class DocumentReader {
 public:
  explicit DocumentReader(std::string file) : file_(std::move(file)) {}

  SuiteDocument read(const toml::table& root) {
    SuiteDocument doc;
    for (auto&& [key, node] : root)
      if (key != "suite" && key != "defaults" && key != "cases")
        fail_at(at(key), "unknown top-level key '" + std::string(key.str()) +
                             "' (expected [suite], [defaults] and [[cases]] blocks)");
    const toml::node* suite = root.get("suite");
    if (!suite || !suite->is_table())
      fail_at(suite ? at(*suite) : TextLocation{file_, 1, 1},
              "missing [suite] table (expected [suite] with name = \"" + stem() + "\")");
    read_header(*suite->as_table(), doc);
    if (const toml::node* defaults = root.get("defaults")) {
      if (!defaults->is_table()) fail_at(at(*defaults), "[defaults] is not a table (expected [defaults] axis = value)");
      for (auto&& [key, node] : *defaults->as_table()) doc.defaults.push_back(read_values(key, node, "[defaults]"));
    }
    const toml::node* cases = root.get("cases");
    if (cases && !cases->is_array_of_tables())
      fail_at(at(*cases), "cases is not a list of tables (expected [[cases]] blocks)");
    if (!cases || cases->as_array()->empty())
      fail_at(TextLocation{file_, 1, 1}, "the suite has no cases (expected at least one [[cases]] block)");
    for (const toml::node& block : *cases->as_array()) doc.blocks.push_back(read_block(*block.as_table()));
    return doc;
  }

 private:
  TextLocation at(const toml::node& n) const { return {file_, n.source().begin.line, n.source().begin.column}; }
  TextLocation at(const toml::key& k) const { return {file_, k.source().begin.line, k.source().begin.column}; }
  std::string stem() const { return std::filesystem::path(file_).stem().string(); }

  std::string read_string(const toml::node& n, std::string_view what) const {
    if (!n.is_string()) fail_at(at(n), std::string(what) + " is not a string (expected \"text\")");
    return **n.as_string();
  }

  void read_header(const toml::table& suite, SuiteDocument& doc) const {
    for (auto&& [key, node] : suite) {
      if (key == "name") {
        doc.name = read_string(node, "[suite] name");
        doc.name_at = at(node);
      } else if (key == "description") {
        doc.description = read_string(node, "[suite] description");
      } else if (key == "device") {
        doc.device = read_string(node, "[suite] device");
      } else if (key == "seed") {
        if (!node.is_integer() || **node.as_integer() < 0)
          fail_at(at(node), "[suite] seed is not a non-negative integer (expected e.g. seed = 20261121)");
        doc.seed = static_cast<std::uint64_t>(**node.as_integer());
      } else {
        fail_at(at(key), "unknown [suite] key '" + std::string(key.str()) +
                             "' (expected name, description, seed, device)");
      }
    }
    if (doc.name.empty())
      fail_at(at(suite), "[suite] has no name (expected name = \"" + stem() + "\", the file name's stem)");
  }

  // `key = "v"` or `key = ["v1", ...]`.
  AxisValues read_values(const toml::key& key, const toml::node& node, std::string_view context) const {
    AxisValues out{std::string(key.str()), at(key), {}, {}};
    const std::string what = std::string(context) + " key '" + out.axis + "'";
    const std::string expected = " (expected a string or a non-empty list of strings)";
    auto add = [&](const toml::node& v) {
      if (!v.is_string()) fail_at(at(v), what + " has a value that is not a string" + expected);
      const std::string& text = **v.as_string();
      for (std::size_t i = 0; i < out.values.size(); ++i)
        if (out.values[i] == text)
          fail_at(at(v), what + " lists '" + text + "' twice, first at " + out.value_at[i].str() +
                             " (expected each value once)");
      out.values.push_back(text);
      out.value_at.push_back(at(v));
    };
    if (const toml::array* list = node.as_array()) {
      if (list->empty()) fail_at(at(node), what + " is an empty list" + expected);
      for (const toml::node& v : *list) add(v);
    } else {
      add(node);
    }
    return out;
  }

  CaseMatch read_match(const toml::node& node, std::string_view what) const {
    const toml::table* table = node.as_table();
    if (!table || table->empty())
      fail_at(at(node), std::string(what) + " is not a non-empty table (expected { axis = \"value\", ... })");
    CaseMatch match{at(node), {}};
    for (auto&& [key, value] : *table) match.keys.push_back(read_values(key, value, what));
    return match;
  }

  std::vector<ToleranceValue> read_tolerance(const toml::node& node) const {
    const toml::table* table = node.as_table();
    if (!table) fail_at(at(node), "tolerance is not a table (expected tolerance = { key = number, ... })");
    std::vector<ToleranceValue> out;
    for (auto&& [key, value] : *table) {
      double number = 0;
      if (value.is_integer()) {
        number = static_cast<double>(**value.as_integer());
      } else if (value.is_floating_point()) {
        number = **value.as_floating_point();
      } else {
        fail_at(at(value), "tolerance " + std::string(key.str()) + " is not a number (expected e.g. 1.0)");
      }
      // Every tolerance is a finite bound >= 0 (compare/tolerance.hpp): -inf or a negative
      // bound would fail every case at run time, inf or nan would pass every one.
      if (!std::isfinite(number) || number < 0)
        fail_at(at(value), "tolerance " + std::string(key.str()) + " is " + number_text(number) +
                               " (expected a finite number >= 0)");
      out.push_back({std::string(key.str()), at(value), number});
    }
    return out;
  }

  CaseOverride read_override(const toml::node& node) const {
    const toml::table* table = node.as_table();
    if (!table) fail_at(at(node), "override entry is not a table (expected { when = {...}, tolerance = {...} })");
    CaseOverride out{at(node), {}, {}};
    for (auto&& [key, value] : *table) {
      if (key == "when") {
        out.when = read_match(value, "override when");
      } else if (key == "tolerance") {
        out.tolerance = read_tolerance(value);
      } else {
        fail_at(at(key), "unknown override key '" + std::string(key.str()) + "' (expected when, tolerance)");
      }
    }
    if (out.when.keys.empty()) fail_at(out.at, "override has no when (expected when = { axis = \"value\" })");
    if (out.tolerance.empty())
      fail_at(out.at, "override sets nothing (expected tolerance = { key = number, ... })");
    return out;
  }

  CaseBlock read_block(const toml::table& table) const {
    CaseBlock block;
    block.at = at(table);
    for (auto&& [key, node] : table) {
      if (key == "op") {
        block.op = read_string(node, "op");
        block.op_at = at(node);
      } else if (key == "exclude") {
        if (!node.is_array())
          fail_at(at(node), "exclude is not a list (expected exclude = [ { axis = \"value\", ... }, ... ])");
        for (const toml::node& entry : *node.as_array()) block.excludes.push_back(read_match(entry, "exclude"));
      } else if (key == "tolerance") {
        block.tolerance = read_tolerance(node);
      } else if (key == "seed_bug") {
        block.seed_bug = read_string(node, "seed_bug");
      } else if (key == "override") {
        if (!node.is_array()) fail_at(at(node), "override is not a list (expected [[cases.override]] tables)");
        for (const toml::node& entry : *node.as_array()) block.overrides.push_back(read_override(entry));
      } else {
        block.axes.push_back(read_values(key, node, "[[cases]]"));
      }
    }
    if (block.op.empty()) fail_at(block.at, "[[cases]] block has no op (expected op = \"<op name>\")");
    return block;
  }

  std::string file_;
};

}  // namespace

SuiteDocument read_suite_document(std::string_view bytes, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(bytes, std::string_view(file));
  } catch (const toml::parse_error& e) {
    fail_at(TextLocation{file, e.source().begin.line, e.source().begin.column},
            "TOML syntax error: " + std::string(e.description()) + " (expected TOML v1.0, https://toml.io/en/v1.0.0)");
  }
  return DocumentReader(file).read(root);
}

}  // namespace fp8check::detail
