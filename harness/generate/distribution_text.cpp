// Text form of Distribution: operator<< and parse_distribution (declared in distributions.hpp).
//   kind[(p1,p2,...)][+specials[(fraction)]]
#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/generate/distributions.hpp"

namespace fp8check {
namespace {

struct KindSyntax {
  const char* name;
  DistributionKind kind;
  const char* parameters;  // as listed in error messages
  std::size_t arity;
};

// "outliers" is an alias; it parses to llm_activation and prints as such.
constexpr KindSyntax kKinds[] = {
    {"uniform", DistributionKind::uniform, "(lo,hi)", 2},
    {"normal", DistributionKind::normal, "(mean,std)", 2},
    {"relu", DistributionKind::relu, "(mean,std)", 2},
    {"llm_activation", DistributionKind::llm_activation, "(columns,outlier_fraction,outlier_scale)", 3},
    {"outliers", DistributionKind::llm_activation, "(columns,outlier_fraction,outlier_scale)", 3},
    {"tiny", DistributionKind::tiny, "(min_exp,max_exp)", 2},
    {"huge", DistributionKind::huge, "(min_exp,max_exp)", 2},
    {"integers", DistributionKind::integers, "(lo,hi)", 2},
    {"zeros", DistributionKind::zeros, "", 0},
    {"all_zero_blocks", DistributionKind::all_zero_blocks, "(block,zero_fraction)", 2},
};

std::string accepted_forms() {
  std::string list;
  for (const KindSyntax& k : kKinds) list += (list.empty() ? "" : ", ") + std::string(k.name) + k.parameters;
  return "accepted: " + list +
         " (trailing parameters may be omitted), optionally followed by +specials or +specials(fraction)";
}

[[noreturn]] void fail(std::string_view text, const std::string& problem) {
  throw InputError("invalid input distribution '" + std::string(text) + "': " + problem + "; " +
                   accepted_forms());
}

// Shortest text that reads back as the same double (std::to_chars, locale-free).
std::string number(double x) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
  return std::string(buffer, result.ptr);
}

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool at_end() { skip_spaces(); return pos_ == text_.size(); }
  bool consume(char c) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == c) { ++pos_; return true; }
    return false;
  }
  std::string_view identifier() {
    skip_spaces();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // After '(' was consumed: numbers separated by ',' up to ')'.
  std::vector<double> arguments() {
    std::vector<double> values;
    if (consume(')')) return values;
    do {
      skip_spaces();
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ')' && text_[pos_] != ' ') ++pos_;
      const std::string_view token = text_.substr(start, pos_ - start);
      double value = 0;
      const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (token.empty() || error != std::errc() || end != token.data() + token.size()) {
        fail(text_, "'" + std::string(token) + "' is not a number");
      }
      values.push_back(value);
    } while (consume(','));
    if (!consume(')')) fail(text_, "expected ',' or ')' at position " + std::to_string(pos_));
    return values;
  }
  std::string_view rest() const { return text_.substr(pos_); }

 private:
  void skip_spaces() { while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_; }
  std::string_view text_;
  std::size_t pos_ = 0;
};

// An integer-valued argument that fits T (the descriptor's validate() checks the rest).
template <typename T>
T integer_argument(std::string_view text, const std::vector<double>& args, std::size_t i, T fallback,
                   const char* name) {
  if (i >= args.size()) return fallback;
  const double v = args[i];
  const double lowest = static_cast<double>(std::numeric_limits<T>::min());
  const double highest = std::min(0x1p53, static_cast<double>(std::numeric_limits<T>::max()));
  if (!(v >= lowest && v <= highest) || static_cast<double>(static_cast<T>(v)) != v) {
    fail(text, std::string(name) + " must be an integer in [" + number(lowest) + ", " + number(highest) +
                   "], got " + number(v));
  }
  return static_cast<T>(v);
}

