#include "harness/suite/case_filter.hpp"

#include "harness/core/error.hpp"

namespace fp8check {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Greedy with one backtrack point (the last '*'): linear in practice, O(|p|·|t|) at worst.
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

// A filter character and whether a backslash made it literal.
struct FilterChar {
  char c;
  bool escaped;
};

// Splits at unescaped ':' into patterns; an empty range gives one empty pattern (which
// matches no id), as GoogleTest does.
std::vector<std::string> split_patterns(const std::vector<FilterChar>& chars, std::size_t begin, std::size_t end) {
  std::vector<std::string> out(1);
  for (std::size_t i = begin; i < end; ++i) {
    if (chars[i].c == ':' && !chars[i].escaped) {
      out.emplace_back();
    } else {
      out.back() += chars[i].c;
    }
  }
  return out;
}

}  // namespace

CaseFilter CaseFilter::parse(std::string_view text) {
  CaseFilter filter;
  if (text.empty()) return filter;
  std::vector<FilterChar> chars;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      chars.push_back({text[i], false});
      continue;
    }
    if (i + 1 == text.size() || (text[i + 1] != ':' && text[i + 1] != '-'))
      throw InputError("filter '" + std::string(text) + "': the backslash at position " + std::to_string(i) +
                       " escapes nothing (expected \\: or \\- for a literal ':' or '-')");
    chars.push_back({text[++i], true});
  }
  std::size_t dash = 0;
  while (dash < chars.size() && (chars[dash].c != '-' || chars[dash].escaped)) ++dash;
  if (dash == chars.size()) {
    filter.positive_ = split_patterns(chars, 0, dash);
    return filter;
  }
  if (dash > 0) filter.positive_ = split_patterns(chars, 0, dash);  // "-NEG" means "*-NEG"
  filter.negative_ = split_patterns(chars, dash + 1, chars.size());
  return filter;
}

bool CaseFilter::matches(std::string_view id) const {
  auto any = [&](const std::vector<std::string>& patterns) {
    for (const std::string& p : patterns)
      if (glob_match(p, id)) return true;
    return false;
  };
  return (positive_.empty() || any(positive_)) && !any(negative_);
}

}  // namespace fp8check
