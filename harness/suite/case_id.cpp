#include "harness/suite/case_id.hpp"

#include "harness/core/error.hpp"

namespace fp8check {

const char* const kCaseIdCharset = "letters, digits and . _ : + = , ( ) -";

namespace {

bool is_case_id_char(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("._:+=,()-").find(c) != std::string_view::npos;
}

std::string describe_char(char c) {
  if (c == ' ') return "' ' (a space)";
  if (c == '/') return "'/' (it separates the values of an id)";
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) {
    static const char* const hex = "0123456789abcdef";
    return std::string("byte 0x") + hex[u >> 4] + hex[u & 15];
  }
  return std::string("'") + c + "'";
}

}  // namespace

std::string case_id_value_problem(std::string_view value) {
  if (value.empty()) return "is empty";
  for (char c : value)
    if (!is_case_id_char(c)) return "contains " + describe_char(c);
  return {};
}

std::string make_case_id(const OpSchema& schema, const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.size() != schema.axes.size())
    throw InternalError("case of op " + schema.op + " has " + std::to_string(params.size()) + " values for " +
                        std::to_string(schema.axes.size()) + " axes");
  std::string id = schema.op;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].first != schema.axes[i].name)
      throw InternalError("case of op " + schema.op + ": value " + std::to_string(i) + " is for axis " +
                          params[i].first + ", expected " + schema.axes[i].name);
    if (schema.axes[i].id_omits_default && params[i].second == schema.axes[i].default_value) continue;
    id += '/';
    id += schema.axes[i].id_prefix;
    id += params[i].second;
  }
  return id;
}

}  // namespace fp8check