Distribution from_arguments(std::string_view text, DistributionKind kind, const std::vector<double>& a) {
  const auto arg = [&](std::size_t i, double fallback) { return i < a.size() ? a[i] : fallback; };
  switch (kind) {
    case DistributionKind::uniform: {
      const Distribution def = Distribution::uniform();
      return Distribution::uniform(arg(0, def.lo), arg(1, def.hi));
    }
    case DistributionKind::normal: {
      const Distribution def = Distribution::normal();
      return Distribution::normal(arg(0, def.mean), arg(1, def.stddev));
    }
    case DistributionKind::relu: {
      const Distribution def = Distribution::relu();
      return Distribution::relu(arg(0, def.mean), arg(1, def.stddev));
    }
    case DistributionKind::llm_activation: {
      const Distribution def = Distribution::llm_activation();
      return Distribution::llm_activation(integer_argument(text, a, 0, def.columns, "columns"),
                                          arg(1, def.outlier_fraction), arg(2, def.outlier_scale));
    }
    case DistributionKind::tiny:
    case DistributionKind::huge: {
      const Distribution def = kind == DistributionKind::tiny ? Distribution::tiny() : Distribution::huge();
      Distribution d = Distribution::tiny(integer_argument(text, a, 0, def.min_exponent, "min_exp"),
                                          integer_argument(text, a, 1, def.max_exponent, "max_exp"));
      d.kind = kind;
      return d;
    }
    case DistributionKind::integers: {
      const Distribution def = Distribution::integers();
      return Distribution::integers(arg(0, def.lo), arg(1, def.hi));
    }
    case DistributionKind::zeros: return Distribution::zeros();
    case DistributionKind::all_zero_blocks: {
      const Distribution def = Distribution::all_zero_blocks();
      return Distribution::all_zero_blocks(integer_argument(text, a, 0, def.block, "block"),
                                           arg(1, def.zero_block_fraction));
    }
  }
  fail(text, "unhandled kind");
}

}  // namespace

const char* kind_name(DistributionKind kind) {
  for (const KindSyntax& k : kKinds) {
    if (k.kind == kind) return k.name;  // the first entry of a kind is its canonical name
  }
  return "invalid";
}

std::ostream& operator<<(std::ostream& os, const Distribution& d) {
  os << kind_name(d.kind);
  switch (d.kind) {
    case DistributionKind::uniform:
    case DistributionKind::integers: os << '(' << number(d.lo) << ',' << number(d.hi) << ')'; break;
    case DistributionKind::normal:
    case DistributionKind::relu: os << '(' << number(d.mean) << ',' << number(d.stddev) << ')'; break;
    case DistributionKind::llm_activation:
      os << '(' << d.columns << ',' << number(d.outlier_fraction) << ',' << number(d.outlier_scale) << ')';
      break;
    case DistributionKind::tiny:
    case DistributionKind::huge: os << '(' << d.min_exponent << ',' << d.max_exponent << ')'; break;
    case DistributionKind::zeros: break;
    case DistributionKind::all_zero_blocks:
      os << '(' << d.block << ',' << number(d.zero_block_fraction) << ')';
      break;
  }
  if (d.specials_fraction != 0.0) os << "+specials(" << number(d.specials_fraction) << ')';
  return os;
}

std::string to_string(const Distribution& d) {
  std::ostringstream os;
  os << d;
  return os.str();
}

Distribution parse_distribution(std::string_view text) {
  Cursor cursor(text);
  const std::string_view name = cursor.identifier();
  const KindSyntax* syntax = nullptr;
  for (const KindSyntax& k : kKinds) {
    if (name == k.name) syntax = &k;
  }
  if (syntax == nullptr) fail(text, "unknown kind '" + std::string(name) + "'");
  std::vector<double> args;
  if (cursor.consume('(')) args = cursor.arguments();
  if (args.size() > syntax->arity) {
    fail(text, std::string(syntax->name) + " takes at most " + std::to_string(syntax->arity) +
                   " parameters " + syntax->parameters + ", got " + std::to_string(args.size()));
  }
  Distribution d = from_arguments(text, syntax->kind, args);
  if (cursor.consume('+')) {
    if (cursor.identifier() != "specials") fail(text, "unknown option after '+'");
    std::vector<double> fraction{Distribution::kDefaultSpecialsFraction};
    if (cursor.consume('(')) fraction = cursor.arguments();
    if (fraction.size() != 1) fail(text, "+specials takes one parameter (fraction)");
    d = d.with_specials(fraction[0]);
  }
  if (!cursor.at_end()) fail(text, "unexpected '" + std::string(cursor.rest()) + "'");
  d.validate();
  return d;
}

}  // namespace fp8check
