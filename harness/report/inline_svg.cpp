#include "harness/report/inline_svg.hpp"

#include <cctype>
#include <set>

#include "harness/report/text_format.hpp"

namespace fp8check::report {

namespace {

bool is_id_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// The values of the ` id='...'` and ` id="..."` attributes.
std::set<std::string> collect_ids(std::string_view text) {
  std::set<std::string> ids;
  for (std::size_t at = text.find("id="); at != std::string_view::npos; at = text.find("id=", at + 3)) {
    if (at == 0 || !std::isspace(static_cast<unsigned char>(text[at - 1])) || at + 3 >= text.size()) continue;
    const char quote = text[at + 3];
    if (quote != '\'' && quote != '"') continue;
    const std::size_t close = text.find(quote, at + 4);
    if (close != std::string_view::npos) ids.emplace(text.substr(at + 4, close - at - 4));
  }
  return ids;
}

// Every id value and every #id reference (before a quote or ')') gets `prefix`.
std::string prefix_ids(std::string_view text, std::string_view prefix) {
  const std::set<std::string> ids = collect_ids(text);
  std::string out;
  out.reserve(text.size() + ids.size() * 16);
  for (std::size_t i = 0; i < text.size();) {
    const bool id_attribute = text.compare(i, 3, "id=") == 0 && i > 0 &&
                              std::isspace(static_cast<unsigned char>(text[i - 1])) && i + 3 < text.size() &&
                              (text[i + 3] == '\'' || text[i + 3] == '"');
    if (id_attribute) {
      out.append(text.substr(i, 4)).append(prefix);
      i += 4;
      continue;
    }
    if (text[i] == '#') {
      std::size_t end = i + 1;
      while (end < text.size() && is_id_char(text[end])) ++end;
      const bool reference = end < text.size() && (text[end] == '\'' || text[end] == '"' || text[end] == ')');
      if (reference && ids.count(std::string(text.substr(i + 1, end - i - 1)))) {
        out.append("#").append(prefix).append(text.substr(i + 1, end - i - 1));
        i = end;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

// The root <svg ...> tag without xmlns attributes, with a class, a role and a label.
std::string clean_root_tag(std::string_view tag, std::string_view title) {
  std::string out;
  for (std::size_t i = 0; i < tag.size();) {
    if (tag.compare(i, 5, "xmlns") == 0 && i > 0 && std::isspace(static_cast<unsigned char>(tag[i - 1]))) {
      const std::size_t eq = tag.find('=', i);
      const char quote = eq + 1 < tag.size() ? tag[eq + 1] : '"';
      const std::size_t close = eq == std::string_view::npos ? std::string_view::npos : tag.find(quote, eq + 2);
      if (close != std::string_view::npos) {
        i = close + 1;
        continue;
      }
    }
    out += tag[i++];
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out + " class=\"plot\" role=\"img\" aria-label=\"" + escape_xml(title) + "\"";
}

}  // namespace

std::optional<std::string> inline_svg(std::string_view svg, std::string_view id_prefix, std::string_view title) {
  const std::size_t start = svg.find("<svg");
  const std::size_t end = svg.rfind("</svg>");
  if (start == std::string_view::npos || end == std::string_view::npos || end < start) return std::nullopt;
  const std::string_view element = svg.substr(start, end + 6 - start);
  const std::size_t tag_end = element.find('>');
  if (tag_end == std::string_view::npos) return std::nullopt;
  std::string body = prefix_ids(element.substr(tag_end), id_prefix);
  const std::size_t title_open = body.find("<title>");
  const std::size_t title_close = body.find("</title>");
  if (title_open != std::string::npos && title_close != std::string::npos && title_close > title_open)
    body.replace(title_open + 7, title_close - title_open - 7, escape_xml(title));
  return clean_root_tag(element.substr(0, tag_end), title) + body;
}

}  // namespace fp8check::report
