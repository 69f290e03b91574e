#include "harness/io/detail/npy_header.hpp"

#include <cctype>
#include <string>

#include "harness/core/error.hpp"

namespace fp8check::io::detail {
namespace {

// numpy reserves room for a first axis of up to 21 digits (GROWTH_AXIS_MAX_DIGITS).
constexpr std::size_t kGrowthAxisMaxDigits = 21;

// Recursive descent over the Python-literal subset numpy writes: a dict of string
// keys whose values are strings, True/False, tuples of ints, or (structured dtypes)
// lists, which are only skipped over.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& file) : s_(text), file_(file) {}

  NpyHeader parse() {
    NpyHeader h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!consume('}')) {
      const std::string key = parse_string();
      expect(':');
      if (key == "descr" && !seen_descr) {
        seen_descr = true;
        h.descr_is_string = peek() == '\'' || peek() == '"';
        h.descr = h.descr_is_string ? parse_string() : skip_value();
      } else if (key == "fortran_order" && !seen_order) {
        seen_order = true;
        h.fortran_order = parse_bool();
      } else if (key == "shape" && !seen_shape) {
        seen_shape = true;
        h.shape = parse_shape();
      } else {
        fail("unexpected key '" + key + "'");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != s_.size()) fail("text after the closing '}'");
    if (!seen_descr || !seen_order || !seen_shape) fail("missing key");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file_ + ": malformed .npy header (" + one_line(what) + " at offset " + std::to_string(pos_) +
                     " of \"" + one_line(s_.substr(0, 120)) +
                     "\"): expected numpy's {'descr': ..., 'fortran_order': ..., 'shape': (...)}");
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  char peek() {
    skip_space();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }
  bool consume_word(std::string_view w) {
    skip_space();
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  // 'abc' or "abc"; a backslash takes the next character literally (enough for dtype strings).
  std::string parse_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    ++pos_;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (pos_ == s_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }

  bool parse_bool() {
    if (consume_word("True")) return true;
    if (consume_word("False")) return false;
    fail("expected True or False");
  }

  // A non-negative int; Python 2 numpy wrote a trailing 'L' (numpy's _filter_header drops it).
  std::uint64_t parse_dimension() {
    skip_space();
    if (pos_ == s_.size() || !std::isdigit(static_cast<unsigned char>(s_[pos_])))
      fail("expected a non-negative integer dimension");
    std::uint64_t v = 0;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      const std::uint64_t digit = static_cast<std::uint64_t>(s_[pos_++] - '0');
      if (v > (UINT64_MAX - digit) / 10) fail("dimension too large");
      v = v * 10 + digit;
    }
    if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;
    return v;
  }

  // "()", "(3,)", "(3, 4)", "(3, 4,)".
  std::vector<std::uint64_t> parse_shape() {
    std::vector<std::uint64_t> shape;
    expect('(');
    while (!consume(')')) {
      shape.push_back(parse_dimension());
      if (!consume(',')) {
        expect(')');
        break;
      }
    }
    return shape;
  }

  // A balanced [...] / (...) / {...} or a bare token; returns its text.
  std::string skip_value() {
    skip_space();
    const std::size_t start = pos_;
    int depth = 0;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\'' || c == '"') {
        parse_string();
        continue;
      }
      if (depth == 0 && (c == ',' || c == '}')) break;
      if (c == '[' || c == '(' || c == '{') ++depth;
      if (c == ']' || c == ')' || c == '}') --depth;
      ++pos_;
    }
    if (depth != 0 || pos_ == start) fail("unbalanced value");
    return std::string(s_.substr(start, pos_ - start));
  }

  std::string_view s_;
  const std::string& file_;
  std::size_t pos_ = 0;
};

}  // namespace

NpyHeader parse_npy_header(std::string_view text, const std::string& file) {
  return HeaderParser(text, file).parse();
}

std::string python_shape(std::span<const std::size_t> shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

std::string format_npy_header(std::string_view descr, std::span<const std::size_t> shape) {
  std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " +
                     python_shape(shape) + ", }";
  if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
  return dict;
}

}  // namespace fp8check::io::detail
