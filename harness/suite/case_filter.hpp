// Case filters in GoogleTest's --gtest_filter syntax, matched against case ids:
// "POS1:POS2-NEG1:NEG2" runs the cases matching any positive pattern and no negative one.
// '*' matches any string (also empty), '?' any one character; everything else is literal.
// As in GoogleTest the text splits at its first '-', a missing positive part means '*',
// and the whole id must match. Unlike GoogleTest, an empty filter selects every case (it is
// what "no --filter" passes), and since ids may contain ':' (cfg:auto) and '-', "\:" and
// "\-" stand for those characters literally ('?' also matches them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fp8check {

class CaseFilter {
 public:
  CaseFilter() = default;  // selects every case

  // InputError for a backslash not followed by ':' or '-'.
  static CaseFilter parse(std::string_view text);

  bool matches(std::string_view id) const;

 private:
  std::vector<std::string> positive_;  // empty: every id
  std::vector<std::string> negative_;
};

// Glob match of the whole `text`: '*' any string, '?' any one character.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace fp8check
